"""What the emulator's parts (pipeline, handlers, admin API) see of a running emulator.

A protocol of the emulator's own: the parts are typed against it, not against
`DingTalkEmulator`, so the emulator can import them without an import cycle.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from .faults import FaultInjector
from .records import CreatedGroup, LoggedRequest
from .store import GroupStore
from .traffic import ApiTraffic

__all__ = ["EmulatorState"]


class EmulatorState(Protocol):
    """The settings, state and inspection of one emulator (`DingTalkEmulator` is one)."""

    app_key: str
    app_secret: str
    visible_users: frozenset[str] | None
    whitelisted: bool
    denied_scopes: set[str]
    qps_limit: int | None
    qps_limits: dict[str, int | None]
    robot_code: str
    robot_in_new_groups: bool
    group_message_limit: int | None
    stopped_robots: set[str]
    monthly_call_quota: int | None
    quota_used: int
    record_requests: bool
    record_groups: bool
    traffic: dict[str, ApiTraffic]
    store: GroupStore
    groups: list[CreatedGroup]
    requests: list[LoggedRequest]

    @property
    def base_url(self) -> str: ...

    @property
    def oapi_base_url(self) -> str: ...

    @property
    def rate_limited(self) -> int: ...

    @property
    def token_lifetime(self) -> float: ...

    def traffic_for(self, api: str) -> ApiTraffic: ...

    def faults_for(self, api: str) -> FaultInjector: ...

    def calls(self, api: str) -> int: ...

    def windows(self, api: str) -> Counter[int]: ...

    def qps_limit_for(self, api: str) -> int | None: ...

    def revoke_tokens(self) -> None: ...

    def issue_token(self) -> str: ...

    def is_valid_token(self, token: str) -> bool: ...

    def reset(self) -> None: ...

"""What the emulator's parts (pipeline, handlers, admin API) see of a running emulator.

A protocol of the emulator's own: the parts are typed against it, not against
`DingTalkEmulator`, so the emulator can import them without an import cycle.
Settings are read from `settings` (an `EmulatorSettings`); the rest is state.
"""

from __future__ import annotations

from typing import Protocol

from ._journal import Journal
from ._stores import FamilyStores
from .faults import FaultInjector
from .oauth.tenants import Tenant, TenantStore
from .records import CreatedGroup
from .settings import EmulatorSettings
from .store import GroupStore
from .stream.gateway import StreamGateway
from .traffic import ApiTraffic

__all__ = ["EmulatorState"]


class EmulatorState(Protocol):
    """The settings, state and inspection of one emulator (`DingTalkEmulator` is one)."""

    quota_used: int
    quota_month: str
    tenants: TenantStore
    stream: StreamGateway
    traffic: dict[str, ApiTraffic]
    stores: FamilyStores
    store: GroupStore
    groups: list[CreatedGroup]
    journal: Journal

    @property
    def settings(self) -> EmulatorSettings: ...

    @property
    def robot_code(self) -> str: ...

    @property
    def base_url(self) -> str: ...

    @property
    def oapi_base_url(self) -> str: ...

    def traffic_for(self, api: str) -> ApiTraffic: ...

    def faults_for(self, api: str) -> FaultInjector: ...

    def issue_token(self) -> str: ...

    def is_valid_token(self, token: str) -> bool: ...

    def revoke_tokens(self) -> object: ...

    def revoke_tokens_of(self, tenant: Tenant) -> object: ...

"""The emulator's controls, the same in process and remotely: each written once, here.

`EmulatorControls` declares every control a test or a tool uses to steer and
inspect an emulator: settings, faults, counters, the journal, tokens, reset.
`DingTalkEmulator` carries them out on itself; `RemoteEmulator` sends them to a
running `dingtalk-im emulator` over the admin API. The families add theirs the
same way (`groups/controls.py`, `robot/controls.py`, `_stream_controls.py`), and a
test checks that both classes have every control with the same signature.

Every control is awaitable. Commands return an awaitable: in process they act at
once and return `Done`, so `emulator.fail_next(api=...)` and `await
emulator.fail_next(api=...)` both work; queries are coroutines in both modes.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Generator, Mapping
from typing import Any

from .._core.endpoint import TOKEN_API
from ._legacy import default_api
from .faults import CannedReply, ErrorReply, Fault, Latency, ScheduledReply
from .records import Counters, LoggedRequest
from .settings import EmulatorSettings

__all__ = ["TOKEN_API", "Done", "EmulatorControls"]

#: DingTalk's message for `system.error`, which its docs answer with "retry".
_RETRY_MESSAGE = "请重试,若始终失败请提交工单"
_Delay = Latency | float | tuple[float, float]


class Done:
    """What an in-process command returns: it has already acted; awaiting it is a no-op.

    So the same line works in process and against a `RemoteEmulator` when awaited.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "Done()"

    def __await__(self) -> Generator[Any, None, None]:
        yield from ()


#: The one `Done` every in-process command returns.
DONE = Done()


class EmulatorControls(abc.ABC):
    """The controls shared by `DingTalkEmulator` and `RemoteEmulator` (see the module docstring).

    Faults are per API: pass `api=` (e.g. `"im.group.create"`, `"oapi.chat.get"`,
    `"oauth2.accessToken"`). Omitting it still means `"im.group.create"`, as in
    0.1, with a DeprecationWarning.
    """

    # -- who and where (read on entry by `RemoteEmulator`) ---------------------------------

    @property
    @abc.abstractmethod
    def app_key(self) -> str:
        """The app key the emulator accepts (its own made-up one by default)."""

    @property
    @abc.abstractmethod
    def app_secret(self) -> str:
        """The app secret it accepts (made up, printed on purpose: never a real one)."""

    @property
    @abc.abstractmethod
    def robot_code(self) -> str:
        """The app's robot code (the app key unless set)."""

    @property
    @abc.abstractmethod
    def base_url(self) -> str:
        """Where it serves DingTalk's v1.0 API (and the admin API, and the dashboard)."""

    @property
    @abc.abstractmethod
    def oapi_base_url(self) -> str:
        """Where it serves the legacy oapi host: `base_url + "/oapi"`."""

    # -- settings --------------------------------------------------------------------

    @abc.abstractmethod
    async def get_settings(self) -> EmulatorSettings:
        """The settings now in force."""

    @abc.abstractmethod
    def configure(self, **changes: Any) -> Awaitable[None]:
        """Change settings while it runs (`qps_limit=20`, `visible_users=["u1"]`, ...); all
        are checked before any changes. Settings fixed at start are a ValueError."""

    # -- inspection ------------------------------------------------------------------

    @abc.abstractmethod
    async def get_counters(self) -> Counters:
        """Calls, QPS refusals, quota and faults per API, and the totals."""

    @abc.abstractmethod
    async def read_journal(
        self, *, since: int = 0, limit: int | None = None
    ) -> list[LoggedRequest]:
        """Journal lines from index `since` (the oldest kept, if older ones were dropped), at
        most the newest `limit`; never a token, secrets masked."""

    # -- faults ----------------------------------------------------------------------

    @abc.abstractmethod
    def schedule(
        self,
        fault: Fault,
        count: int = 1,
        *,
        api: str | None = None,
        delay: _Delay | None = None,
    ) -> Awaitable[None]:
        """Give the next `count` calls to `api` this fault (`delay`: seconds or a range)."""

    @abc.abstractmethod
    def schedule_reply(
        self, reply: ScheduledReply, count: int = 1, *, api: str | None = None
    ) -> Awaitable[None]:
        """Answer the next `count` calls to `api` with this `ErrorReply`, `ErrcodeReply` or
        `CannedReply`."""

    @abc.abstractmethod
    def every(self, fault: Fault, calls: int, *, api: str | None = None) -> Awaitable[None]:
        """Give every `calls`-th call to `api` from now on this fault (until the next reset)."""

    @abc.abstractmethod
    def set_rates(
        self,
        rates: Mapping[Fault, float],
        *,
        api: str | None = None,
        seed: int | None = None,
        latency: _Delay | None = None,
    ) -> Awaitable[None]:
        """Give each call to `api` a fault with these probabilities (until the next reset;
        the `fault_rates` setting is the standing form)."""

    @abc.abstractmethod
    def clear_faults(self, api: str | None = None) -> Awaitable[None]:
        """Forget the faults of `api` (None: of every API), standing ones included, until the
        next reset or `configure` of a fault setting."""

    # -- tokens and reset --------------------------------------------------------------

    @abc.abstractmethod
    def revoke_tokens(self) -> Awaitable[None]:
        """Make every token issued so far invalid, as if DingTalk had revoked it."""

    @abc.abstractmethod
    def reset(self) -> Awaitable[None]:
        """Forget every family's state (groups, messages, ...), the journal, the counters, the
        scheduled faults and the tokens; the settings stay, standing faults start over."""

    # -- shortcuts, written once for both modes -----------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: str = "system.error",
        message: str = _RETRY_MESSAGE,
        api: str | None = None,
    ) -> Awaitable[None]:
        """Answer the next `count` calls to `api` with this DingTalk error body."""
        reply = ErrorReply(status=status, code=code, message=message)
        return self.schedule_reply(reply, count, api=default_api(api, "fail_next"))

    def reply_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        api: str | None = None,
        applied: bool = False,
    ) -> Awaitable[None]:
        """Answer the next `count` calls to `api` with these raw bytes (and extra headers);
        with `applied`, after carrying each call out (e.g. creating the group)."""
        canned = CannedReply(
            status=status,
            body=body,
            content_type=content_type,
            headers=headers or {},
            applied=applied,
        )
        return self.schedule_reply(canned, count, api=default_api(api, "reply_next"))

    def reply_token_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> Awaitable[None]:
        """Answer the next `count` token requests with these raw bytes (counted as fetches)."""
        canned = CannedReply(
            status=status, body=body, content_type=content_type, headers=headers or {}
        )
        return self.schedule_reply(canned, count, api=TOKEN_API)

    def delay_next(
        self, count: int = 1, *, seconds: float, api: str | None = None
    ) -> Awaitable[None]:
        """Hold the next `count` calls to `api` for `seconds`, then serve them."""
        return self.schedule(Fault.SLOW, count, api=default_api(api, "delay_next"), delay=seconds)

    def drop_next(self, count: int = 1, *, api: str | None = None) -> Awaitable[None]:
        """Close the connection on the next `count` calls to `api` without replying."""
        return self.schedule(Fault.CONNECTION_CLOSED, count, api=default_api(api, "drop_next"))

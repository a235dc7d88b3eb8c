"""Earlier names that still work, with a DeprecationWarning saying what replaced them.

The create-era shortcuts (`faults`, `token_faults`, `create_calls`,
`create_windows`, a fault control without `api=`), the settings as
attributes of the emulator (`emulator.qps_limit = 5` is now
`configure(qps_limit=5)`), and `RemoteEmulator`'s first method names. Kept
in one module so they go in one change.
"""

from __future__ import annotations

import abc
import warnings
from collections import Counter
from collections.abc import Awaitable, Iterable, Iterator, Mapping, MutableSet
from typing import TYPE_CHECKING, Any

from .._core.endpoint import TOKEN_API, api_name

if TYPE_CHECKING:
    from .faults import Fault, FaultInjector
    from .records import Counters, LoggedRequest
    from .settings import EmulatorSettings
    from .store import StoredGroup

__all__ = [
    "CREATE_API",
    "LegacyEmulatorNames",
    "LegacyRemoteNames",
    "LegacySetting",
    "default_api",
    "deprecated",
]

#: What a fault control meant without `api=` before faults were per API.
CREATE_API = api_name("/v1.0/im/group/create")


def deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that `old` is deprecated in favour of `new` (at the caller's caller)."""
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=stacklevel)


def default_api(api: str | None, control: str) -> str:
    """The API a fault control acts on: `api`, or (deprecated) group creation."""
    if api is not None:
        return api
    deprecated(
        f"{control}() without api=",
        f'{control}(..., api="{CREATE_API}") (faults are per API)',
        stacklevel=4,
    )
    return CREATE_API


class _LiveSet(MutableSet[str]):
    """A set-valued setting read as an attribute: `add` and `discard` change the setting."""

    def __init__(self, owner: Any, name: str) -> None:
        self._owner = owner
        self._name = name

    def _current(self) -> frozenset[str]:
        current: frozenset[str] = getattr(self._owner.settings, self._name)
        return current

    def __contains__(self, value: object) -> bool:
        return value in self._current()

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())

    def __repr__(self) -> str:
        return repr(set(self._current()))

    def add(self, value: str) -> None:
        self._owner.configure(**{self._name: self._current() | {value}})

    def discard(self, value: str) -> None:
        self._owner.configure(**{self._name: self._current() - {value}})


class LegacySetting:
    """`emulator.<setting>` as before: reads `emulator.settings.<setting>`, writes through
    `configure`, and warns either way."""

    _LIVE_SETS = frozenset({"denied_scopes", "stopped_robots"})

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, owner: Any, kind: type | None = None) -> Any:
        if owner is None:
            return self
        deprecated(f"emulator.{self.name}", f"emulator.settings.{self.name}")
        if self.name in self._LIVE_SETS:
            return _LiveSet(owner, self.name)
        return getattr(owner.settings, self.name)

    def __set__(self, owner: Any, value: Any) -> None:
        deprecated(f"emulator.{self.name} = ...", f"emulator.configure({self.name}=...)")
        owner.configure(**{self.name: value})


class LegacyEmulatorNames(abc.ABC):
    """The create-era names of `DingTalkEmulator`: create's and the token endpoint's faults
    and counts, now asked for by API."""

    @abc.abstractmethod
    def faults_for(self, api: str) -> FaultInjector: ...

    @abc.abstractmethod
    def calls(self, api: str) -> int: ...

    @abc.abstractmethod
    def windows(self, api: str) -> Counter[int]: ...

    @property
    def faults(self) -> FaultInjector:
        """Deprecated: `faults_for("im.group.create")`."""
        deprecated("emulator.faults", f'emulator.faults_for("{CREATE_API}")')
        return self.faults_for(CREATE_API)

    @property
    def token_faults(self) -> FaultInjector:
        """Deprecated: `faults_for("oauth2.accessToken")`."""
        deprecated("emulator.token_faults", f'emulator.faults_for("{TOKEN_API}")')
        return self.faults_for(TOKEN_API)

    @property
    def create_calls(self) -> int:
        """Deprecated: `calls("im.group.create")`."""
        deprecated("emulator.create_calls", f'emulator.calls("{CREATE_API}")')
        return self.calls(CREATE_API)

    @property
    def create_windows(self) -> Counter[int]:
        """Deprecated: `windows("im.group.create")`."""
        deprecated("emulator.create_windows", f'emulator.windows("{CREATE_API}")')
        return self.windows(CREATE_API)


class LegacyRemoteNames(abc.ABC):
    """`RemoteEmulator`'s first method names, over the controls that replaced them."""

    @abc.abstractmethod
    async def list_groups(self) -> list[StoredGroup]: ...

    @abc.abstractmethod
    async def get_group(self, group_id: str) -> StoredGroup: ...

    @abc.abstractmethod
    async def read_journal(
        self, *, since: int = 0, limit: int | None = None
    ) -> list[LoggedRequest]: ...

    @abc.abstractmethod
    async def get_counters(self) -> Counters: ...

    @abc.abstractmethod
    async def get_settings(self) -> EmulatorSettings: ...

    @abc.abstractmethod
    def configure(self, **changes: Any) -> Awaitable[None]: ...

    @abc.abstractmethod
    async def _admin_json(self, path: str) -> Any: ...

    async def groups(self) -> list[StoredGroup]:
        """Deprecated: `list_groups()`."""
        deprecated("RemoteEmulator.groups()", "list_groups()")
        return await self.list_groups()

    async def group(self, group_id: str) -> StoredGroup:
        """Deprecated: `get_group(group_id)`."""
        deprecated("RemoteEmulator.group()", "get_group()")
        return await self.get_group(group_id)

    async def requests(self, *, since: int = 0) -> list[LoggedRequest]:
        """Deprecated: `read_journal(since=...)`."""
        deprecated("RemoteEmulator.requests()", "read_journal()")
        return await self.read_journal(since=since)

    async def counters(self) -> dict[str, Any]:
        """Deprecated: `get_counters()` (typed `Counters`); this is the admin API's JSON."""
        deprecated("RemoteEmulator.counters()", "get_counters()")
        found: dict[str, Any] = await self._admin_json("/counters")
        return found

    async def calls(self, api: str) -> int:
        """Deprecated: `(await get_counters()).api(api).calls`."""
        deprecated("RemoteEmulator.calls(api)", "(await get_counters()).api(api).calls")
        return (await self.get_counters()).api(api).calls

    async def injected(self, api: str | None = None) -> dict[Fault, int]:
        """Deprecated: `(await get_counters()).api(api).injected`."""
        deprecated("RemoteEmulator.injected(api)", "(await get_counters()).api(api).injected")
        return dict((await self.get_counters()).api(api or CREATE_API).injected)

    async def qps_limits(self) -> tuple[int | None, dict[str, int | None]]:
        """Deprecated: `get_settings()` (`qps_limit`, `qps_limits`)."""
        deprecated("RemoteEmulator.qps_limits()", "get_settings()")
        settings = await self.get_settings()
        return settings.qps_limit, dict(settings.qps_limits)

    async def set_qps_limit(self, limit: int | None) -> None:
        """Deprecated: `configure(qps_limit=...)`."""
        deprecated("RemoteEmulator.set_qps_limit()", "configure(qps_limit=...)")
        await self.configure(qps_limit=limit)

    async def set_qps_limits(self, per_api: Mapping[str, int | None]) -> None:
        """Deprecated: `configure(qps_limits=...)`."""
        deprecated("RemoteEmulator.set_qps_limits()", "configure(qps_limits=...)")
        await self.configure(qps_limits=per_api)

    async def visible_users(self) -> frozenset[str] | None:
        """Deprecated: `get_settings()` (`visible_users`)."""
        deprecated("RemoteEmulator.visible_users()", "get_settings()")
        return (await self.get_settings()).visible_users

    async def set_visible_users(self, users: Iterable[str] | None) -> None:
        """Deprecated: `configure(visible_users=...)`."""
        deprecated("RemoteEmulator.set_visible_users()", "configure(visible_users=...)")
        await self.configure(visible_users=users)

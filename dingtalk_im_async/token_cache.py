"""Where providers share access tokens: in this process, or across a fleet through Redis.

A cache only stores and hands back tokens; deciding when to fetch is the
provider's job. Expiry here is absolute wall-clock time (`time.time()`),
unlike the provider's own copy, which runs on `time.monotonic()`: a
monotonic reading means nothing outside the process that took it (each
process and each boot has its own origin), while wall-clock seconds compare
across processes and hosts whose clocks are kept in sync (NTP), which is
what a shared cache needs. The provider converts to its monotonic clock the
moment it reads an entry, so a wall-clock step only matters at that moment.

`RedisTokenCache` lives in `fleet.py` with the other Redis-backed sharing
(import it from `dingtalk_im_async`); `fleet` builds on this module.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, runtime_checkable

from attrs import define, field, validators

from .errors import DingTalkError

__all__ = [
    "CachedToken",
    "MemoryTokenCache",
    "TokenCache",
    "TokenCacheError",
]

#: Prefix of every Redis key this package writes.
DEFAULT_NAMESPACE = "dingtalk-im-async"


def _finite(_instance: object, attribute: Any, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive finite number")


@define(frozen=True, kw_only=True)
class CachedToken:
    """A token as providers share it: the value, when it expires, and the lifetime it came with.

    `expires_at` is wall-clock seconds (`time.time()`); `lifetime` is the
    `expireIn` it was issued with, so every reader computes the same
    refresh point. The value is left out of the repr.
    """

    value: str = field(
        repr=False, validator=validators.and_(validators.instance_of(str), validators.min_len(1))
    )
    """The access token (not empty); never in a repr or a log line."""
    expires_at: float = field(validator=[validators.instance_of((int, float)), _finite])
    """When it expires, in wall-clock seconds (`time.time()`): positive and finite."""
    lifetime: float = field(validator=[validators.instance_of((int, float)), _finite])
    """The `expireIn` it was issued with, in seconds: positive and finite."""


class TokenCacheError(DingTalkError):
    """The shared cache could not be used; the provider then fetches on its own and warns."""


@runtime_checkable
class TokenCache(Protocol):
    """Storage shared by token providers, keyed by app key.

    Methods raise `TokenCacheError` when the store is unreachable, never
    anything else; leaving `lock()` must never raise.
    """

    async def load(self, app_key: str) -> CachedToken | None:
        """The stored token for `app_key`, or None if there is none."""
        ...

    async def store(self, app_key: str, token: CachedToken) -> None:
        """Keep `token` for `app_key` until it expires."""
        ...

    async def discard(self, app_key: str, value: str) -> None:
        """Drop the stored token only if its value is still `value` (compare-and-delete)."""
        ...

    def lock(self, app_key: str) -> AbstractAsyncContextManager[bool]:
        """Try once to become the one fetcher for `app_key`; yields whether this caller is."""
        ...


class MemoryTokenCache:
    """Tokens shared by the providers of one process; the default when no cache is given.

    `clock` is the wall clock, injectable for tests. `max_entries` (None: no
    bound) keeps memory bounded when tokens are per organisation: beyond it the
    least recently stored entry is dropped (its provider fetches again when it
    needs one).
    """

    def __init__(
        self, *, clock: Callable[[], float] = time.time, max_entries: int | None = None
    ) -> None:
        if max_entries is not None and (
            isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1
        ):
            raise ValueError("max_entries must be a positive int, or None")
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[str, CachedToken] = {}
        self._locked: set[str] = set()

    def __repr__(self) -> str:
        return f"MemoryTokenCache(app_keys={sorted(self._entries)!r})"

    async def load(self, app_key: str) -> CachedToken | None:
        entry = self._entries.get(app_key)
        if entry is not None and entry.expires_at <= self._clock():
            del self._entries[app_key]
            return None
        return entry

    async def store(self, app_key: str, token: CachedToken) -> None:
        self._entries.pop(app_key, None)
        self._entries[app_key] = token
        if self._max_entries is not None and len(self._entries) > self._max_entries:
            del self._entries[next(iter(self._entries))]

    async def discard(self, app_key: str, value: str) -> None:
        entry = self._entries.get(app_key)
        if entry is not None and entry.value == value:
            del self._entries[app_key]

    @asynccontextmanager
    async def lock(self, app_key: str) -> AsyncIterator[bool]:
        if app_key in self._locked:
            yield False
            return
        self._locked.add(app_key)
        try:
            yield True
        finally:
            self._locked.discard(app_key)

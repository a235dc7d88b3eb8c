"""Where providers share access tokens: in this process, or across a fleet through Redis.

A cache only stores and hands back tokens; deciding when to fetch is the
provider's job. Expiry here is absolute wall-clock time (`time.time()`),
unlike the provider's own copy, which runs on `time.monotonic()`: a
monotonic reading means nothing outside the process that took it (each
process and each boot has its own origin), while wall-clock seconds compare
across processes and hosts whose clocks are kept in sync (NTP), which is
what a shared cache needs. The provider converts to its monotonic clock the
moment it reads an entry, so a wall-clock step only matters at that moment.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from attrs import define, field, validators

from .errors import DingTalkError, MissingExtraError

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.typing import EncodableT, FieldT

__all__ = [
    "CachedToken",
    "MemoryTokenCache",
    "RedisTokenCache",
    "TokenCache",
    "TokenCacheError",
]

logger = logging.getLogger("dingtalk_im_async.token_cache")

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
    expires_at: float = field(validator=[validators.instance_of((int, float)), _finite])
    lifetime: float = field(validator=[validators.instance_of((int, float)), _finite])


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

    `clock` is the wall clock, injectable for tests.
    """

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
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
        self._entries[app_key] = token

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


# Compare-and-delete must be atomic, or a late discard could drop a peer's fresh token.
_DISCARD_IF_CURRENT = """
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisTokenCache:
    """Tokens shared by a fleet of processes through Redis (extra: `dingtalk-im-async[redis]`).

    Each app key's token lives in the hash `<namespace>:token:<app_key>`
    (fields `token`, `expires_at`, `lifetime`) with a TTL that ends when the
    token does. `lock()` is `SET <namespace>:token-lock:<app_key> NX PX`
    (redis-py's `Lock`), held while one process fetches; `lock_ttl` frees it
    if that process dies. Every Redis failure becomes `TokenCacheError`.

    Pass a `redis.asyncio.Redis` you own, or use `from_url()`, which makes a
    client with short timeouts (so an outage costs a call well under a
    second) and no retries, and closes it in `aclose()`.
    """

    def __init__(
        self,
        client: Redis,
        *,
        namespace: str = DEFAULT_NAMESPACE,
        lock_ttl: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not namespace or not isinstance(namespace, str):
            raise ValueError("namespace must be a non-empty string")
        if not math.isfinite(lock_ttl) or lock_ttl <= 0:
            raise ValueError("lock_ttl must be a positive number of seconds")
        from redis.exceptions import LockError, RedisError

        self._client = client
        self._namespace = namespace
        self._lock_ttl = lock_ttl
        self._clock = clock
        self._owns_client = False
        self._failures: tuple[type[BaseException], ...] = (
            RedisError,
            OSError,
            asyncio.TimeoutError,
        )
        self._release_failures: tuple[type[BaseException], ...] = (LockError, *self._failures)
        self._discard_script = client.register_script(_DISCARD_IF_CURRENT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        timeout: float = 0.5,
        namespace: str = DEFAULT_NAMESPACE,
        lock_ttl: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> RedisTokenCache:
        """A cache on a client of its own for `url` (e.g. `redis://127.0.0.1:6379/0`).

        `timeout` bounds connecting and each command, in seconds.
        """
        if not math.isfinite(timeout) or timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        try:
            from redis.asyncio import Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
        except ImportError:
            raise MissingExtraError(
                feature="a token cache shared through Redis", package="redis", extra="redis"
            ) from None
        client = Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        cache = cls(client, namespace=namespace, lock_ttl=lock_ttl, clock=clock)
        cache._owns_client = True
        return cache

    def __repr__(self) -> str:
        kwargs = self._client.connection_pool.connection_kwargs
        where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"
        return f"RedisTokenCache({where}, namespace={self._namespace!r})"

    async def aclose(self) -> None:
        """Close the client if this cache made it (`from_url`)."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> RedisTokenCache:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    def token_key(self, app_key: str) -> str:
        """The Redis key holding `app_key`'s token."""
        return f"{self._namespace}:token:{app_key}"

    def lock_key(self, app_key: str) -> str:
        """The Redis key held while one process fetches `app_key`'s token."""
        return f"{self._namespace}:token-lock:{app_key}"

    async def load(self, app_key: str) -> CachedToken | None:
        try:
            raw = await self._client.hgetall(self.token_key(app_key))
        except self._failures as error:
            raise self._unavailable("load", error) from error
        return _parse_entry(raw)

    async def store(self, app_key: str, token: CachedToken) -> None:
        ttl_ms = math.floor((token.expires_at - self._clock()) * 1000)
        if ttl_ms <= 0:
            return
        key = self.token_key(app_key)
        mapping: dict[FieldT, EncodableT] = {
            "token": token.value,
            "expires_at": repr(token.expires_at),
            "lifetime": repr(token.lifetime),
        }
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.delete(key)
                pipe.hset(key, mapping=mapping)
                pipe.pexpire(key, ttl_ms)
                await pipe.execute()
        except self._failures as error:
            raise self._unavailable("store", error) from error

    async def discard(self, app_key: str, value: str) -> None:
        try:
            await self._discard_script(keys=[self.token_key(app_key)], args=[value])
        except self._failures as error:
            raise self._unavailable("discard", error) from error

    @asynccontextmanager
    async def lock(self, app_key: str) -> AsyncIterator[bool]:
        lock = self._client.lock(
            self.lock_key(app_key), timeout=self._lock_ttl, blocking=False, thread_local=False
        )
        try:
            acquired = bool(await lock.acquire(blocking=False))
        except self._failures as error:
            raise self._unavailable("lock", error) from error
        try:
            yield acquired
        finally:
            if acquired:
                await self._release(lock)

    async def _release(self, lock: Any) -> None:
        """Let go of the fetch lock; if that fails, its TTL frees it."""
        try:
            await lock.release()
        except self._release_failures as error:
            logger.debug("could not release the token lock (%s)", type(error).__name__)

    def _unavailable(self, operation: str, error: BaseException) -> TokenCacheError:
        # Only the type: a driver's message may carry connection details.
        return TokenCacheError(f"{self!r}: {operation} failed ({type(error).__name__})")


def _parse_entry(raw: dict[Any, Any]) -> CachedToken | None:
    """An entry read back from Redis, or None if it is missing or unreadable."""
    fields = {
        (k.decode() if isinstance(k, bytes) else str(k)): (
            v.decode() if isinstance(v, bytes) else str(v)
        )
        for k, v in raw.items()
    }
    try:
        return CachedToken(
            value=fields["token"],
            expires_at=float(fields["expires_at"]),
            lifetime=float(fields["lifetime"]),
        )
    except (KeyError, ValueError, TypeError):
        return None

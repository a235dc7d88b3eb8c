"""Sharing through Redis across a fleet of processes: `RedisTokenCache` and `RedisPacer`,
and `RedisBacked`, which `fleet_budget.RedisBudget` and `fleet_stream.RedisStreamDedup`
stand on too.

Each stands on `RedisBacked`: a `redis.asyncio.Redis` the caller passes (and
keeps owning), or one `from_url()` makes with `redis_client()`, and closes.
That client has connect and socket timeouts and no retries on every redis-py
the `redis` extra allows (redis-py 5 sets no timeouts by default), so a dead
or frozen (SIGSTOPped) Redis costs each call a bounded time and becomes a
typed error: `TokenCacheError` for the cache, after which the provider
fetches on its own; `PacingError` (not sent) for the pacer, which never lets
a call go without a slot, so no outage pushes the fleet over its rate.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import MissingExtraError, PacingError
from .pacing import check_rate, pacer_key, spacing_for
from .token_cache import DEFAULT_NAMESPACE, CachedToken, TokenCacheError

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.typing import EncodableT, FieldT

__all__ = [
    "DEFAULT_TIMEOUT",
    "RESERVE_SCRIPT",
    "RedisBacked",
    "RedisPacer",
    "RedisTokenCache",
]

logger = logging.getLogger("dingtalk_im_async.fleet")

#: Seconds `from_url()` clients allow for connecting and for each command.
DEFAULT_TIMEOUT = 0.5

_SelfT = TypeVar("_SelfT", bound="RedisBacked")


def redis_client(url: str, *, timeout: float, feature: str) -> Redis:
    """A client for `url` that gives up after `timeout` seconds per connect or command.

    No retries: the callers decide what a failure means (the cache fetches
    alone, the pacer refuses the call) instead of waiting through retries.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError("timeout must be a number of seconds")
    if not math.isfinite(timeout) or timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")
    try:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError:
        raise MissingExtraError(feature=feature, package="redis", extra="redis") from None
    return Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


class RedisBacked:
    """Holds the Redis client of a fleet-wide object; closes it only if it made it."""

    def __init__(self, client: Redis) -> None:
        from redis.exceptions import RedisError

        self._client = client
        self._owns_client = False
        #: What an unreachable, frozen or failing Redis raises through redis-py.
        self._failures: tuple[type[BaseException], ...] = (
            RedisError,
            OSError,
            asyncio.TimeoutError,
        )

    def _own(self: _SelfT) -> _SelfT:
        self._owns_client = True
        return self

    def _where(self) -> str:
        """host:port/db of the client, never its password."""
        kwargs = self._client.connection_pool.connection_kwargs
        return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"

    async def aclose(self) -> None:
        """Close the client if this object made it (`from_url`)."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self: _SelfT) -> _SelfT:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


# -- the token cache --------------------------------------------------------------------

# Compare-and-delete must be atomic, or a late discard could drop a peer's fresh token.
_DISCARD_IF_CURRENT = """
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisTokenCache(RedisBacked):
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
        from redis.exceptions import LockError

        super().__init__(client)
        self._namespace = namespace
        self._lock_ttl = lock_ttl
        self._clock = clock
        self._release_failures: tuple[type[BaseException], ...] = (LockError, *self._failures)
        self._discard_script = client.register_script(_DISCARD_IF_CURRENT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        namespace: str = DEFAULT_NAMESPACE,
        lock_ttl: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> RedisTokenCache:
        """A cache on a client of its own for `url` (e.g. `redis://127.0.0.1:6379/0`).

        `timeout` bounds connecting and each command, in seconds.
        """
        client = redis_client(url, timeout=timeout, feature="a token cache shared through Redis")
        return cls(client, namespace=namespace, lock_ttl=lock_ttl, clock=clock)._own()

    def __repr__(self) -> str:
        return f"RedisTokenCache({self._where()}, namespace={self._namespace!r})"

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


# -- the pacer --------------------------------------------------------------------------

#: KEYS[1]: when the fleet may send next (µs, Redis clock); ARGV[1]: spacing in µs.
#: Returns how many µs the caller must wait before sending.
RESERVE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local spacing = tonumber(ARGV[1])
local send_at = math.max(tonumber(redis.call('GET', KEYS[1]) or 0), now)
local ttl_ms = math.ceil((send_at + spacing - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%d', send_at + spacing), 'PX', ttl_ms)
return send_at - now
"""


class RedisPacer(RedisBacked):
    """Paces calls across processes through Redis (extra `redis`).

    Each call reserves the next free send time in Redis and sleeps until it:
    the key holds when the fleet may send next, and one atomic script reads
    and advances it on the Redis server's clock (so machines agree on time).
    Calls are spaced `spacing_for(rate)` apart across the fleet, in the order
    they asked, one round trip each. (`limits`' windows are whole seconds on
    each client's clock and allow bursts that straddle DingTalk's windows.)

    Give every worker of one app the same `app_key` and `rate`: each API is
    paced under its own key, `pacing.pacer_key(app_key, api)`, as DingTalk
    counts. (`key=` instead pins one key for every API.) Pass a
    `redis.asyncio.Redis` you own, or use `RedisPacer.from_url(...)` as an
    async context manager, which closes the client it made. When Redis
    cannot give a slot (down, frozen, failing) `wait()` raises `PacingError`:
    the call is not sent, and never sent unpaced.
    """

    def __init__(
        self, client: Redis, *, rate: float, app_key: str | None = None, key: str | None = None
    ) -> None:
        self.rate = check_rate(rate)
        self.app_key, self.key = _check_keys(app_key, key)
        super().__init__(client)
        self._keys: dict[str, str] = {}
        self._spacing_us = max(1, round(spacing_for(self.rate) * 1_000_000))
        self._reserve: Any = client.register_script(RESERVE_SCRIPT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        rate: float,
        app_key: str | None = None,
        key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> RedisPacer:
        """A pacer with its own client for `url` (e.g. `redis://host:6379/0`); close it after.

        `timeout` bounds connecting and each reservation, in seconds.
        """
        check_rate(rate)
        _check_keys(app_key, key)
        client = redis_client(url, timeout=timeout, feature="a pacer shared through Redis")
        return cls(client, rate=rate, app_key=app_key, key=key)._own()

    def __repr__(self) -> str:
        keyed = f"key={self.key!r}" if self.key is not None else f"app_key={self.app_key!r}"
        return f"RedisPacer(rate={self.rate!r}, {keyed})"

    def key_for(self, api: str) -> str:
        """The Redis key that paces `api`."""
        if self.key is not None:
            return self.key
        key = self._keys.get(api)
        if key is None:
            key = self._keys[api] = pacer_key(str(self.app_key), api)
        return key

    async def wait(self, api: str) -> None:
        try:
            delay_us = int(await self._reserve(keys=[self.key_for(api)], args=[self._spacing_us]))
        except self._failures as error:
            # Only the type: a driver's message may carry connection details.
            raise PacingError(
                f"{self!r} on {self._where()} could not reserve a slot for {api} "
                f"({type(error).__name__}); the call was not sent"
            ) from error
        if delay_us > 0:
            await asyncio.sleep(delay_us / 1_000_000)


def _check_keys(app_key: str | None, key: str | None) -> tuple[str | None, str | None]:
    if (app_key is None) == (key is None):
        raise ValueError("give app_key (one key per API, the usual) or key (one for all)")
    for name, value in (("app_key", app_key), ("key", key)):
        if value is not None and (not isinstance(value, str) or not value):
            raise ValueError(f"{name} must be a non-empty string")
    return app_key, key


# -- Stream de-duplication across a fleet -------------------------------------------------

#: KEYS: the claim, the seen key; ARGV: the claimant's token, the claim's TTL in ms.

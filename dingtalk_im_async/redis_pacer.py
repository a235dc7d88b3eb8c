"""`RedisPacer`: one rate shared by every process and machine that uses the same Redis key.

Each call reserves the next free send time in Redis and sleeps until it:
the key holds when the fleet may send next, and one atomic script both
reads and advances it, on the Redis server's clock (so workers on several
machines agree on time). Calls are spaced `1 / rate` apart across the whole
fleet (`spacing_for(rate)`, headroom included), in the order they asked,
with one round trip each and no polling.

Why a script of our own: `limits` (the usual library for Redis rate limits)
offers fixed, moving and sliding windows of whole seconds measured on each
client's clock. Its moving window lets `rate` calls through at once and then
makes callers poll; those bursts straddle DingTalk's one-second windows and
draw 403s. Even spacing needs a sub-second reservation, which is these few
lines (a generic cell rate algorithm with no burst allowance).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .errors import MissingExtraError
from .pacing import check_rate, pacer_key, spacing_for

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RESERVE_SCRIPT", "RedisPacer"]

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


class RedisPacer:
    """Paces calls across processes through Redis (extra `redis`).

    Give every worker of one app the same `app_key` and `rate`: each API is
    paced under its own key, `pacing.pacer_key(app_key, api)`, as DingTalk
    counts. (`key=` instead pins one key for every API.) Pass a
    `redis.asyncio.Redis` you own, or use `RedisPacer.from_url(...)` as an
    async context manager, which closes the client it made.
    """

    def __init__(
        self, client: Redis, *, rate: float, app_key: str | None = None, key: str | None = None
    ) -> None:
        self.rate = check_rate(rate)
        self.app_key, self.key = _check_keys(app_key, key)
        self._keys: dict[str, str] = {}
        self._spacing_us = max(1, round(spacing_for(self.rate) * 1_000_000))
        self._client = client
        self._owns_client = False
        self._reserve: Any = client.register_script(RESERVE_SCRIPT)

    @classmethod
    def from_url(
        cls, url: str, *, rate: float, app_key: str | None = None, key: str | None = None
    ) -> RedisPacer:
        """A pacer with its own client for `url` (e.g. `redis://host:6379/0`); close it after."""
        check_rate(rate)
        _check_keys(app_key, key)
        try:
            from redis.asyncio import Redis
        except ImportError:
            raise MissingExtraError(
                feature="a pacer shared through Redis", package="redis", extra="redis"
            ) from None
        pacer = cls(Redis.from_url(url), rate=rate, app_key=app_key, key=key)
        pacer._owns_client = True
        return pacer

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
        delay_us = int(await self._reserve(keys=[self.key_for(api)], args=[self._spacing_us]))
        if delay_us > 0:
            await asyncio.sleep(delay_us / 1_000_000)

    async def aclose(self) -> None:
        """Close the Redis client if this pacer made it (`from_url`)."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> RedisPacer:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


def _check_keys(app_key: str | None, key: str | None) -> tuple[str | None, str | None]:
    if (app_key is None) == (key is None):
        raise ValueError("give app_key (one key per API, the usual) or key (one for all)")
    for name, value in (("app_key", app_key), ("key", key)):
        if value is not None and (not isinstance(value, str) or not value):
            raise ValueError(f"{name} must be a non-empty string")
    return app_key, key

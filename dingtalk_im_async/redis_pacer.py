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
from .pacing import check_rate, spacing_for

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

    Give every worker of one app the same `key` (e.g. one per app key and
    API) and the same `rate`. Pass a `redis.asyncio.Redis` you own, or use
    `RedisPacer.from_url(...)` as an async context manager, which closes
    the client it made.
    """

    def __init__(self, client: Redis, *, rate: float, key: str) -> None:
        self.rate = check_rate(rate)
        self.key = _check_key(key)
        self._spacing_us = max(1, round(spacing_for(self.rate) * 1_000_000))
        self._client = client
        self._owns_client = False
        self._reserve: Any = client.register_script(RESERVE_SCRIPT)

    @classmethod
    def from_url(cls, url: str, *, rate: float, key: str) -> RedisPacer:
        """A pacer with its own client for `url` (e.g. `redis://host:6379/0`); close it after."""
        check_rate(rate)
        _check_key(key)
        try:
            from redis.asyncio import Redis
        except ImportError:
            raise MissingExtraError(
                feature="a pacer shared through Redis", package="redis", extra="redis"
            ) from None
        pacer = cls(Redis.from_url(url), rate=rate, key=key)
        pacer._owns_client = True
        return pacer

    def __repr__(self) -> str:
        return f"RedisPacer(rate={self.rate!r}, key={self.key!r})"

    async def wait(self) -> None:
        delay_us = int(await self._reserve(keys=[self.key], args=[self._spacing_us]))
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


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string")
    return key

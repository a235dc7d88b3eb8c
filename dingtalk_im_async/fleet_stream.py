"""`RedisStreamDedup`: each Stream message or event handled once across a fleet of bot
instances, through Redis.

It stands on `fleet.RedisBacked` like the token cache and the pacer: a
`redis.asyncio.Redis` the caller passes (and keeps owning), or one `from_url()`
makes, with timeouts and no retries, so a dead or frozen Redis costs each item a
bounded time and becomes `FleetDedupError`, after which the item is handled
anyway (at least once: never lost).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ._core.fleet_dedup import Claim, FleetDedup, FleetDedupError
from .fleet import DEFAULT_TIMEOUT, RedisBacked, redis_client
from .token_cache import DEFAULT_NAMESPACE

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisStreamDedup"]

_CLAIM_SCRIPT = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 'seen' end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'claimed' end
return 'busy'
"""
#: KEYS: the claim, the seen key; ARGV: the token, the seen key's TTL in ms.
_DONE_SCRIPT = """
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""
#: KEYS: the claim; ARGV: the token. A claim that expired and was taken by another stays.
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
#: KEYS: the claim; ARGV: the token, the TTL in ms.
_REFRESH_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class RedisStreamDedup(RedisBacked, FleetDedup):
    """Stream items handled once across a fleet of listeners, through Redis (extra `redis`).

    Give it to every instance's `StreamClient(fleet_dedup=...)`. Per item
    (`msg:<msgId>` or `event:<eventId>`), two keys, both expiring, so Redis holds
    at most `seen_ttl` seconds' worth of items: the claim
    `<namespace>:stream-claim:<app_key>:<id>` (`SET NX PX claim_ttl`, held while
    the handler runs and refreshed every `claim_ttl / 3`), and
    `<namespace>:stream-seen:<app_key>:<id>` (`seen_ttl`), written only after the
    handler succeeded. Claiming checks both in one script. Every Redis failure is
    `FleetDedupError` (the client then handles the item anyway, never loses it).
    """

    def __init__(
        self,
        client: Redis,
        *,
        app_key: str,
        namespace: str = DEFAULT_NAMESPACE,
        claim_ttl: float = 30.0,
        seen_ttl: float = 3600.0,
    ) -> None:
        if not app_key or not isinstance(app_key, str):
            raise ValueError("app_key must be a non-empty string")
        if not namespace or not isinstance(namespace, str):
            raise ValueError("namespace must be a non-empty string")
        for name, value in (("claim_ttl", claim_ttl), ("seen_ttl", seen_ttl)):
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number of seconds")
        super().__init__(client)
        self.app_key = app_key
        self.namespace = namespace
        self.claim_ttl = float(claim_ttl)
        self.seen_ttl = float(seen_ttl)
        self._claim_ms = max(1, round(claim_ttl * 1000))
        self._seen_ms = max(1, round(seen_ttl * 1000))
        self._claim: Any = client.register_script(_CLAIM_SCRIPT)
        self._done: Any = client.register_script(_DONE_SCRIPT)
        self._release: Any = client.register_script(_RELEASE_SCRIPT)
        self._refresh: Any = client.register_script(_REFRESH_SCRIPT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        app_key: str,
        namespace: str = DEFAULT_NAMESPACE,
        claim_ttl: float = 30.0,
        seen_ttl: float = 3600.0,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> RedisStreamDedup:
        """A de-duplicator with its own client for `url`; `timeout` bounds each command."""
        client = redis_client(url, timeout=timeout, feature="Stream de-duplication through Redis")
        return cls(
            client, app_key=app_key, namespace=namespace, claim_ttl=claim_ttl, seen_ttl=seen_ttl
        )._own()

    def __repr__(self) -> str:
        return f"RedisStreamDedup(app_key={self.app_key!r}, namespace={self.namespace!r})"

    def claim_key(self, key: str) -> str:
        """The Redis key of `key`'s claim."""
        return f"{self.namespace}:stream-claim:{self.app_key}:{key}"

    def seen_key(self, key: str) -> str:
        """The Redis key saying `key` was handled."""
        return f"{self.namespace}:stream-seen:{self.app_key}:{key}"

    async def claim(self, key: str, token: str) -> Claim:
        keys = [self.claim_key(key), self.seen_key(key)]
        found = await self._run("claim", self._claim, keys, [token, self._claim_ms])
        return Claim(found.decode() if isinstance(found, bytes) else str(found))

    async def done(self, key: str, token: str) -> None:
        keys = [self.claim_key(key), self.seen_key(key)]
        await self._run("done", self._done, keys, [token, self._seen_ms])

    async def release(self, key: str, token: str) -> None:
        await self._run("release", self._release, [self.claim_key(key)], [token])

    async def refresh(self, key: str, token: str) -> None:
        await self._run("refresh", self._refresh, [self.claim_key(key)], [token, self._claim_ms])

    async def _run(self, operation: str, script: Any, keys: list[str], args: list[Any]) -> Any:
        try:
            return await script(keys=keys, args=args)
        except self._failures as error:
            # Only the type: a driver's message may carry connection details.
            raise FleetDedupError(
                f"{self!r} on {self._where()}: {operation} failed ({type(error).__name__})"
            ) from error

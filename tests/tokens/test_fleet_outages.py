"""Redis outages: a frozen (SIGSTOP) or dead redis-server gives typed errors in bounded time.

The pacer never lets a call through without a slot: when Redis cannot say
when the fleet may send, the call is not sent (`PacingError`, verdict not
sent), so no outage can push the fleet over its rate. The token cache
degrades instead: the provider fetches on its own.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import aiohttp
import pytest

from dingtalk_im_async import (
    CachedToken,
    CreateGroupRequest,
    GroupService,
    RedisPacer,
    RedisTokenCache,
    TokenCacheError,
)
from dingtalk_im_async.errors import PacingError, Verdict
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.redis_server import RedisServer, started_redis_server

#: Every outage test must end within this many seconds; a hang fails instead of stalling.
BOUND = 10.0


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own: freezing or killing it touches no other test."""
    with started_redis_server() as server:
        yield server


def requests(count: int) -> list[CreateGroupRequest]:
    return [CreateGroupRequest(name=f"g{n}", owner="o", useridlist=["u"]) for n in range(count)]


async def paced_outcomes(groups: GroupService, pacer: RedisPacer, count: int) -> list[object]:
    async def run() -> list[object]:
        async with groups.create_many(requests(count), pacer=pacer) as outcomes:
            return [outcome.error or outcome.result async for outcome in outcomes]

    return await asyncio.wait_for(run(), BOUND)


@pytest.mark.parametrize("outage", ["frozen", "dead"])
async def test_a_redis_outage_fails_paced_creates_as_not_sent_and_sends_nothing(
    outage: str,
    private_redis: RedisServer,
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
) -> None:
    groups = GroupService(
        session, app_provider(emulator, session), base_url=emulator.base_url, retry=INSTANT_RETRIES
    )
    key = f"test-outage:{uuid.uuid4().hex}"
    async with RedisPacer.from_url(private_redis.url, rate=20, key=key) as pacer:
        warm_up = await paced_outcomes(groups, pacer, 1)  # a pooled connection exists
        assert emulator.calls("im.group.create") == 1, warm_up
        if outage == "frozen":
            private_redis.freeze()
        else:
            private_redis.kill()
        started = time.monotonic()
        outcomes = await paced_outcomes(groups, pacer, 5)
        elapsed = time.monotonic() - started
        if outage == "frozen":
            private_redis.thaw()
    assert all(isinstance(outcome, PacingError) for outcome in outcomes), outcomes
    assert {outcome.verdict for outcome in outcomes if isinstance(outcome, PacingError)} == {
        Verdict.NOT_SENT
    }
    assert emulator.calls("im.group.create") == 1, "no create may go out without a pacing slot"
    assert elapsed < 5
    assert key not in str(outcomes[0]) or "redis" in str(outcomes[0]).lower()


async def test_a_thawed_redis_paces_again(
    private_redis: RedisServer, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = GroupService(
        session, app_provider(emulator, session), base_url=emulator.base_url, retry=INSTANT_RETRIES
    )
    async with RedisPacer.from_url(private_redis.url, rate=20, key=uuid.uuid4().hex) as pacer:
        private_redis.freeze()
        try:
            frozen = await paced_outcomes(groups, pacer, 2)
        finally:
            private_redis.thaw()
        thawed = await paced_outcomes(groups, pacer, 3)
    assert all(isinstance(outcome, PacingError) for outcome in frozen)
    assert not any(isinstance(outcome, Exception) for outcome in thawed), thawed
    assert emulator.calls("im.group.create") == 3


async def test_a_frozen_redis_token_cache_fails_fast_with_its_own_error(
    private_redis: RedisServer,
) -> None:
    async with RedisTokenCache.from_url(private_redis.url, timeout=0.2) as cache:
        await cache.store("app", CachedToken(value="t", expires_at=time.time() + 60, lifetime=60))
        private_redis.freeze()
        try:
            started = time.monotonic()
            with pytest.raises(TokenCacheError):
                await asyncio.wait_for(cache.load("app"), BOUND)
            assert time.monotonic() - started < 2
        finally:
            private_redis.thaw()
        assert await cache.load("app") is not None


async def test_a_pacer_on_a_caller_owned_client_wraps_redis_failures(
    private_redis: RedisServer, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(private_redis.url)
    groups = GroupService(
        session, app_provider(emulator, session), base_url=emulator.base_url, retry=INSTANT_RETRIES
    )
    async with RedisPacer(client, rate=20, key=uuid.uuid4().hex) as pacer:
        private_redis.kill()
        outcomes = await paced_outcomes(groups, pacer, 2)
    await client.aclose()
    assert all(isinstance(outcome, PacingError) for outcome in outcomes), outcomes
    assert emulator.calls("im.group.create") == 0


def test_the_redis_classes_keep_their_public_import_paths() -> None:
    """`RedisTokenCache` is imported from the package (or `fleet`): `token_cache` no longer
    re-exports it, since `fleet` builds on `token_cache` and the layers form a DAG."""
    import dingtalk_im_async
    from dingtalk_im_async import fleet, token_cache

    with pytest.warns(DeprecationWarning, match="dingtalk_im_async.fleet"):
        from dingtalk_im_async.redis_pacer import RedisPacer as OldPacer

    assert OldPacer is fleet.RedisPacer is dingtalk_im_async.RedisPacer
    assert fleet.RedisTokenCache is dingtalk_im_async.RedisTokenCache
    assert issubclass(OldPacer, fleet.RedisBacked)
    assert issubclass(fleet.RedisTokenCache, fleet.RedisBacked)
    assert not hasattr(token_cache, "RedisTokenCache")

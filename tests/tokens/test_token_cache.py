"""Token caches against a real redis-server: storage, the fleet lock, and outages."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from redis.asyncio import Redis

from dingtalk_im_async import (
    CachedToken,
    CreateGroupRequest,
    GroupService,
    MemoryTokenCache,
    MissingExtraError,
    RedisTokenCache,
    TokenCache,
    TokenCacheError,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.redis_server import free_port, running_redis_server
from tests.support.token_helpers import (
    INSTANT_RETRIES,
    FakeClock,
    eventually,
    pending_provider_tasks,
    provider_for,
)

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])
APP = "dingtestapp"


@pytest.fixture(autouse=True)
async def no_provider_task_left() -> AsyncIterator[None]:
    yield
    assert pending_provider_tasks() == []


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def namespace(redis_client: Redis) -> AsyncIterator[str]:
    """A namespace of this test's own; its keys are deleted afterwards."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    keys = [key async for key in redis_client.scan_iter(match=f"{name}:*")]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture
async def redis_cache(redis_url: str, namespace: str) -> AsyncIterator[RedisTokenCache]:
    async with RedisTokenCache.from_url(redis_url, namespace=namespace) as cache:
        yield cache


def entry(value: str = "token-value", *, ttl: float = 100.0) -> CachedToken:
    return CachedToken(value=value, expires_at=time.time() + ttl, lifetime=7200)


# -- the caches themselves ---------------------------------------------------------


async def test_redis_stores_token_and_expiry_under_a_namespaced_key_with_matching_ttl(
    redis_cache: RedisTokenCache, redis_client: Redis, namespace: str
) -> None:
    stored = entry(ttl=100)
    await redis_cache.store(APP, stored)
    assert await redis_cache.load(APP) == stored
    key = f"{namespace}:token:{APP}"
    assert redis_cache.token_key(APP) == key
    assert await redis_client.hget(key, "token") == b"token-value"
    assert 98_000 < await redis_client.pttl(key) <= 100_000
    assert await redis_cache.load("another-app") is None


async def test_redis_discard_only_drops_the_matching_token(
    redis_cache: RedisTokenCache,
) -> None:
    await redis_cache.store(APP, entry("fresh"))
    await redis_cache.discard(APP, "stale")
    loaded = await redis_cache.load(APP)
    assert loaded is not None
    assert loaded.value == "fresh"
    await redis_cache.discard(APP, "fresh")
    assert await redis_cache.load(APP) is None


async def test_redis_lock_is_exclusive_expires_and_is_released(
    redis_url: str, namespace: str, redis_client: Redis
) -> None:
    async with RedisTokenCache.from_url(redis_url, namespace=namespace, lock_ttl=5) as cache:
        async with cache.lock(APP) as first:
            assert first is True
            assert 4_000 < await redis_client.pttl(cache.lock_key(APP)) <= 5_000
            async with cache.lock(APP) as second:
                assert second is False
        assert await redis_client.exists(cache.lock_key(APP)) == 0
        await redis_client.set(cache.lock_key(APP), "a peer that died", px=100)
        async with cache.lock(APP) as while_held:
            assert while_held is False
        await asyncio.sleep(0.15)
        async with cache.lock(APP) as after_expiry:
            assert after_expiry is True


async def test_an_unreadable_redis_entry_counts_as_missing(
    redis_cache: RedisTokenCache, redis_client: Redis
) -> None:
    await redis_client.hset(redis_cache.token_key(APP), mapping={"token": "t", "expires_at": "x"})
    assert await redis_cache.load(APP) is None


async def test_a_caller_owned_client_with_decoded_responses_works(
    redis_url: str, namespace: str
) -> None:
    client = Redis.from_url(redis_url, decode_responses=True)
    cache = RedisTokenCache(client, namespace=namespace)
    stored = entry()
    await cache.store(APP, stored)
    assert await cache.load(APP) == stored
    await cache.aclose()
    assert await client.ping() is True  # not closed: the caller owns it
    await client.aclose()


async def test_memory_cache_expires_discards_and_locks() -> None:
    clock = FakeClock()
    cache = MemoryTokenCache(clock=clock.time)
    assert isinstance(cache, TokenCache)
    await cache.store(APP, CachedToken(value="t", expires_at=clock.time() + 10, lifetime=20))
    await cache.discard(APP, "other")
    assert (await cache.load(APP)) is not None
    clock.advance(10)
    assert await cache.load(APP) is None
    async with cache.lock(APP) as first, cache.lock(APP) as second:
        assert (first, second) == (True, False)
    async with cache.lock(APP) as again:
        assert again is True


async def test_an_unreachable_redis_raises_token_cache_error() -> None:
    async with RedisTokenCache.from_url(f"redis://127.0.0.1:{free_port()}/0") as cache:
        assert isinstance(cache, TokenCache)
        for operation in (
            cache.load(APP),
            cache.store(APP, entry()),
            cache.discard(APP, "t"),
        ):
            with pytest.raises(TokenCacheError):
                await operation
        with pytest.raises(TokenCacheError):
            async with cache.lock(APP):
                pass


def test_redis_cache_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        RedisTokenCache.from_url("redis://127.0.0.1:1/0", timeout=0)
    with pytest.raises(ValueError):
        RedisTokenCache.from_url("redis://127.0.0.1:1/0", namespace="")
    with pytest.raises(ValueError):
        RedisTokenCache.from_url("redis://127.0.0.1:1/0", lock_ttl=-1)


def test_redis_cache_repr_hides_the_password() -> None:
    cache = RedisTokenCache.from_url("redis://:hunter2-secret@127.0.0.1:6390/2")
    assert "hunter2-secret" not in repr(cache)
    assert "127.0.0.1:6390/2" in repr(cache)


# -- providers sharing a Redis cache --------------------------------------------------


async def test_1000_concurrent_creates_through_redis_fetch_one_token(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    redis_cache: RedisTokenCache,
    redis_client: Redis,
) -> None:
    async with provider_for(emulator, session, cache=redis_cache) as provider:
        service = GroupService(
            session, provider, base_url=emulator.base_url, retry=INSTANT_RETRIES, rate_limit=None
        )
        await asyncio.gather(*(service.create(REQUEST) for _ in range(1000)))
    assert emulator.token_fetches == 1
    assert len(emulator.groups) == 1000
    ttl = await redis_client.pttl(redis_cache.token_key(emulator.app_key))
    assert 7_100_000 < ttl <= 7_200_000


async def test_providers_on_separate_clients_share_one_fetch(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, redis_url: str, namespace: str
) -> None:
    async with (
        RedisTokenCache.from_url(redis_url, namespace=namespace) as cache_a,
        RedisTokenCache.from_url(redis_url, namespace=namespace) as cache_b,
        provider_for(emulator, session, cache=cache_a) as first,
        provider_for(emulator, session, cache=cache_b) as second,
    ):
        tokens = await asyncio.gather(*(p.get_token() for _ in range(50) for p in (first, second)))
    assert len(set(tokens)) == 1
    assert emulator.token_fetches == 1


async def test_a_waiter_polls_while_a_peer_holds_the_lock_then_reads_its_token(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    redis_cache: RedisTokenCache,
    redis_client: Redis,
) -> None:
    lock_key = redis_cache.lock_key(emulator.app_key)
    await redis_client.set(lock_key, "peer", px=30_000)
    async with provider_for(emulator, session, cache=redis_cache, peer_wait=30) as provider:
        waiting = asyncio.create_task(provider.get_token())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        assert emulator.token_fetches == 0
        peer_token = emulator.issue_token()  # what the peer fetched
        await redis_cache.store(emulator.app_key, entry(peer_token, ttl=7000))
        await redis_client.delete(lock_key)
        assert await waiting == peer_token
    assert emulator.token_fetches == 0


async def test_when_the_lock_holder_fails_a_waiter_takes_over(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    redis_cache: RedisTokenCache,
    redis_client: Redis,
) -> None:
    lock_key = redis_cache.lock_key(emulator.app_key)
    await redis_client.set(lock_key, "peer", px=30_000)
    async with provider_for(emulator, session, cache=redis_cache, peer_wait=30) as provider:
        waiting = asyncio.create_task(provider.get_token())
        await asyncio.sleep(0.1)
        await redis_client.delete(lock_key)  # the peer gave up without storing a token
        assert await waiting == emulator.issue_token()
    assert emulator.token_fetches == 1


async def test_a_lock_held_too_long_is_waited_out_with_a_warning(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    redis_cache: RedisTokenCache,
    redis_client: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await redis_client.set(redis_cache.lock_key(emulator.app_key), "stuck", px=30_000)
    async with provider_for(emulator, session, cache=redis_cache, peer_wait=0.2) as provider:
        assert await provider.get_token() == emulator.issue_token()
    assert emulator.token_fetches == 1
    assert "held the token lock" in caplog.text


async def test_a_late_invalidate_by_a_peer_keeps_the_fresh_token_in_redis(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, redis_url: str, namespace: str
) -> None:
    async with (
        RedisTokenCache.from_url(redis_url, namespace=namespace) as cache_a,
        RedisTokenCache.from_url(redis_url, namespace=namespace) as cache_b,
        provider_for(emulator, session, cache=cache_a) as first,
        provider_for(emulator, session, cache=cache_b) as second,
    ):
        old = await first.get_token()
        assert await second.get_token() == old
        emulator.revoke_tokens()
        await first.invalidate(old)
        fresh = await first.get_token()
        await second.invalidate(old)
        shared = await cache_b.load(emulator.app_key)
        assert shared is not None
        assert shared.value == fresh
        assert await second.get_token() == fresh
    assert emulator.token_fetches == 2


async def test_a_peers_proactive_refresh_is_adopted_without_another_fetch(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, redis_url: str, namespace: str
) -> None:
    clock = FakeClock()
    clock.wall = time.time()  # Redis TTLs run on the real wall clock
    async with (
        RedisTokenCache.from_url(redis_url, namespace=namespace, clock=clock.time) as cache_a,
        RedisTokenCache.from_url(redis_url, namespace=namespace, clock=clock.time) as cache_b,
        provider_for(emulator, session, cache=cache_a, clock=clock) as first,
        provider_for(emulator, session, cache=cache_b, clock=clock) as second,
    ):
        token = await first.get_token()
        assert await second.get_token() == token
        clock.advance(6601)
        assert await first.get_token() == token
        await eventually(lambda: emulator.token_fetches == 2)
        await eventually(lambda: not pending_provider_tasks())
        assert await second.get_token() == token
        await eventually(lambda: not pending_provider_tasks())
        clock.advance(600)  # past the first expiry; both hold the renewed token
        assert await first.get_token() == token
        assert await second.get_token() == token
    assert emulator.token_fetches == 2


# -- Redis outages ----------------------------------------------------------------------


async def test_with_redis_down_calls_succeed_and_a_warning_is_logged(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="dingtalk_im_async")
    with running_redis_server() as url:
        cache = RedisTokenCache.from_url(url)
        await cache.load(APP)  # connected while it was up
    async with cache, provider_for(emulator, session, cache=cache) as provider:
        service = GroupService(session, provider, base_url=emulator.base_url, retry=INSTANT_RETRIES)
        await asyncio.gather(*(service.create(REQUEST) for _ in range(20)))
    assert len(emulator.groups) == 20
    assert emulator.token_fetches == 1
    assert "token cache unavailable" in caplog.text
    assert emulator.app_key in caplog.text
    assert emulator.issue_token() not in caplog.text


async def test_redis_going_down_mid_run_never_fails_a_call(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    clock.wall = time.time()
    with running_redis_server() as url:
        cache = RedisTokenCache.from_url(url, clock=clock.time)
        provider = provider_for(emulator, session, cache=cache, clock=clock)
        service = GroupService(session, provider, base_url=emulator.base_url, retry=INSTANT_RETRIES)
        await service.create(REQUEST)
        assert await cache.load(emulator.app_key) is not None
    assert "token cache unavailable" not in caplog.text
    clock.advance(7201)  # expired: the next call must fetch, with Redis gone
    await service.create(REQUEST)
    emulator.revoke_tokens()  # and the invalidate of a refused token must not fail either
    await service.create(REQUEST)
    await provider.close()
    await cache.aclose()
    assert len(emulator.groups) == 3
    assert emulator.token_fetches == 3
    assert caplog.text.count("token cache unavailable") >= 2


async def test_a_late_invalidate_keeps_the_fresh_token_while_redis_is_down(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    async with (
        RedisTokenCache.from_url(f"redis://127.0.0.1:{free_port()}/0") as cache,
        provider_for(emulator, session, cache=cache) as provider,
    ):
        old = await provider.get_token()
        emulator.revoke_tokens()
        await provider.invalidate(old)
        fresh = await provider.get_token()
        await provider.invalidate(old)
        assert await provider.get_token() == fresh
    assert fresh != old
    assert emulator.token_fetches == 2


def test_redis_token_cache_without_redis_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)  # as if the extra were not installed
    with pytest.raises(MissingExtraError, match=r"dingtalk-im-async\[redis\]"):
        RedisTokenCache.from_url("redis://127.0.0.1:1/0")

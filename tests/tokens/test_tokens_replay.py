"""A refused token is invalidated (compare-and-invalidate) and the call replayed once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async import (
    CachedToken,
    CreateGroupRequest,
    GroupService,
    InvalidTokenError,
    MemoryTokenCache,
    StaticTokenProvider,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.token_helpers import INSTANT_RETRIES, pending_provider_tasks, provider_for

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


@pytest.fixture(autouse=True)
async def no_provider_task_left() -> AsyncIterator[None]:
    yield
    assert pending_provider_tasks() == []


async def test_a_revoked_token_is_replaced_and_the_call_replayed(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    await groups.create(REQUEST)
    emulator.revoke_tokens()
    await groups.create(REQUEST)
    assert emulator.token_fetches == 2
    assert emulator.calls("im.group.create") == 3
    assert len(emulator.groups) == 2


async def test_100_concurrent_calls_meeting_a_revoked_token_refetch_once(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    await groups.create(REQUEST)
    emulator.revoke_tokens()
    results = await asyncio.gather(*(groups.create(REQUEST) for _ in range(100)))
    assert emulator.token_fetches == 2
    assert (
        emulator.calls("im.group.create") == 1 + 100 + 100
    )  # every call met the revoked token once
    assert len({r.open_conversation_id for r in results}) == 100
    assert len(emulator.groups) == 101


async def test_a_second_invalid_authentication_raises_invalid_token_error(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    await groups.create(REQUEST)
    emulator.revoke_tokens()
    emulator.fail_next(
        status=400,
        code="InvalidAuthentication",
        message="不合法的access_token",
        api="im.group.create",
    )
    with pytest.raises(InvalidTokenError) as caught:
        await groups.create(REQUEST)
    assert caught.value.code == "InvalidAuthentication"
    assert emulator.token_fetches == 2
    assert emulator.calls("im.group.create") == 3
    assert len(emulator.groups) == 1


async def test_the_replay_is_separate_from_the_system_error_retry(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    await groups.create(REQUEST)
    emulator.revoke_tokens()
    emulator.fail_next(2, status=500, code="system.error", api="im.group.create")
    await groups.create(REQUEST)
    assert emulator.token_fetches == 2
    assert emulator.calls("im.group.create") == 1 + 1 + 3  # refused, then the replay retried twice
    assert len(emulator.groups) == 2


async def test_a_refused_static_token_is_invalid_token_error_without_a_replay(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    service = GroupService(
        session,
        StaticTokenProvider("not-a-valid-token"),
        base_url=emulator.base_url,
        retry=INSTANT_RETRIES,
    )
    with pytest.raises(InvalidTokenError):
        await service.create(REQUEST)
    assert emulator.calls("im.group.create") == 1
    assert emulator.token_fetches == 0


async def test_a_late_invalidate_of_the_old_token_keeps_the_fresh_one(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    async with provider_for(emulator, session) as provider:
        old = await provider.get_token()
        emulator.revoke_tokens()
        await provider.invalidate(old)
        fresh = await provider.get_token()
        assert fresh != old
        await provider.invalidate(old)
        await provider.invalidate("never-issued")
        assert await provider.get_token() == fresh
    assert emulator.token_fetches == 2


async def test_concurrent_invalidations_of_one_token_cause_one_fetch(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    async with provider_for(emulator, session) as provider:
        old = await provider.get_token()
        emulator.revoke_tokens()

        async def refused_then_ask_again() -> str:
            await provider.invalidate(old)
            return await provider.get_token()

        tokens = await asyncio.gather(*(refused_then_ask_again() for _ in range(50)))
    assert len(set(tokens)) == 1
    assert tokens[0] != old
    assert emulator.token_fetches == 2


async def test_a_late_invalidate_by_a_peer_keeps_the_fresh_shared_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    cache = MemoryTokenCache()
    async with (
        provider_for(emulator, session, cache=cache) as first,
        provider_for(emulator, session, cache=cache) as second,
    ):
        old = await first.get_token()
        assert await second.get_token() == old
        emulator.revoke_tokens()
        await first.invalidate(old)
        fresh = await first.get_token()
        await second.invalidate(old)  # the peer learns late that the old token was refused
        shared = await cache.load(emulator.app_key)
        assert shared is not None
        assert shared.value == fresh
        assert await second.get_token() == fresh
    assert emulator.token_fetches == 2


async def test_a_refused_token_still_in_the_shared_cache_is_not_adopted_again(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    cache = MemoryTokenCache()
    async with provider_for(emulator, session, cache=cache) as provider:
        old = await provider.get_token()
        emulator.revoke_tokens()
        await provider.invalidate(old)
        assert await cache.load(emulator.app_key) is None
        # A slow peer writes the refused token back, still apparently valid for an hour.
        await cache.store(
            emulator.app_key, CachedToken(value=old, expires_at=time.time() + 3600, lifetime=7200)
        )
        fresh = await provider.get_token()
    assert fresh != old
    assert emulator.token_fetches == 2

"""Only HTTP 500 `system.error` is retried; everything else fails on the first reply."""

from __future__ import annotations

import asyncio
import random

import aiohttp
import pytest

from dingtalk_im_async import (
    ApiError,
    CreateGroupRequest,
    GroupService,
    RetryPolicy,
    ServerError,
    StaticTokenProvider,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import app_provider

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


async def test_system_error_500_is_retried_until_it_succeeds(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.fail_next(2, status=500, code="system.error", api="im.group.create")
    result = await groups.create(REQUEST)
    assert emulator.calls("im.group.create") == 3
    assert [g.open_conversation_id for g in emulator.groups] == [result.open_conversation_id]


async def test_retries_stop_after_the_configured_attempts(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.fail_next(10, status=500, code="system.error", api="im.group.create")
    with pytest.raises(ServerError):
        await groups.create(REQUEST)
    assert emulator.calls("im.group.create") == 3
    assert emulator.groups == []


async def test_attempts_are_configurable(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    service = GroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        retry=RetryPolicy(attempts=5, initial_wait=0, max_wait=0),
    )
    emulator.fail_next(4, status=500, code="system.error", api="im.group.create")
    await service.create(REQUEST)
    assert emulator.calls("im.group.create") == 5


async def test_retry_waits_do_not_block_the_event_loop(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    random.seed(7)  # tenacity's jitter draws from `random`: make this run's waits repeatable
    service = GroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        retry=RetryPolicy(attempts=4, initial_wait=0.1, max_wait=0.1),
    )
    emulator.fail_next(3, status=500, code="system.error", api="im.group.create")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    loop = asyncio.get_running_loop()
    started = loop.time()
    await service.create(REQUEST)
    elapsed = loop.time() - started
    ticking.cancel()
    assert emulator.calls("im.group.create") == 4
    assert elapsed > 0.05  # it did wait between attempts
    assert ticks >= elapsed / 0.005 / 4  # ...and the loop kept running meanwhile


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "system.error"),
        (500, "system.unknown"),
        (400, "parameter.invalid"),
        (400, "permession.checkFailed"),
        (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"),
        (429, "system.busy"),
    ],
)
async def test_other_errors_are_not_retried(
    groups: GroupService, emulator: DingTalkEmulator, status: int, code: str
) -> None:
    emulator.fail_next(3, status=status, code=code, api="im.group.create")
    with pytest.raises(ApiError) as caught:
        await groups.create(REQUEST)
    assert caught.value.code == code
    assert emulator.calls("im.group.create") == 1


async def test_timeouts_are_not_retried_and_say_the_outcome_is_unknown(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    service = GroupService(
        session, app_provider(emulator, session), base_url=emulator.base_url, timeout=0.2
    )
    emulator.delay_next(1, seconds=2, api="im.group.create")
    with pytest.raises(TransportError) as caught:
        await service.create(REQUEST)
    assert caught.value.verdict is Verdict.UNKNOWN
    assert "may have reached the server" in str(caught.value)
    assert emulator.calls("im.group.create") == 1


async def test_dropped_connections_are_not_retried(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.drop_next(1, api="im.group.create")
    with pytest.raises(TransportError) as caught:
        await groups.create(REQUEST)
    assert caught.value.verdict is Verdict.UNKNOWN
    assert isinstance(caught.value.__cause__, aiohttp.ClientError)
    assert emulator.calls("im.group.create") == 1


async def test_refused_connection_did_not_reach_the_server(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator() as emulator:
        base_url = emulator.base_url
        token = emulator.issue_token()
    service = GroupService(session, StaticTokenProvider(token), base_url=base_url)
    with pytest.raises(TransportError) as caught:
        await service.create(REQUEST)
    assert caught.value.verdict is Verdict.NOT_SENT

"""Pacing lives at the send: every HTTP call to an API takes its slot right before it goes on
the wire, after the token is in hand, so nothing bunches calls into one DingTalk window."""

from __future__ import annotations

import asyncio

import aiohttp

from dingtalk_im_async import CreateGroupRequest, DingTalkClient, GroupService, LocalPacer
from dingtalk_im_async.testing import DingTalkEmulator, Fault, set_testing
from tests.conftest import app_provider

RATE = 20


def request(name: str) -> CreateGroupRequest:
    return CreateGroupRequest(name=name, owner="manager4220", useridlist=["u1"])


def busiest_second(emulator: DingTalkEmulator) -> int:
    return max(emulator.windows("im.group.create").values())


async def test_calls_waiting_for_a_slow_token_do_not_burst_when_it_arrives(
    session: aiohttp.ClientSession,
) -> None:
    """Issue 11: at rate_limit=20, 30 creates went out within one second after a slow fetch."""
    async with DingTalkEmulator(qps_limit=RATE) as emulator:
        emulator.faults_for("oauth2.accessToken").schedule(Fault.SLOW, delay=1.0)
        groups = GroupService(session, app_provider(emulator, session), base_url=emulator.base_url)
        requests = [request(f"slow-{n}") for n in range(40)]
        async with groups.create_many(requests, concurrency=40, rate_limit=RATE) as run:
            outcomes = [outcome async for outcome in run]
    assert all(outcome.ok for outcome in outcomes)
    assert emulator.rate_limited == 0
    assert busiest_second(emulator) <= RATE


async def test_two_hundred_concurrent_handlers_stay_under_the_rate_by_default(
    session: aiohttp.ClientSession,
) -> None:
    """A web service calls `create` from many handlers at once: the service paces them."""
    rate = 50  # a faster edition, so the test is short; the default is 20
    async with DingTalkEmulator(qps_limit=rate) as emulator:
        groups = GroupService(
            session, app_provider(emulator, session), base_url=emulator.base_url, rate_limit=rate
        )
        results = await asyncio.gather(*(groups.create(request(f"h{n}")) for n in range(200)))
    assert len({result.chatid for result in results}) == 200
    assert emulator.rate_limited == 0
    assert busiest_second(emulator) <= rate


async def test_without_pacing_the_same_handlers_exceed_the_rate(
    session: aiohttp.ClientSession,
) -> None:
    """The control for the test above."""
    async with DingTalkEmulator(qps_limit=50) as emulator:
        groups = GroupService(
            session, app_provider(emulator, session), base_url=emulator.base_url, rate_limit=None
        )
        await asyncio.gather(
            *(groups.create(request(f"h{n}")) for n in range(200)), return_exceptions=True
        )
    assert emulator.rate_limited > 0


async def test_retries_and_token_replays_take_a_slot_too() -> None:
    """Every send is paced: first tries, 500 retries and replays after a refused token."""
    async with DingTalkEmulator(qps_limit=RATE) as emulator:
        emulator.faults_for("im.group.create").set_rates(
            {Fault.SYSTEM_ERROR: 0.3, Fault.TOKEN_REVOKED: 0.05}, seed=11
        )
        set_testing(True)  # retries without backoff: only the pacer spaces them
        try:
            async with DingTalkClient(
                app_key=emulator.app_key,
                app_secret=emulator.app_secret,
                base_url=emulator.base_url,
                rate_limit=RATE,
            ) as client:
                await asyncio.gather(
                    *(client.groups.create(request(f"r{n}")) for n in range(40)),
                    return_exceptions=True,
                )
        finally:
            set_testing(False)
    assert emulator.calls("im.group.create") > 45  # retries and replays happened
    assert emulator.rate_limited == 0
    assert busiest_second(emulator) <= RATE


async def test_a_run_may_pace_itself_apart_from_its_service(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator() as emulator:
        groups = GroupService(
            session, app_provider(emulator, session), base_url=emulator.base_url, rate_limit=None
        )
        pacer = LocalPacer(10)
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with groups.create_many([request(f"p{n}") for n in range(6)], pacer=pacer) as run:
            assert all([outcome.ok async for outcome in run])
        assert loop.time() - started >= 5 * 0.1  # 6 calls, 0.1 s apart
        started = loop.time()
        await asyncio.gather(*(groups.create(request(f"u{n}")) for n in range(6)))
        assert loop.time() - started < 0.4  # the service itself is not paced

"""Rate pacing and rate-limit put-backs, judged by the emulator's per-second windows."""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import pytest

from dingtalk_im_async import (
    BulkOutcome,
    BulkRun,
    CreateGroupRequest,
    CreateGroupResult,
    GroupService,
    LocalPacer,
    RateLimitError,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import INSTANT_RETRIES, app_provider

QPS_CODE = "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"


def request(number: int) -> CreateGroupRequest:
    return CreateGroupRequest(name=f"group {number}", owner="owner", useridlist=["user"])


def service(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> GroupService:
    return GroupService(
        session, app_provider(emulator, session), base_url=emulator.base_url, retry=INSTANT_RETRIES
    )


Outcome = BulkOutcome[CreateGroupRequest, CreateGroupResult]


async def drain(run: BulkRun[CreateGroupRequest, CreateGroupResult]) -> list[Outcome]:
    async with run:
        return [outcome async for outcome in run]


async def create_all(
    groups: GroupService,
    count: int,
    *,
    concurrency: int = 10,
    rate_limit: float | LocalPacer | None = None,
    retries: int = 3,
    backoff: float = 1.0,
) -> list[Outcome]:
    pacer = rate_limit if isinstance(rate_limit, LocalPacer) else None
    return await drain(
        groups.create_many(
            map(request, range(count)),
            concurrency=concurrency,
            rate_limit=None if pacer else rate_limit,
            pacer=pacer,
            rate_limited_retries=retries,
            rate_limited_backoff=backoff,
        )
    )


async def test_pacing_keeps_every_server_second_at_or_under_the_rate(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(qps_limit=50) as emulator:
        outcomes = await create_all(
            service(emulator, session), 90, concurrency=20, rate_limit=50, retries=0
        )
    assert len(outcomes) == 90
    assert emulator.rate_limited == 0
    assert len(emulator.groups) == 90
    assert len(emulator.windows("im.group.create")) >= 2, "the run must span several server windows"
    assert max(emulator.windows("im.group.create").values()) <= 50


async def test_without_pacing_the_same_load_is_refused(session: aiohttp.ClientSession) -> None:
    """The control for the test above: it would fail if pacing did nothing."""
    async with DingTalkEmulator(qps_limit=50) as emulator:
        outcomes = await create_all(
            service(emulator, session), 150, concurrency=20, rate_limit=None, retries=0
        )
    refused = [o for o in outcomes if isinstance(o.error, RateLimitError)]
    assert emulator.rate_limited > 0
    assert len(refused) == emulator.rate_limited
    assert max(emulator.windows("im.group.create").values()) > 50


async def test_a_shared_pacer_paces_several_runs_together(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(qps_limit=40) as emulator:
        groups = service(emulator, session)
        pacer = LocalPacer(40)
        first = groups.create_many(map(request, range(40)), pacer=pacer)
        second = groups.create_many(map(request, range(40, 80)), pacer=pacer)
        outcomes = await asyncio.gather(drain(first), drain(second))
    counts = [len(run_outcomes) for run_outcomes in outcomes]
    assert counts == [40, 40]
    assert emulator.rate_limited == 0
    assert max(emulator.windows("im.group.create").values()) <= 40


async def test_a_qps_refusal_is_put_back_and_counted(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.fail_next(
        2, status=403, code=QPS_CODE, message="应用调用该接口的QPS超过限制", api="im.group.create"
    )
    outcomes = await create_all(groups, 3, concurrency=1, rate_limit=None, backoff=0)
    by_index = {o.index: o for o in outcomes}
    assert all(o.ok for o in outcomes)
    assert by_index[0].rate_limited_retries == 2
    assert by_index[1].rate_limited_retries == 0
    assert emulator.calls("im.group.create") == 5
    assert len(emulator.groups) == 3


async def test_put_backs_are_bounded(groups: GroupService, emulator: DingTalkEmulator) -> None:
    emulator.fail_next(5, status=403, code=QPS_CODE, message="QPS", api="im.group.create")
    outcomes = await create_all(
        groups,
        2,
        concurrency=1,
        rate_limit=None,
        retries=2,
        backoff=0,
    )
    first, second = sorted(outcomes, key=lambda o: o.index)
    assert isinstance(first.error, RateLimitError)
    assert first.error.code == QPS_CODE
    assert first.rate_limited_retries == 2
    assert second.ok
    assert second.rate_limited_retries == 2
    assert emulator.calls("im.group.create") == 6


async def test_system_busy_429_is_put_back_too(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.fail_next(1, status=429, code="system.busy", message="busy", api="im.group.create")
    (outcome,) = await create_all(groups, 1, rate_limit=None, backoff=0)
    assert outcome.ok
    assert outcome.rate_limited_retries == 1


async def test_other_errors_are_not_put_back(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.fail_next(
        1,
        status=403,
        code="Forbidden.AccessDenied.IpNotInWhiteList",
        message="ip",
        api="im.group.create",
    )
    (outcome,) = await create_all(groups, 1, rate_limit=None, backoff=0)
    assert not outcome.ok
    assert emulator.calls("im.group.create") == 1


async def test_a_real_qps_limit_is_ridden_out_by_backing_off(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(qps_limit=5) as emulator:
        outcomes = await create_all(service(emulator, session), 10, concurrency=10, rate_limit=None)
    assert all(o.ok for o in outcomes)
    assert emulator.rate_limited >= 5
    assert sum(o.rate_limited_retries for o in outcomes) == emulator.rate_limited
    assert len(emulator.groups) == 10


async def test_pacing_needs_no_extra(
    groups: GroupService, emulator: DingTalkEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pacing is on by default, so it runs on the runtime dependencies alone."""
    monkeypatch.setitem(sys.modules, "aiolimiter", None)  # as if no extra were installed
    async with groups.create_many([request(n) for n in range(3)], pacer=LocalPacer(20)) as run:
        outcomes = [outcome async for outcome in run]
    assert all(outcome.ok for outcome in outcomes)
    assert emulator.calls("im.group.create") == 3

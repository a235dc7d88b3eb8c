"""The monthly call budget: one unit per send, reserved right before it, given back when
DingTalk does not bill the call (not sent, refused for rate), kept otherwise; token calls
are exempt; months are China's; one warning per scope and month at the threshold."""

from __future__ import annotations

import asyncio
import calendar
import logging
import time
from typing import Any

import pytest
from redis.asyncio import Redis

from dingtalk_im_async import (
    BudgetError,
    BudgetSpentError,
    ClientSettings,
    CreateGroupRequest,
    DingTalkClient,
    MemoryBudget,
    RateLimitError,
    RedisBudget,
    TransportError,
    Verdict,
)
from dingtalk_im_async.budget import budget_key, budget_scope, month_of
from dingtalk_im_async.testing import DingTalkEmulator, ErrorReply, Fault
from tests.conftest import INSTANT_RETRIES
from tests.support.redis_server import free_port

CREATE = "im.group.create"
REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


def connect(emulator: DingTalkEmulator, **more: Any) -> DingTalkClient:
    settings: dict[str, Any] = {
        "app_key": emulator.app_key,
        "app_secret": emulator.app_secret,
        "base_url": emulator.base_url,
        "oapi_base_url": emulator.oapi_base_url,
        "retry": INSTANT_RETRIES,
    }
    settings.update(more)
    return DingTalkClient(**settings)


def china(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """A Unix time given in China time (UTC+8)."""
    return calendar.timegm((year, month, day, hour, minute, 0, 0, 0, 0)) - 8 * 3600


def test_months_are_chinas() -> None:
    assert month_of(china(2026, 11, 30, 23, 59)) == "2026-11"
    assert month_of(china(2026, 12, 1, 0, 0)) == "2026-12"  # 16:00 UTC on 30 November
    assert month_of(china(2027, 1, 1)) == "2027-01"
    assert budget_key("dingabc", "2026-12") == "dingtalk-im-async:budget:dingabc:2026-12"
    assert budget_scope("dingabc") == "dingabc"
    assert budget_scope("dingabc", corp_id="ding-corp") == "ding-corp"


def test_the_settings_check_the_budget() -> None:
    with pytest.raises(ValueError, match="call_budget"):
        ClientSettings(call_budget=0)
    with pytest.raises(TypeError, match="call_budget"):
        ClientSettings(call_budget=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="budget_warn_at"):
        ClientSettings(budget_warn_at=1.5)
    with pytest.raises(ValueError):
        MemoryBudget(0)


async def test_a_call_is_refused_unsent_once_the_budget_is_spent(
    emulator: DingTalkEmulator,
) -> None:
    async with connect(emulator, call_budget=2) as client:
        await client.groups.create(REQUEST)
        await client.groups.create(REQUEST)
        with pytest.raises(BudgetSpentError) as caught:
            await client.groups.create(REQUEST)
        assert client.budget is not None
        assert await client.budget.used() == 2
    assert caught.value.verdict is Verdict.NOT_SENT
    assert (caught.value.used, caught.value.limit) == (2, 2)
    assert emulator.calls(CREATE) == 2
    assert emulator.token_fetches == 1  # the token call is not counted against the budget


async def test_rate_refusals_and_unsent_calls_are_given_back_unknown_ones_kept(
    emulator: DingTalkEmulator,
) -> None:
    await emulator.schedule_reply(
        ErrorReply(
            status=403, code="Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", message="qps"
        ),
        api=CREATE,
    )
    async with connect(emulator, call_budget=5) as client:
        assert client.budget is not None
        with pytest.raises(RateLimitError):
            await client.groups.create(REQUEST)
        assert await client.budget.used() == 0  # DingTalk does not bill a rate refusal

        emulator.faults_for(CREATE).schedule(Fault.DROPPED_MID_RESPONSE)
        with pytest.raises(TransportError) as unknown:
            await client.groups.create(REQUEST)
        assert unknown.value.verdict is Verdict.UNKNOWN
        assert await client.budget.used() == 1  # it may have been billed: kept

    # Nothing listens on this port: the connection is refused, the call was not sent.
    budget = MemoryBudget(5)
    async with connect(
        emulator, base_url=f"http://127.0.0.1:{free_port()}", budget=budget
    ) as client:
        with pytest.raises(TransportError) as refused:
            await client.groups.create(REQUEST)
    assert refused.value.verdict is Verdict.NOT_SENT
    assert await budget.used(emulator.app_key, budget.month()) == 0


async def test_one_warning_per_scope_and_month_without_secrets(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    now = [china(2026, 12, 2)]
    budget = MemoryBudget(10, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="dingtalk_im_async.budget")
    async with connect(emulator, budget=budget, budget_warn_at=0.5) as client:
        for _ in range(4):
            await client.groups.create(REQUEST)
        assert caplog.records == []
        for _ in range(4):
            await client.groups.create(REQUEST)
        warnings = [record.getMessage() for record in caplog.records]
        assert warnings == [f"call budget of {emulator.app_key} for 2026-12: 5 of 10 calls used"]
        now[0] = china(2027, 1, 1)
        for _ in range(5):
            await client.groups.create(REQUEST)
        token = await client.tokens.get_token()
    assert len(caplog.records) == 2
    assert "2027-01" in caplog.records[1].getMessage()
    assert not any(
        emulator.app_secret in record.getMessage() or token in record.getMessage()
        for record in caplog.records
    )


async def test_a_redis_budget_is_shared_atomically_and_keyed_per_month(redis_url: str) -> None:
    now = [china(2026, 12, 31, 23, 0)]
    scope = f"corp-{time.monotonic_ns()}"
    budgets = [RedisBudget.from_url(redis_url, limit=25, clock=lambda: now[0]) for _ in range(3)]
    try:
        month = budgets[0].month()

        async def take(budget: RedisBudget) -> int:
            taken = 0
            for _ in range(20):
                try:
                    await budget.reserve(scope, month)
                except BudgetSpentError:
                    continue
                taken += 1
            return taken

        taken = await asyncio.gather(*(take(budget) for budget in budgets))
        assert sum(taken) == 25
        assert await budgets[1].used(scope, month) == 25
        await budgets[2].give_back(scope, month)
        assert await budgets[0].used(scope, month) == 24

        redis = Redis.from_url(redis_url)
        try:
            ttl = await redis.ttl(budget_key(scope, "2026-12"))
        finally:
            await redis.aclose()
        assert 7 * 24 * 3600 < ttl <= 38 * 24 * 3600  # gone a week or more after its month

        now[0] = china(2027, 1, 1, 0, 30)
        assert budgets[0].month() == "2027-01"
        assert await budgets[0].reserve(scope, budgets[0].month()) == 1
    finally:
        for budget in budgets:
            await budget.aclose()


async def test_an_unreachable_redis_budget_sends_nothing(emulator: DingTalkEmulator) -> None:
    budget = RedisBudget.from_url(f"redis://127.0.0.1:{free_port()}/0", limit=5, timeout=0.2)
    try:
        async with connect(emulator, budget=budget) as client:
            with pytest.raises(BudgetError) as caught:
                await client.groups.create(REQUEST)
    finally:
        await budget.aclose()
    assert caught.value.verdict is Verdict.NOT_SENT
    assert emulator.calls(CREATE) == 0

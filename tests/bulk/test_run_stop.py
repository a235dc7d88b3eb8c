"""A bulk run stops cleanly when the month's calls run out: DingTalk's quota
(`ApiCountLimitForOrg`) or the client's call budget. Calls still waiting for their pacing
slot are released as not sent (none reaches the emulator), and a run next month sends them,
with no duplicates."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from dingtalk_im_async import (
    BudgetSpentError,
    BulkOutcome,
    CallQuotaExceededError,
    CreateGroupRequest,
    CreateGroupResult,
    DingTalkClient,
    MemoryBudget,
    RedisBudget,
    RunStoppedError,
    Verdict,
)
from dingtalk_im_async.budget import Budget, month_of
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import INSTANT_RETRIES

CREATE = "im.group.create"
Outcome = BulkOutcome[CreateGroupRequest, CreateGroupResult]
#: A month's worth of seconds: moves a test clock into the next month (from the 1st to 28th).
NEXT_MONTH = 32 * 24 * 3600


class Clock:
    """A settable clock (Unix time) that starts on the 2nd of this month, China time."""

    def __init__(self) -> None:
        now = time.time()
        moment = time.gmtime(now + 8 * 3600)
        self.now = now - (moment.tm_mday - 2) * 24 * 3600

    def __call__(self) -> float:
        return self.now

    def next_month(self) -> None:
        before = month_of(self.now)
        self.now += NEXT_MONTH
        assert month_of(self.now) != before


def connect(emulator: DingTalkEmulator, **more: Any) -> DingTalkClient:
    return DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
        retry=INSTANT_RETRIES,
        **more,
    )


def requests(count: int, prefix: str = "g") -> list[CreateGroupRequest]:
    return [
        CreateGroupRequest(name=f"{prefix}{n}", owner="o", useridlist=["u"]) for n in range(count)
    ]


async def run(
    client: DingTalkClient, inputs: list[CreateGroupRequest], **options: Any
) -> list[Outcome]:
    async with client.many(client.groups.create, inputs, **options) as outcomes:
        return [outcome async for outcome in outcomes]


def names(emulator: DingTalkEmulator) -> Counter[str]:
    return Counter(group.request["name"] for group in emulator.groups)


# -- the quota stop (the reliability issue) ------------------------------------------------


async def test_the_quota_stop_releases_the_calls_waiting_for_a_pacing_slot(
    emulator: DingTalkEmulator,
) -> None:
    """Ten calls at once, paced at 10/s: when the sixth meets the spent quota, up to nine
    more are waiting for their slot. None of them may go out to meet the same refusal."""
    await emulator.configure(monthly_call_quota=5)
    async with connect(emulator, rate_limit=None) as client:
        outcomes = await run(client, requests(30), concurrency=10, rate_limit=10)

    assert emulator.calls(CREATE) == 6  # five created, one refused: nothing after the stop
    assert len(emulator.groups) == 5
    by_class = Counter(type(outcome.error).__name__ for outcome in outcomes if not outcome.ok)
    assert by_class == {"CallQuotaExceededError": 1, "RunStoppedError": 24}
    stopped = [o for o in outcomes if isinstance(o.error, RunStoppedError)]
    assert all(o.verdict is Verdict.NOT_SENT for o in stopped)
    assert all(isinstance(o.error.cause, CallQuotaExceededError) for o in stopped)  # type: ignore[union-attr]
    # The journal agrees: one request per call the emulator counted, none after the refusal.
    journal = [entry for entry in emulator.requests if entry.api == CREATE]
    assert [entry.status for entry in journal].count(403) == 1
    assert journal[-1].status == 403


async def test_stop_releases_every_waiting_call_of_a_slow_pacer(
    emulator: DingTalkEmulator,
) -> None:
    """`BulkRun.stop()` (what the quota and budget stops use): with twenty calls waiting on a
    2/s pacer, stopping after the second outcome sends none of them."""
    async with connect(emulator, rate_limit=None) as client:
        inputs = requests(20)
        async with client.many(client.groups.create, inputs, concurrency=20, rate_limit=2) as run_:
            seen: list[Outcome] = []
            async for outcome in run_:
                seen.append(outcome)
                if len(seen) == 2:
                    run_.stop(BudgetSpentError(scope="s", month="2026-12", used=2, limit=2))
    assert emulator.calls(CREATE) == 2
    assert len(seen) == 20
    assert [o.verdict for o in seen].count(Verdict.NOT_SENT) == 18


# -- the budget ------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
async def make_budget(
    request: pytest.FixtureRequest, redis_url: str
) -> AsyncIterator[Callable[[int, Clock], Budget]]:
    """A budget factory of each kind; Redis budgets get a scope of their own per test."""
    made: list[RedisBudget] = []

    def make(limit: int, clock: Clock) -> Budget:
        if request.param == "memory":
            return MemoryBudget(limit, clock=clock)
        budget = RedisBudget.from_url(redis_url, limit=limit, clock=clock)
        made.append(budget)
        return budget

    yield make
    for budget in made:
        await budget.aclose()


async def test_a_budget_of_n_stops_at_n_and_a_run_next_month_finishes(
    emulator: DingTalkEmulator, make_budget: Callable[[int, Clock], Budget], request: Any
) -> None:
    clock = Clock()
    scope = f"corp-{request.node.callspec.id}-{time.monotonic_ns()}"
    budget = make_budget(5, clock)
    inputs = requests(8)
    async with connect(emulator, budget=budget, budget_scope=scope) as client:
        first = await run(client, inputs, concurrency=4)
        assert client.budget is not None
        assert await client.budget.used() == 5
        assert emulator.calls(CREATE) == 5
        assert sum(outcome.ok for outcome in first) == 5
        rest = [outcome for outcome in first if not outcome.ok]
        assert all(outcome.verdict is Verdict.NOT_SENT for outcome in rest)
        assert any(isinstance(outcome.error, BudgetSpentError) for outcome in rest)

        # The same month: nothing more goes out.
        again = await run(client, [outcome.request for outcome in rest], concurrency=4)
        assert not any(outcome.ok for outcome in again)
        assert emulator.calls(CREATE) == 5

        clock.next_month()
        second = await run(client, [outcome.request for outcome in rest], concurrency=4)
        assert all(outcome.ok for outcome in second)
        assert await client.budget.used() == 3  # this month's count
    assert names(emulator) == Counter(request.name for request in inputs)  # no duplicates


async def test_the_quota_error_mid_run_and_a_resume_in_the_emulators_next_month(
    emulator: DingTalkEmulator,
) -> None:
    await emulator.configure(monthly_call_quota=6)
    inputs = requests(10)
    async with connect(emulator) as client:
        first = await run(client, inputs, concurrency=3)
        assert sum(outcome.ok for outcome in first) == 6
        assert emulator.calls(CREATE) == 7
        await emulator.start_next_month()
        again = [outcome.request for outcome in first if not outcome.ok]
        second = await run(client, again, concurrency=3)
    assert all(outcome.ok for outcome in second)
    assert names(emulator) == Counter(request.name for request in inputs)

"""`create_many`: lazy input, one outcome per input, failures isolated, clean cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import pytest

from dingtalk_im_async import (
    BulkOutcome,
    CreateGroupRequest,
    CreateGroupResult,
    GroupService,
    InvalidParameterError,
    RequestValidationError,
    TransportError,
)
from dingtalk_im_async.testing import DingTalkEmulator


def request(number: int) -> CreateGroupRequest:
    return CreateGroupRequest(name=f"group {number}", owner="owner", useridlist=["user"])


class CountingInput:
    """An endless input that counts how many requests were taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    def __iter__(self) -> Iterator[CreateGroupRequest]:
        while True:
            self.taken += 1
            yield request(self.taken - 1)


async def collect(
    outcomes: AsyncIterator[BulkOutcome[CreateGroupRequest, CreateGroupResult]],
) -> list[BulkOutcome[CreateGroupRequest, CreateGroupResult]]:
    return [outcome async for outcome in outcomes]


def other_tasks() -> list[str]:
    """Tasks left besides this test's and the emulator's (server side, same event loop)."""
    left = []
    for task in asyncio.all_tasks() - {asyncio.current_task()}:
        code = getattr(task.get_coro(), "cr_code", None)
        if code is None or "aiohttp/web_" not in code.co_filename.replace("\\", "/"):
            left.append(repr(task))
    return left


async def calls_reach(emulator: DingTalkEmulator, count: int) -> None:
    """Wait (at most 10 s) until the emulator has received `count` create calls."""

    async def poll() -> None:
        while emulator.calls("im.group.create") < count:  # noqa: ASYNC110 (the emulator has no event)
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout=10)


async def test_every_input_yields_exactly_one_outcome(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    async with groups.create_many(map(request, range(30)), rate_limit=None) as run:
        outcomes = await collect(run)
    assert sorted(outcome.index for outcome in outcomes) == list(range(30))
    assert all(outcome.ok and outcome.error is None for outcome in outcomes)
    by_index = {outcome.index: outcome for outcome in outcomes}
    assert by_index[7].request == request(7)
    created = {group.open_conversation_id: group.request["name"] for group in emulator.groups}
    assert len(created) == 30
    for outcome in outcomes:
        assert outcome.result is not None
        assert created[outcome.result.open_conversation_id] == outcome.request.name


async def test_an_async_iterable_is_accepted(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    async def requests() -> AsyncIterator[CreateGroupRequest]:
        for number in range(5):
            await asyncio.sleep(0)
            yield request(number)

    async with groups.create_many(requests(), rate_limit=None) as run:
        outcomes = await collect(run)
    assert sorted(outcome.index for outcome in outcomes) == [0, 1, 2, 3, 4]
    assert len(emulator.groups) == 5


async def test_one_failure_never_stops_the_others(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.fail_next(
        1, status=400, code="parameter.invalid", message="bad", api="im.group.create"
    )
    emulator.drop_next(1, api="im.group.create")
    async with groups.create_many(map(request, range(6)), concurrency=1, rate_limit=None) as run:
        outcomes = sorted(await collect(run), key=lambda outcome: outcome.index)
    assert isinstance(outcomes[0].error, InvalidParameterError)
    assert isinstance(outcomes[1].error, TransportError)
    assert outcomes[0].result is None
    assert outcomes[1].result is None
    assert [outcome.ok for outcome in outcomes[2:]] == [True] * 4
    assert emulator.calls("im.group.create") == 6, (
        "creation is not idempotent: failures are not retried"
    )


async def test_a_bad_item_becomes_an_error_outcome_without_io(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    items: list[object] = [request(0), {"name": "not a request"}, request(2)]
    async with groups.create_many(items, rate_limit=None) as run:  # type: ignore[arg-type]
        outcomes = sorted(await collect(run), key=lambda outcome: outcome.index)
    assert isinstance(outcomes[1].error, RequestValidationError)
    assert outcomes[0].ok
    assert outcomes[2].ok
    assert emulator.calls("im.group.create") == 2


async def test_input_is_read_lazily_bounded_by_concurrency(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    endless = CountingInput()
    received = 0
    async with groups.create_many(endless, concurrency=4, rate_limit=None) as run:
        async for _outcome in run:
            received += 1
            if received == 1:
                for _ in range(20):  # a slow consumer: nothing more may be read meanwhile
                    await asyncio.sleep(0.01)
                assert endless.taken <= 1 + 2 * 4, "calls in flight plus unconsumed outcomes"
            if received == 25:
                break
    assert endless.taken <= 25 + 2 * 4
    assert not other_tasks()


async def test_breaking_out_cancels_calls_in_flight_and_leaves_no_tasks(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.delay_next(100, seconds=1.0, api="im.group.create")
    async with groups.create_many(map(request, range(100)), concurrency=5, rate_limit=None) as run:
        async for _outcome in run:
            break
    assert not other_tasks()
    assert emulator.calls("im.group.create") <= 10, "at most 2 x concurrency were ever taken"


async def test_cancelling_the_consumer_cancels_calls_in_flight(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.delay_next(100, seconds=1.0, api="im.group.create")
    started = asyncio.Event()

    async def consume() -> None:
        async with groups.create_many(
            map(request, range(100)), concurrency=5, rate_limit=None
        ) as run:
            started.set()
            await collect(run)

    consumer = asyncio.create_task(consume())
    await started.wait()
    await calls_reach(emulator, 5)
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    assert not other_tasks()
    assert emulator.calls("im.group.create") == 5
    assert emulator.groups == []


async def test_cancelling_without_async_with_still_cleans_up(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.delay_next(100, seconds=1.0, api="im.group.create")
    run = groups.create_many(map(request, range(100)), concurrency=3, rate_limit=None)
    consumer = asyncio.create_task(collect(run))
    await calls_reach(emulator, 3)
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    assert not other_tasks()


async def test_aclosing_closes_the_run_and_an_async_input(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    closed = False

    async def requests() -> AsyncIterator[CreateGroupRequest]:
        nonlocal closed
        try:
            for number in range(1000):
                yield request(number)
        finally:
            closed = True

    async with contextlib.aclosing(groups.create_many(requests(), rate_limit=None)) as run:
        async for outcome in run:
            assert outcome.ok
            break
    assert closed
    assert not other_tasks()


async def test_an_input_error_comes_after_the_outcomes_read_before_it(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    def requests() -> Iterator[CreateGroupRequest]:
        yield request(0)
        yield request(1)
        raise OSError("input file vanished")

    seen: list[int] = []

    async def consume() -> None:
        async with groups.create_many(requests(), rate_limit=None) as run:
            async for outcome in run:
                seen.append(outcome.index)  # noqa: PERF401 - each is kept before the error comes

    with pytest.raises(OSError, match="vanished"):
        await consume()
    assert sorted(seen) == [0, 1]
    assert not other_tasks()


async def test_arguments_are_checked_before_any_io(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    with pytest.raises(ValueError, match="concurrency"):
        groups.create_many([request(0)], concurrency=0)
    with pytest.raises(ValueError, match="rate"):
        groups.create_many([request(0)], rate_limit=0)
    with pytest.raises(TypeError, match="rate"):
        groups.create_many([request(0)], rate_limit="fast")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="iterable"):
        groups.create_many(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="retries"):
        groups.create_many([request(0)], rate_limited_retries=-1)
    assert emulator.calls("im.group.create") == 0


def test_an_outcome_holds_exactly_one_of_result_and_error() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        BulkOutcome(index=0, request=request(0))
    result = CreateGroupResult(open_conversation_id="cid", chatid="chat", conversation_tag=2)
    with pytest.raises(ValueError, match="exactly one"):
        BulkOutcome(index=0, request=request(0), result=result, error=ValueError("x"))

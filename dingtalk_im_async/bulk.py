"""Bounded-concurrency, rate-paced fan-out: the engine behind `GroupService.create_many`.

`BulkRun` pulls inputs one at a time, only when a slot is free, so memory
depends on `concurrency` and never on the input's length. Each input gets
exactly one `BulkOutcome`, in completion order. A rate-limit reply
(`RateLimitError`: DingTalk did not process the call) puts the input back
after a pause; every other error is final, because creating is not
idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Generic, TypeVar

from attrs import define, field, validators

from .errors import RateLimitError
from .pacing import Pacer

__all__ = ["BulkOutcome", "BulkRun", "RateLimitedRetry"]

logger = logging.getLogger("dingtalk_im_async.bulk")

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


@define(frozen=True, kw_only=True)
class BulkOutcome(Generic[ItemT, ResultT]):
    """What happened to one input: exactly one of `result` and `error` is set.

    `index` is the input's position (from 0); `rate_limited_retries` counts
    how often it was put back after a rate-limit reply.
    """

    index: int
    request: ItemT
    result: ResultT | None = None
    error: Exception | None = None
    rate_limited_retries: int = 0

    def __attrs_post_init__(self) -> None:
        if (self.result is None) == (self.error is None):
            raise ValueError("exactly one of result and error must be set")

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.error is None


@define(frozen=True, kw_only=True)
class RateLimitedRetry:
    """How an input refused with `RateLimitError` is put back: up to `retries` times, after
    `backoff` seconds (DingTalk advises waiting one second), then through the pacer again."""

    retries: int = field(default=3, validator=validators.ge(0))
    backoff: float = field(default=1.0, validator=validators.ge(0))


@define(frozen=True)
class _End:
    """Queued after the last outcome; carries the error the input iterator raised, if any."""

    error: Exception | None


class BulkRun(Generic[ItemT, ResultT]):
    """Calls `call` on every input, at most `concurrency` at once, paced by `pacer`.

    An async iterator of `BulkOutcome`s and an async context manager. Use it as

        async with groups.create_many(requests) as outcomes:
            async for outcome in outcomes:
                ...

    (or wrap it in `contextlib.aclosing`): leaving the block early, an
    exception, or cancelling the consuming task cancels the calls in flight
    and waits for them, leaving no tasks behind. A bare `async for` that
    breaks out cannot tell the run to stop (Python does not close async
    iterators on `break`), so its calls would run on unobserved.

    At most `concurrency` calls are in flight, and at most `concurrency`
    more outcomes wait for a slow consumer before reading pauses. An
    async iterator given as input is closed (`aclose`) when the run ends. If
    the input iterator itself raises, the outcomes of the inputs read before
    are yielded, then the error is raised.
    """

    def __init__(
        self,
        call: Callable[[ItemT], Awaitable[ResultT]],
        items: Iterable[ItemT] | AsyncIterable[ItemT],
        *,
        concurrency: int = 10,
        pacer: Pacer | None = None,
        rate_limited: RateLimitedRetry | None = None,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
        if pacer is not None and not isinstance(pacer, Pacer):
            raise TypeError("pacer must have an async wait() method")
        self._source: Iterator[ItemT] | AsyncIterator[ItemT]
        if isinstance(items, AsyncIterable):
            self._source = items.__aiter__()
        elif isinstance(items, Iterable):
            self._source = iter(items)
        else:
            raise TypeError(f"inputs must be an iterable or async iterable, got {type(items)}")
        self._call = call
        self._concurrency = concurrency
        self._pacer = pacer
        self._retry = rate_limited if rate_limited is not None else RateLimitedRetry()
        self._queue: asyncio.Queue[BulkOutcome[ItemT, ResultT] | _End] | None = None
        self._slots: asyncio.Semaphore | None = None  # calls in flight
        self._room: asyncio.Semaphore | None = None  # inputs held: in flight or unconsumed
        self._driver: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._done = False

    def __repr__(self) -> str:
        state = "done" if self._done else f"{len(self._tasks)} in flight"
        return f"BulkRun(concurrency={self._concurrency}, pacer={self._pacer!r}, {state})"

    # -- consumer side -------------------------------------------------------

    def __aiter__(self) -> BulkRun[ItemT, ResultT]:
        return self

    async def __anext__(self) -> BulkOutcome[ItemT, ResultT]:
        if self._done:
            raise StopAsyncIteration
        queue, room = self._start()
        try:
            entry = await queue.get()
        except BaseException:
            await self.aclose()
            raise
        if isinstance(entry, _End):
            await self.aclose()
            if entry.error is not None:
                raise entry.error
            raise StopAsyncIteration
        room.release()
        return entry

    async def aclose(self) -> None:
        """Cancel the calls in flight, wait for them, and close an async input iterator."""
        if self._done:
            return
        self._done = True
        pending = [task for task in (self._driver, *self._tasks) if task is not None]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        close = getattr(self._source, "aclose", None)
        if close is not None and isinstance(self._source, AsyncIterator):
            await close()

    async def __aenter__(self) -> BulkRun[ItemT, ResultT]:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # -- producer side -------------------------------------------------------

    def _start(
        self,
    ) -> tuple[asyncio.Queue[BulkOutcome[ItemT, ResultT] | _End], asyncio.Semaphore]:
        if self._queue is None or self._room is None:
            self._queue = asyncio.Queue()
            self._slots = asyncio.Semaphore(self._concurrency)
            self._room = asyncio.Semaphore(2 * self._concurrency)
            self._driver = asyncio.create_task(self._drive(self._queue, self._slots, self._room))
        return self._queue, self._room

    async def _drive(
        self,
        queue: asyncio.Queue[BulkOutcome[ItemT, ResultT] | _End],
        slots: asyncio.Semaphore,
        room: asyncio.Semaphore,
    ) -> None:
        """Read one input per free slot and start its call; then wait for the last calls.

        A slot frees when a call ends, so the next call starts without waiting
        for the consumer; `room` stops reading while `concurrency` outcomes
        wait unconsumed, so a slow consumer holds at most twice that.
        """
        input_error: Exception | None = None
        index = 0
        while True:
            await room.acquire()
            await slots.acquire()
            try:
                item = await self._next_item()
            except StopAsyncIteration:
                slots.release()
                room.release()
                break
            except Exception as error:  # noqa: BLE001 - the consumer gets it after the outcomes
                slots.release()
                room.release()
                input_error = error
                break
            task = asyncio.create_task(self._run_one(index, item, queue, slots))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            index += 1
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        queue.put_nowait(_End(input_error))

    async def _next_item(self) -> ItemT:
        if isinstance(self._source, AsyncIterator):
            return await self._source.__anext__()
        try:
            return next(self._source)
        except StopIteration:
            raise StopAsyncIteration from None

    async def _run_one(
        self,
        index: int,
        item: ItemT,
        queue: asyncio.Queue[BulkOutcome[ItemT, ResultT] | _End],
        slots: asyncio.Semaphore,
    ) -> None:
        try:
            outcome = await self._outcome_of(index, item)
        finally:
            slots.release()
        queue.put_nowait(outcome)

    async def _outcome_of(self, index: int, item: ItemT) -> BulkOutcome[ItemT, ResultT]:
        put_back = 0
        outcome: BulkOutcome[ItemT, ResultT]
        while True:
            try:
                if self._pacer is not None:
                    await self._pacer.wait()
                result = await self._call(item)
            except RateLimitError as error:
                if put_back < self._retry.retries:
                    put_back += 1
                    logger.info("input %d rate-limited (%s); retrying", index, error.code)
                    await asyncio.sleep(self._retry.backoff)
                    continue
                outcome = BulkOutcome(
                    index=index, request=item, error=error, rate_limited_retries=put_back
                )
            except Exception as error:  # noqa: BLE001 - one input's failure is its outcome
                outcome = BulkOutcome(
                    index=index, request=item, error=error, rate_limited_retries=put_back
                )
            else:
                outcome = BulkOutcome(
                    index=index, request=item, result=result, rate_limited_retries=put_back
                )
            return outcome

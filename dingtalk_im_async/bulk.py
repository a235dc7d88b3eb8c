"""Bounded-concurrency fan-out of any one-request operation: the engine behind `create_many`.

`BulkRun` pulls inputs one at a time, only when a slot is free, so memory
depends on `concurrency` and never on the input's length. Each input gets
exactly one `BulkOutcome`, in completion order. Pacing is the transport's
(per API, right before each send); a run may set its own `rate_limit`.

A rate-limit reply (`RateLimitError`: DingTalk did not process the call)
puts the input back after a pause. An `UNKNOWN` failure is put back only
when the operation is safe to repeat (an update; never a create or a
message, unless it carries a dedup key). An operation whose endpoint names a
dedup key (a scene-group create's `uuid`) gets one per input that has none,
derived from the run's `run_id` and the input's position (`_core.dedup`),
so its unknown outcomes are put back too. When DingTalk reports the monthly call quota spent
(`CallQuotaExceededError`), or the client's call budget is used up
(`BudgetSpentError`), the run stops sending: every input not yet sent, calls
already waiting for their pacing slot included, gets a `RunStoppedError`
(verdict `NOT_SENT`), so a later run sends them. The run's `RunGate`, laid
over its pacer, is what stops those waiting calls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from typing import Any, Generic, TypeVar

from attrs import define, field, validators

from ._core.dedup import new_run_id, with_key
from ._core.deprecation import warn_deprecated
from ._core.endpoint import Endpoint
from ._core.retry import pause
from ._core.run_gate import RunGate
from ._core.service import endpoint_of
from .errors import (
    BudgetSpentError,
    CallQuotaExceededError,
    DingTalkError,
    RateLimitError,
    RunStoppedError,
    Verdict,
    verdict_of,
)
from .pacing import RUN_PACER, SERVICE_PACER, Pacer, _ServicePacer, pacer_for
from .settings import BulkOptions, resolve_settings

__all__ = ["DEFAULT_PACING", "BulkOutcome", "BulkRun", "RateLimitedRetry", "bulk_options"]

#: A run's `rate_limit` default: pace as the service (the transport) does.
DEFAULT_PACING = SERVICE_PACER

logger = logging.getLogger("dingtalk_im_async.bulk")

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


@define(frozen=True, kw_only=True)
class BulkOutcome(Generic[ItemT, ResultT]):
    """What happened to one input: exactly one of `result` and `error` is set.

    `index` is the input's position (from 0); `rate_limited_retries` counts
    how often it was put back (after a rate-limit reply, or an unknown
    outcome of an operation safe to repeat). `error.verdict` says whether
    a failed call took effect.
    """

    index: int
    """The input's position in the inputs, from 0 (outcomes come in completion order)."""
    request: ItemT
    """The input itself, as the run read it."""
    result: ResultT | None = None
    """What the call returned; None when it failed."""
    error: Exception | None = None
    """Why the call failed; None when it succeeded. Its `verdict` says whether it took
    effect."""
    rate_limited_retries: int = 0
    """How often the input was put back before this outcome (0 or more)."""

    def __attrs_post_init__(self) -> None:
        if (self.result is None) == (self.error is None):
            raise ValueError("exactly one of result and error must be set")

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.error is None

    @property
    def verdict(self) -> Verdict | None:
        """None on success; else whether the failed call took effect (`Verdict`)."""
        return None if self.error is None else verdict_of(self.error)


@define(frozen=True, kw_only=True)
class RateLimitedRetry:
    """Deprecated: `BulkOptions(rate_limited_retries=..., rate_limited_backoff=...)`.

    How an input refused with `RateLimitError` is put back: up to `retries`
    times, after `backoff` seconds, then through the pacer again.
    """

    retries: int = field(default=3, validator=validators.ge(0))
    """Put-backs per input, at most (0 or more; 0 never puts one back)."""
    backoff: float = field(default=1.0, validator=validators.ge(0))
    """Seconds to wait before sending a put-back input again (0 or more)."""


@define(frozen=True)
class _End:
    """Queued after the last outcome; carries the error the input iterator raised, if any."""

    error: Exception | None


class BulkRun(Generic[ItemT, ResultT]):
    """Calls `call` (a service method, e.g. `groups.update`) on every input, as `options`
    (a `BulkOptions`, or any of its fields by name) say: at most `concurrency` at once,
    paced as the service is unless the run's `rate_limit` (or a `pacer`, such as a
    fleet's `RedisPacer`) says otherwise. `repeat_safe` (by default: what the method's
    endpoint says of each input, `Endpoint.safe_to_repeat`) allows putting back inputs
    whose outcome is unknown.

    When the method's endpoint has a dedup key (a scene-group create's `uuid`),
    an input without one gets `dt-<run_id>-<index>` (`BulkOutcome.request` is
    the input as sent): two identical inputs still make two objects, and the
    same `run_id` (`options.run_id`, else a random one: `run_id`) gives the same
    inputs the same keys again, so a crashed run resumed with its id creates
    nothing twice.

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
        options: BulkOptions | None = None,
        *,
        pacer: Pacer | None = None,
        repeat_safe: bool | None = None,
        **by_name: object,
    ) -> None:
        chosen, pacer = bulk_options(options, by_name, pacer=pacer)
        if pacer is not None:
            self._pacer: Pacer | _ServicePacer | None = pacer
        elif chosen.rate_limit == "service":
            self._pacer = DEFAULT_PACING
        else:
            self._pacer = pacer_for(chosen.rate_limit)
        self._gate = RunGate(self._pacer)
        self._endpoint: Endpoint[ItemT, ResultT] | None = endpoint_of(call)
        self._run_id = chosen.run_id if chosen.run_id is not None else new_run_id()
        self._source: Iterator[ItemT] | AsyncIterator[ItemT]
        if isinstance(items, AsyncIterable):
            self._source = items.__aiter__()
        elif isinstance(items, Iterable):
            self._source = iter(items)
        else:
            raise TypeError(f"inputs must be an iterable or async iterable, got {type(items)}")
        self._call = call
        self._concurrency = chosen.concurrency
        self._repeat_safe: bool | None = repeat_safe
        self._retries = chosen.rate_limited_retries
        self._backoff = chosen.rate_limited_backoff
        self._queue: asyncio.Queue[BulkOutcome[ItemT, ResultT] | _End] | None = None
        self._slots: asyncio.Semaphore | None = None  # calls in flight
        self._room: asyncio.Semaphore | None = None  # inputs held: in flight or unconsumed
        self._driver: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._done = False

    def __repr__(self) -> str:
        state = "done" if self._done else f"{len(self._tasks)} in flight"
        return f"BulkRun(concurrency={self._concurrency}, pacer={self._pacer!r}, {state})"

    @property
    def run_id(self) -> str:
        """The run's id, from which inputs without a dedup key get one: `options.run_id`,
        else a random one. Keep it to resume the run (`BulkOptions(run_id=...)`)."""
        return self._run_id

    def stop(self, cause: DingTalkError) -> None:
        """Send nothing more: calls waiting for their pacing slot, and inputs not yet sent,
        get `RunStoppedError(cause)` (not sent); calls already sent finish. The run does
        this itself when the monthly quota or the call budget runs out."""
        self._gate.stop(cause)

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
            if self._endpoint is not None and self._endpoint.dedup_key is not None:
                item = with_key(self._endpoint, item, self._run_id, index)
            if self._gate.stopped_by is not None:  # answered at once, without a call
                slots.release()
                stopped = RunStoppedError(self._gate.stopped_by)
                queue.put_nowait(BulkOutcome(index=index, request=item, error=stopped))
                index += 1
                continue
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
        RUN_PACER.set(self._gate)  # this task's context only
        put_back = 0
        while True:
            if self._gate.stopped_by is not None:
                error: Exception = RunStoppedError(self._gate.stopped_by)
                return BulkOutcome(index=index, request=item, error=error)
            try:
                result = await self._call(item)
            except (CallQuotaExceededError, BudgetSpentError) as spent:
                if self._gate.stopped_by is None:
                    logger.warning("%s; sending nothing more", spent)
                    self._gate.stop(spent)
                error = spent
            except Exception as failure:  # noqa: BLE001 - one input's failure is its outcome
                error = failure
                if put_back < self._retries and self._may_put_back(failure, item):
                    put_back += 1
                    logger.info("input %d put back after %s", index, _name(failure))
                    await pause(self._backoff)
                    continue
            else:
                return BulkOutcome(
                    index=index, request=item, result=result, rate_limited_retries=put_back
                )
            return BulkOutcome(
                index=index, request=item, error=error, rate_limited_retries=put_back
            )

    def _may_put_back(self, error: Exception, item: ItemT) -> bool:
        """A rate-limited call did nothing; an unknown one may be repeated only if safe."""
        if isinstance(error, RateLimitError):
            return True
        if not (isinstance(error, DingTalkError) and error.verdict is Verdict.UNKNOWN):
            return False
        return self._safe_to_repeat(item)

    def _safe_to_repeat(self, item: ItemT) -> bool:
        """The run's `repeat_safe` when given, else what the endpoint says of this input."""
        if self._repeat_safe is not None:
            return self._repeat_safe
        return self._endpoint is not None and self._endpoint.safe_to_repeat(item)


def _name(error: Exception) -> str:
    return getattr(error, "code", None) or type(error).__name__


def bulk_options(
    options: BulkOptions | None, by_name: Mapping[str, object], *, pacer: Pacer | None
) -> tuple[BulkOptions, Pacer | None]:
    """A run's options and pacer from what `BulkRun`, `create_many` and `many` take: the
    options, any option by name, and the last release's arguments too: `rate_limited=`
    (a `RateLimitedRetry`, with a `DeprecationWarning`) and `rate_limit=DEFAULT_PACING`."""
    chosen: dict[str, Any] = dict(by_name)
    if chosen.get("rate_limit") is DEFAULT_PACING:
        chosen["rate_limit"] = "service"
    put_back = chosen.pop("rate_limited", None)
    if put_back is not None:
        warn_deprecated(
            "BulkRun(rate_limited=RateLimitedRetry(...)) is deprecated: pass "
            "rate_limited_retries= and rate_limited_backoff= (or a BulkOptions)"
        )
        chosen["rate_limited_retries"] = put_back.retries
        chosen["rate_limited_backoff"] = put_back.backoff
    return resolve_settings(BulkOptions, options, chosen, pacer=pacer)

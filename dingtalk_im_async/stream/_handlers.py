"""Running user handlers: bounded concurrency, so a slow or failing handler stalls nothing else.

Items were acknowledged when they were taken in. `concurrency` workers take
items from the intake's buffer, each running one handler at a time, back to
back: a burst is handled as fast as the handlers return, with no task, timer
or semaphore per item (a task per item let the reader outrun the handlers by
far, and a full buffer means LATER answers). A handler that raises is logged
(with the item's id) and counted, and the others go on. One watchdog notices
handlers running longer than `slow_after`. With `fleet_dedup` each item is
claimed across the fleet first and acknowledged after its handler (see
`fleet_dedup`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from .._core.fleet_dedup import Claim, FleetDedup, FleetDedupError
from ._buffer import BufferClosedError
from ._decode import identity
from ._frames import consumed_ack, later_ack
from ._intake import Intake, StreamStats
from .models import BotMessage, StreamEvent, StreamItem

__all__ = ["HandlerRunner"]

logger = logging.getLogger("dingtalk_im_async.stream")

_GOING_ON = (
    "the other items go on (it was acknowledged on receipt, so DingTalk will not redeliver it)"
)

MessageHandler = Callable[[BotMessage], Awaitable[None]]
EventHandler = Callable[[StreamEvent], Awaitable[None]]

if sys.version_info >= (3, 11):

    async def _bounded(awaitable: Awaitable[None], seconds: float) -> None:
        async with asyncio.timeout(seconds):
            await awaitable

else:  # pragma: no cover - Python 3.10

    async def _bounded(awaitable: Awaitable[None], seconds: float) -> None:
        await asyncio.wait_for(awaitable, seconds)


class HandlerRunner:
    """Feeds buffered items to the handlers, `concurrency` at a time."""

    def __init__(
        self,
        *,
        on_message: MessageHandler | None,
        on_event: EventHandler | None,
        concurrency: int,
        timeout: float | None,
        slow_after: float | None,
        stats: StreamStats,
        fleet: FleetDedup | None = None,
    ) -> None:
        self._on_message = on_message
        self._fleet = fleet
        self._on_event = on_event
        self._concurrency = concurrency
        self._timeout = timeout
        self._slow_after = slow_after
        self._stats = stats
        #: What each worker is handling now (None: waiting for an item).
        self._current: list[StreamItem | None] = [None] * concurrency
        self._stopping = False

    async def run(self, intake: Intake) -> None:
        """Until the intake ends and every worker is done; on the way out (cancelled too),
        cancel what still runs."""
        workers = [
            asyncio.ensure_future(self._work(intake, slot)) for slot in range(self._concurrency)
        ]
        watchdog = (
            None
            if self._slow_after is None
            else asyncio.ensure_future(self._watch(self._slow_after))
        )
        try:
            # Not gather(): cancelling gather() would cancel the workers before they know
            # it is us stopping them, not a handler cancelling itself.
            done, _ = await asyncio.wait(workers)
            for worker in done:
                worker.result()  # a bug in a worker is raised, not hidden
        finally:
            self._stopping = True
            tasks = [*workers, *([watchdog] if watchdog is not None else [])]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _work(self, intake: Intake, slot: int) -> None:
        buffer, current = intake.buffer, self._current
        on_message, on_event, timeout = self._on_message, self._on_event, self._timeout
        while True:
            try:
                item = await buffer.get()
            except BufferClosedError:
                return
            handler: Callable[[Any], Awaitable[None]] | None = (
                on_message if isinstance(item, BotMessage) else on_event
            )
            if handler is None:
                continue
            if self._fleet is not None:
                await self._handle_in_fleet(self._fleet, intake, item, handler, slot)
                continue
            intake.in_progress += 1
            current[slot] = item
            try:
                if timeout is None:
                    await handler(item)
                else:
                    await _bounded(handler(item), timeout)
            except asyncio.CancelledError:
                if self._stopping:
                    raise
                self._stats.handler_errors += 1  # cancelled by itself, not by us
                logger.exception("handler for %s was cancelled; %s", identity(item), _GOING_ON)
            except asyncio.TimeoutError:
                self._stats.handler_timeouts += 1
                logger.error(
                    "handler for %s cancelled after %ss (handler_timeout)", identity(item), timeout
                )
            except Exception:
                self._stats.handler_errors += 1
                logger.exception("handler for %s raised; %s", identity(item), _GOING_ON)
            finally:
                current[slot] = None
                intake.in_progress -= 1

    async def _handle_in_fleet(
        self,
        fleet: FleetDedup,
        intake: Intake,
        item: StreamItem,
        handler: Callable[[Any], Awaitable[None]],
        slot: int,
    ) -> None:
        """With `fleet_dedup`: claim, handle, then mark seen and acknowledge; a failure releases
        the claim and answers LATER, so that DingTalk redelivers it, to any instance."""
        key = identity(item)
        token = uuid.uuid4().hex
        intake.in_progress += 1
        self._current[slot] = item
        try:
            try:
                found: Claim | None = await fleet.claim(key, token)
            except FleetDedupError as error:
                found = None
                self._stats.fleet_unavailable += 1
                logger.warning(
                    "fleet de-duplication unavailable for %s (%s); handled anyway (at least once)",
                    key,
                    error,
                )
            if found is Claim.SEEN:
                self._stats.duplicates_suppressed += 1
                intake.seen.add(key)
                await _acknowledge(intake, key, None)
                return
            if found is Claim.BUSY:
                self._stats.fleet_busy += 1
                await _acknowledge(intake, key, "being handled by another instance")
                return
            claimed = found is Claim.CLAIMED
            succeeded = await self._run_claimed(fleet, handler, item, key, token, claimed)
            if succeeded:
                intake.seen.add(key)
            if claimed:
                await _settle_claim(fleet, key, token, succeeded=succeeded)
            await _acknowledge(intake, key, None if succeeded else "the handler failed")
        finally:
            self._current[slot] = None
            intake.in_progress -= 1

    async def _run_claimed(
        self,
        fleet: FleetDedup,
        handler: Callable[[Any], Awaitable[None]],
        item: StreamItem,
        key: str,
        token: str,
        claimed: bool,
    ) -> bool:
        """Run the handler, refreshing the claim every third of its TTL; True if it succeeded."""
        timeout = self._timeout
        running = asyncio.ensure_future(
            handler(item) if timeout is None else _bounded(handler(item), timeout)
        )
        try:
            while True:
                done, _ = await asyncio.wait({running}, timeout=fleet.claim_ttl / 3)
                if done:
                    break
                if claimed:
                    try:
                        await fleet.refresh(key, token)
                    except FleetDedupError as error:
                        logger.warning("could not refresh the claim of %s (%s)", key, error)
        except BaseException:
            running.cancel()
            raise
        if running.cancelled():
            self._stats.handler_errors += 1
            logger.error("handler for %s was cancelled; it will be redelivered", key)
            return False
        failure = running.exception()
        if isinstance(failure, asyncio.TimeoutError):
            self._stats.handler_timeouts += 1
            self._stats.handler_errors += 1
            logger.error("handler for %s cancelled after %ss (handler_timeout)", key, timeout)
            return False
        if failure is not None:
            self._stats.handler_errors += 1
            logger.error("handler for %s raised; it will be redelivered", key, exc_info=failure)
            return False
        return True

    async def _watch(self, slow_after: float) -> None:
        """Warn once about each handler call seen running for `slow_after` seconds or more
        (checked every quarter of that, so the warning comes within 1.5 times of it)."""
        loop = asyncio.get_running_loop()
        # Per worker: the item it was first seen handling, and when.
        first_seen: list[tuple[StreamItem | None, float]] = [(None, 0.0)] * self._concurrency
        warned: list[StreamItem | None] = [None] * self._concurrency
        while True:
            await asyncio.sleep(slow_after / 4)
            now = loop.time()
            for slot, item in enumerate(self._current):
                seen, since = first_seen[slot]
                if item is None or item is not seen:
                    first_seen[slot] = (item, now)
                elif now - since >= slow_after and warned[slot] is not item:
                    warned[slot] = item
                    logger.warning(
                        "handler for %s still running after %ss (%d of %d handler slots busy)",
                        identity(item),
                        slow_after,
                        sum(current is not None for current in self._current),
                        self._concurrency,
                    )


async def _settle_claim(fleet: FleetDedup, key: str, token: str, *, succeeded: bool) -> None:
    """Mark `key` seen (success) or drop the claim (failure); if the store cannot, the claim
    expires on its own."""
    try:
        if succeeded:
            await fleet.done(key, token)
        else:
            await fleet.release(key, token)
    except FleetDedupError as error:
        logger.warning(
            "could not record %s as %s (%s); its claim expires on its own",
            key,
            "handled" if succeeded else "failed",
            error,
        )


async def _acknowledge(intake: Intake, key: str, later: str | None) -> None:
    """Acknowledge the held frame of `key` on its connection: consumed, or LATER with the
    reason `later` (DingTalk redelivers it). A connection gone meanwhile gets nothing, and
    DingTalk redelivers the frame."""
    held = intake.held.pop(key, None)
    if held is None:
        return
    frame = held.frame
    await held.connection.send(consumed_ack(frame) if later is None else later_ack(frame, later))

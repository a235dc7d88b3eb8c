"""Running user handlers: bounded concurrency, so a slow or failing handler stalls nothing else.

Items were acknowledged when they were taken in; a handler that raises is
logged (with the item's id) and counted, and the others go on. At most
`concurrency` handlers run at once; the rest wait in the intake's queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ._decode import identity
from ._intake import Intake, StreamStats, _End
from .models import StreamItem

__all__ = ["HandlerRunner"]

logger = logging.getLogger("dingtalk_im_async.stream")


class HandlerRunner:
    """Feeds queued items to `handle`, each in its own task, `concurrency` at a time."""

    def __init__(
        self,
        *,
        handle: Callable[[StreamItem], Awaitable[None]],
        concurrency: int,
        timeout: float | None,
        slow_after: float | None,
        stats: StreamStats,
    ) -> None:
        self._handle = handle
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._timeout = timeout
        self._slow_after = slow_after
        self._stats = stats
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, intake: Intake) -> None:
        """Until the intake ends; on the way out (cancelled too), cancel what still runs."""
        try:
            while True:
                item = await intake.queue.get()
                if isinstance(item, _End):
                    intake.queue.put_nowait(item)
                    break
                intake.in_progress += 1
                try:
                    await self._slots.acquire()
                except BaseException:
                    intake.in_progress -= 1
                    raise
                task = asyncio.ensure_future(self._call(item))
                self._tasks.add(task)
                task.add_done_callback(lambda done: self._settle(done, intake))
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
        finally:
            await self.cancel()

    async def cancel(self) -> None:
        """Cancel the handlers still running and wait for them to end."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _settle(self, task: asyncio.Task[None], intake: Intake) -> None:
        self._tasks.discard(task)
        self._slots.release()
        intake.in_progress -= 1

    async def _call(self, item: StreamItem) -> None:
        key = identity(item)
        loop = asyncio.get_running_loop()
        warning = (
            None
            if self._slow_after is None
            else loop.call_later(self._slow_after, self._warn_slow, key)
        )
        try:
            if self._timeout is None:
                await self._handle(item)
            else:
                try:
                    await asyncio.wait_for(self._handle(item), self._timeout)
                except asyncio.TimeoutError:
                    self._stats.handler_timeouts += 1
                    logger.error(
                        "handler for %s cancelled after %ss (handler_timeout)", key, self._timeout
                    )
        except Exception:
            self._stats.handler_errors += 1
            logger.exception(
                "handler for %s raised; the other items go on (it was acknowledged on receipt, "
                "so DingTalk will not redeliver it)",
                key,
            )
        finally:
            if warning is not None:
                warning.cancel()

    def _warn_slow(self, key: str) -> None:
        logger.warning(
            "handler for %s still running after %ss (%d of %d handler slots busy)",
            key,
            self._slow_after,
            len(self._tasks),
            self._concurrency,
        )

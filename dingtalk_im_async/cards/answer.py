"""`AnswerCard`: an AI card typed while its answer is produced; never storming, never stuck.

Entering creates and delivers the card. `write()` only appends: the card's
sender (`_sender.Sender`) coalesces the text into few frames, paced per API
with every other card's. On the way out the card is **always** ended:
finished after the block; failed on an exception, a cancellation or a
timeout; finished with the text so far after `stop()` (a "stop generating"
button). That last update runs in a task of its own, waited for up to
`finish_timeout` even while the caller's task is being cancelled again.

DingTalk advises at most 1 KB of content per frame and 3 KB in all
(https://open.dingtalk.com/document/development/api-streamingupdate).
Appending (the default), each frame carries only new text, at most 1 KB, so
an answer of any length streams within the per-frame advice (past 3 KB in
all, DingTalk may refuse: the card is then marked failed and the error
raised). Sending the whole text (`full=True`, which markdown keys need),
frames stop once the text outgrows 1 KB and the whole text goes in the
final frame (a final full update); if DingTalk refuses it as too large, the
card is marked failed with the last text that fitted, and the error is raised.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import sys
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, cast

from .._core.transport import Transport
from ..errors import DingTalkError, RequestValidationError, TransportError
from ..pacing import RUN_PACER, SERVICE_PACER, Pacer
from ._sender import STREAM_FRAME_BYTES, AnswerOptions, Sender
from .models import CreateAndDeliverRequest, CreateAndDeliverResult, StreamingUpdate

__all__ = ["STREAM_FRAME_BYTES", "STREAM_TOTAL_BYTES", "AnswerCard", "AnswerOptions", "AnswerState"]

logger = logging.getLogger("dingtalk_im_async.cards")

#: Content of a card in all DingTalk advises at most: "总大小建议不要超过 3 K".
STREAM_TOTAL_BYTES = 3072


class AnswerState(str, enum.Enum):
    """Where an `AnswerCard` is."""

    NEW = "new"
    """Not entered yet."""
    OPEN = "open"
    """Created and delivered; being typed."""
    FINISHED = "finished"
    """Ended with the final frame (`isFinalize`)."""
    FAILED = "failed"
    """Ended as failed (`isError`), or could not be ended."""


class AnswerCard:
    """An AI card being typed, made by `CardService.answer()`; an async context manager
    (see the module docstring)."""

    def __init__(
        self,
        request: CreateAndDeliverRequest,
        *,
        key: str,
        full: bool,
        placeholder: str,
        options: AnswerOptions,
        open_card: Callable[[CreateAndDeliverRequest], Awaitable[CreateAndDeliverResult]],
        transport: Transport,
        answers: dict[str, AnswerCard],
    ) -> None:
        # A frame's own checks of the id, the key and the placeholder, before any I/O.
        if request.out_track_id is None:
            raise RequestValidationError("out_track_id", "an answer's card needs its id")
        track = StreamingUpdate(
            out_track_id=request.out_track_id, key=key, content=placeholder
        ).out_track_id
        chosen = RUN_PACER.get()
        pacer = transport.pacer if chosen is SERVICE_PACER else cast("Pacer | None", chosen)
        #: The card's create-and-deliver request.
        self.request = request
        self._sender = Sender(
            out_track_id=track,
            key=key,
            full=full,
            placeholder=placeholder,
            options=options,
            transport=transport,
            pacer=pacer,
        )
        self._options = options
        self._open_card = open_card
        self._answers = answers
        self._state = AnswerState.NEW
        self._closing = False
        self._task: asyncio.Task[Any] | None = None
        self._stop_requested = False
        #: The card as it was created and delivered (once entered).
        self.opened: CreateAndDeliverResult | None = None

    def __repr__(self) -> str:
        return (
            f"AnswerCard(out_track_id={self.out_track_id!r}, state={self._state.value}, "
            f"chars={len(self.text)}, frames={self.frames})"
        )

    @property
    def out_track_id(self) -> str:
        """The card's id."""
        return self._sender.out_track_id

    @property
    def key(self) -> str:
        """The template variable the answer is typed into."""
        return self._sender.key

    @property
    def text(self) -> str:
        """Everything written so far."""
        return self._sender.text

    @property
    def frames(self) -> int:
        """Streaming frames sent so far (each one call to `card.streaming`)."""
        return self._sender.frames

    @property
    def state(self) -> AnswerState:
        """Where the answer is: new, open, finished or failed."""
        return self._state

    @property
    def stopped(self) -> bool:
        """Whether `stop()` ended it."""
        return self._stop_requested

    async def __aenter__(self) -> AnswerCard:
        if self._state is not AnswerState.NEW:
            raise RuntimeError("an AnswerCard is entered once")
        self._task = asyncio.current_task()
        self.opened = await self._open_card(self.request)
        self._state = AnswerState.OPEN
        self._answers[self.out_track_id] = self
        self._sender.start()
        return self

    async def write(self, delta: str) -> None:
        """Append `delta` to the answer; the card shows it soon. Raises the error that made
        the card's updates fail for good, if one did."""
        if not isinstance(delta, str):
            raise TypeError(f"write() takes text, got {type(delta).__name__}")
        if self._state is not AnswerState.OPEN or self._closing:
            raise RuntimeError("write() only inside `async with client.cards.answer(...)`")
        failure = self._sender.failure
        if failure is not None:
            raise failure
        if delta:
            self._sender.append(delta)

    def stop(self) -> bool:
        """Stop the answer (a "stop generating" button): the task typing it is cancelled,
        and the card ends **finished** with the text so far; the `async with` block then
        ends without an exception. False if it was not being typed any more."""
        if self._state is not AnswerState.OPEN or self._closing:
            return False
        self._stop_requested = True
        task = self._task
        if task is not None and task is not asyncio.current_task() and not task.done():
            task.cancel()
        return True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        self._closing = True
        stopped = self._stop_requested and (
            exc_type is None or issubclass(exc_type, asyncio.CancelledError)
        )
        failed = exc_type is not None and not stopped
        finishing = asyncio.ensure_future(self._finish(failed))
        interrupted = await _wait_bounded(finishing, self._options.finish_timeout)
        self._answers.pop(self.out_track_id, None)
        error = self._outcome(finishing)
        if interrupted and not (self._stop_requested and _uncancel(self._task)):
            raise asyncio.CancelledError
        if exc_type is None or stopped:
            if error is not None:
                raise error
            if self._sender.failure is not None:
                raise self._sender.failure  # marked failed: the answer did not get out
        elif error is not None:
            logger.warning("card %s: could not mark it failed (%s)", self.out_track_id, error)
        if stopped and exc_type is not None:
            return _uncancel(self._task)
        return False

    async def _finish(self, failed: bool) -> None:
        """Stop the intermediate frames, then send the last: finished, or failed."""
        sender = self._sender
        await sender.stop()
        failed = failed or sender.failure is not None
        try:
            await sender.end(failed)
        except DingTalkError:
            self._state = AnswerState.FAILED
            if not failed:
                try:
                    await sender.end(True)  # at least not left "typing"
                except DingTalkError as again:
                    logger.warning("card %s: not marked failed (%s)", self.out_track_id, again)
            raise
        self._state = AnswerState.FAILED if failed else AnswerState.FINISHED

    def _outcome(self, finishing: asyncio.Future[None]) -> BaseException | None:
        """The last update's error, if any; one still running is cut off (its card may stay
        "typing": docs/cards.md says how to find and end such cards)."""
        if finishing.done():
            return None if finishing.cancelled() else finishing.exception()
        finishing.cancel()
        self._state = AnswerState.FAILED
        seconds = self._options.finish_timeout
        logger.error(
            "card %s: its last update did not complete within %ss", self.out_track_id, seconds
        )
        return TransportError(
            f"the answer's last update did not complete within {seconds}s", reached_wire=True
        )


async def _wait_bounded(task: asyncio.Future[None], seconds: float) -> bool:
    """Wait for `task` up to `seconds`, whatever cancellations arrive meanwhile; True if one
    did (the caller raises it once the task is settled)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    interrupted = False
    while not task.done():
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        try:
            await asyncio.wait({task}, timeout=remaining)
        except asyncio.CancelledError:
            interrupted = True
    return interrupted


def _uncancel(task: asyncio.Task[Any] | None) -> bool:
    """Take back the cancellation `stop()` asked for; True (suppress it) unless another
    cancellation of the task is pending (Python 3.11 and later count them)."""
    if task is None or sys.version_info < (3, 11):
        return True
    return task.uncancel() == 0

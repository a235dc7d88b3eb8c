"""Card button presses over Stream mode: the one topic whose acknowledgement carries an answer.

A card created with `callbackType` STREAM sends each press as a CALLBACK frame
on `/v1.0/card/instances/callback`. Its acknowledgement may carry a card
update (`{"response": {"cardData": ...}}`) that DingTalk applies to the card,
so it waits for the app's handler: each press runs in a task of its own (the
reading loop never waits), and its acknowledgement goes back on the connection
the press came on once the handler returns, or after `timeout` (DingTalk waits
3 s for it: https://open.dingtalk.com/document/development/event-callback-card)
with no update, the handler running on. A handler that raises is logged and
acknowledged with no update (DingTalk would redeliver a failure, and pressing a
button twice is rarely what a person meant); a press that cannot be read is
acknowledged so that it is not redelivered forever. Presses are not
deduplicated: a redelivered press (its acknowledgement lost) runs the handler
again, so handlers should be idempotent (a "stop" button is).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from .._core.wire import from_wire, to_wire
from ..cards.callbacks import CardCallback, CardCallbackReply
from ._connection import StreamConnection
from ._frames import Frame, FrameError, ack

__all__ = ["CardActionHandler", "CardActions"]

logger = logging.getLogger("dingtalk_im_async.stream")

#: What `StreamClient.on_card_action` registers: the press in, an optional card update out.
CardActionHandler = Callable[[CardCallback], Awaitable[CardCallbackReply | None]]

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class CardActions:
    """Runs the card-action handler of one client, a task per press."""

    def __init__(self, handler: CardActionHandler, *, timeout: float) -> None:
        self._handler = handler
        self._timeout = timeout
        self._tasks: set[asyncio.Future[Any]] = set()
        #: Presses handed to the handler.
        self.presses = 0
        #: Handler calls that raised, or answered after `timeout`.
        self.failures = 0

    def take(self, frame: Frame, connection: StreamConnection) -> None:
        """Start handling `frame`; its acknowledgement follows on `connection`."""
        task = asyncio.ensure_future(self._answer(frame, connection))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, frame: Frame, connection: StreamConnection) -> None:
        try:
            callback = from_wire(CardCallback, frame.payload())
        except (FrameError, TypeError, ValueError, KeyError) as error:
            logger.error("card press %s cannot be read (%s); acknowledged", frame.message_id, error)
            await connection.send(_acknowledgement(frame, None))
            return
        self.presses += 1
        reply = await self._reply(callback)
        await connection.send(_acknowledgement(frame, reply))

    async def _reply(self, callback: CardCallback) -> CardCallbackReply | None:
        """The handler's answer within `timeout`; None if it raised or took longer (then
        it runs on, its answer dropped)."""
        running = asyncio.ensure_future(self._handler(callback))
        self._tasks.add(running)  # cancelled on close, like the presses
        running.add_done_callback(self._tasks.discard)
        done, _ = await asyncio.wait({running}, timeout=self._timeout)
        if not done:
            self.failures += 1
            logger.warning(
                "card press on %s: handler still running after %ss; acknowledged without an "
                "update (DingTalk waits 3 s)",
                callback.out_track_id,
                self._timeout,
            )
            running.add_done_callback(_log_late)
            return None
        if running.cancelled():
            return None
        error = running.exception()
        if error is not None:
            self.failures += 1
            logger.error(
                "card press on %s: handler raised; acknowledged without an update",
                callback.out_track_id,
                exc_info=error,
            )
            return None
        reply = running.result()
        if reply is not None and not isinstance(reply, CardCallbackReply):
            self.failures += 1
            logger.error(
                "card press on %s: handler returned %s, not a CardCallbackReply or None",
                callback.out_track_id,
                type(reply).__name__,
            )
            return None
        return reply

    async def close(self) -> None:
        """Cancel what still runs."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _acknowledgement(frame: Frame, reply: CardCallbackReply | None) -> str:
    """200 with `{"response": <the card update, or null>}`."""
    response = None if reply is None else to_wire(reply)
    return ack(frame, data=_encode({"response": response or None}))


def _log_late(task: asyncio.Future[CardCallbackReply | None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("a late card-action handler raised", exc_info=task.exception())

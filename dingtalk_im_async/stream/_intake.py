"""Taking frames in: decode, drop duplicates, buffer, and choose each frame's acknowledgement.

This runs on the reading side and never waits for user code, so an
acknowledgement leaves as soon as its frame is read. A frame is taken in
(acknowledged as consumed) unless the buffer of items not yet handled is
full: then it is answered "LATER", left unmarked, and DingTalk redelivers it.
"""

from __future__ import annotations

import asyncio
import logging

from attrs import define

from ._codec import DecodeError
from ._decode import decode_item, identity
from ._dedup import SeenIds
from ._frames import (
    BOT_MESSAGE_TOPIC,
    CALLBACK,
    EVENT,
    Frame,
    FrameError,
    consumed_ack,
    later_ack,
    unhandled_ack,
)
from .models import StreamItem

__all__ = ["END", "Intake", "StreamStats"]

logger = logging.getLogger("dingtalk_im_async.stream")


@define(kw_only=True)
class StreamStats:
    """Counters of one `StreamClient`, for logs and dashboards."""

    #: WebSocket connections opened (the first one included).
    connections_opened: int = 0
    #: Failed attempts to open one (each followed by a backoff wait).
    connect_failures: int = 0
    #: `disconnect` frames received (each answered by a new connection first).
    disconnect_frames: int = 0
    #: Connections that ended without a `disconnect` frame (dropped, closed, timed out).
    connections_lost: int = 0
    #: Connections replaced because nothing, not even a `ping`, arrived for `idle_timeout`.
    idle_replacements: int = 0
    #: Items taken in and handed on (each msgId / eventId once).
    items: int = 0
    #: Redelivered frames recognised by msgId / eventId and not handed on again.
    duplicates_suppressed: int = 0
    #: Frames answered "LATER" because `max_pending` items were waiting.
    deferred: int = 0
    #: Frames that could not be read (acknowledged, so not redelivered forever).
    unreadable: int = 0
    #: Frames of a type or topic not subscribed to (answered 404).
    unhandled: int = 0
    #: Handler calls that raised, or ran past `handler_timeout`.
    handler_errors: int = 0
    handler_timeouts: int = 0


class _End:
    """Put in the queue when nothing more will come."""


END = _End()


class Intake:
    """Decodes, deduplicates and buffers items; `pending` counts those not yet handled."""

    def __init__(self, *, seen: SeenIds, max_pending: int, stats: StreamStats) -> None:
        self.queue: asyncio.Queue[StreamItem | _End] = asyncio.Queue()
        #: Items taken off the queue whose handling has not finished (handler mode).
        self.in_progress = 0
        self._seen = seen
        self._max_pending = max_pending
        self._stats = stats
        self._finished = False

    @property
    def pending(self) -> int:
        return self.queue.qsize() + self.in_progress

    def accept(self, frame: Frame) -> str:
        """Take `frame` in if it is new and there is room; return its acknowledgement."""
        if frame.type not in (CALLBACK, EVENT) or (
            frame.type == CALLBACK and frame.topic != BOT_MESSAGE_TOPIC
        ):
            self._stats.unhandled += 1
            logger.warning(
                "frame %s: %s %r not subscribed to", frame.message_id, frame.type, frame.topic
            )
            return unhandled_ack(frame)
        try:
            item = decode_item(frame)
        except (FrameError, DecodeError) as error:
            self._stats.unreadable += 1
            logger.error(
                "frame %s (%s) cannot be read and is dropped (%s); acknowledged so that it is "
                "not redelivered forever",
                frame.message_id,
                frame.type,
                error,
            )
            return consumed_ack(frame)
        key = identity(item)
        if key in self._seen:
            self._stats.duplicates_suppressed += 1
            return consumed_ack(frame)
        if self.pending >= self._max_pending:
            self._stats.deferred += 1
            logger.warning(
                "%d items waiting for handlers: %s answered LATER, DingTalk will redeliver it",
                self.pending,
                key,
            )
            return later_ack(frame, "client busy")
        self._seen.add(key)
        self._stats.items += 1
        self.queue.put_nowait(item)
        return consumed_ack(frame)

    def finish(self) -> None:
        """Nothing more will be put in: readers of the queue stop once it is empty."""
        if not self._finished:
            self._finished = True
            self.queue.put_nowait(END)

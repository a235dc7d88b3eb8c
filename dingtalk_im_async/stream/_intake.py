"""Taking frames in: decode, drop duplicates, buffer, and choose each frame's acknowledgement.

This runs on the reading side and never waits for user code, so an
acknowledgement leaves as soon as its frame is read. A frame is taken in
(acknowledged as consumed) unless `max_pending` items are already waiting
or being handled: then it is answered "LATER", left unmarked, and DingTalk
redelivers it. That happens only when the consumer really falls behind:
handler workers drain the buffer as fast as their handlers return.
"""

from __future__ import annotations

import logging
import time

from attrs import define

from ..budget import PushCounter
from ._buffer import Buffer
from ._codec import DecodeError
from ._connection import StreamConnection
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

__all__ = ["LATER_LOG_INTERVAL", "Held", "Intake", "StreamStats"]

logger = logging.getLogger("dingtalk_im_async.stream")

#: At most one warning about LATER answers per this many seconds (`stats.deferred` counts all).
LATER_LOG_INTERVAL = 10.0


@define(frozen=True, kw_only=True)
class Held:
    """An item taken in with `fleet_dedup`: its frame, to acknowledge once handled, and the
    connection the acknowledgement goes back on."""

    frame: Frame
    connection: StreamConnection


@define(kw_only=True)
class StreamStats:
    """Counters of one `StreamClient`, for logs and dashboards."""

    connections_opened: int = 0
    """WebSocket connections opened (the first one included)."""
    connect_failures: int = 0
    """Failed attempts to open one (each followed by a backoff wait)."""
    disconnect_frames: int = 0
    """`disconnect` frames received (each answered by a new connection first)."""
    connections_lost: int = 0
    """Connections that ended without a `disconnect` frame (dropped, closed, timed out)."""
    idle_replacements: int = 0
    """Connections replaced because nothing, not even a `ping`, arrived for `idle_timeout`."""
    items: int = 0
    """Items taken in and handed on (each msgId / eventId once)."""
    duplicates_suppressed: int = 0
    """Redelivered frames recognised by msgId / eventId and not handed on again."""
    deferred: int = 0
    """Frames answered "LATER": `max_pending` items were waiting, or `max_items` were taken."""
    unreadable: int = 0
    """Frames that could not be read, skipped (and acknowledged when their messageId could be read,
    so that they are not redelivered forever).
    """
    unhandled: int = 0
    """Frames of a type or topic not subscribed to (answered 404)."""
    handler_errors: int = 0
    """Handler calls that raised, or ran past `handler_timeout`."""
    handler_timeouts: int = 0
    """Handler calls stopped at `handler_timeout` (counted in `handler_errors` too)."""
    fleet_busy: int = 0
    """Items another instance was handling (`fleet_dedup`): answered LATER, to come back."""
    fleet_unavailable: int = 0
    """Items handled without the fleet's answer (`fleet_dedup` could not be reached)."""


class Intake:
    """Decodes, deduplicates and buffers items; `pending` counts those not yet handled."""

    def __init__(
        self,
        *,
        seen: SeenIds,
        max_pending: int,
        stats: StreamStats,
        max_items: int | None = None,
        pushes: PushCounter | None = None,
    ) -> None:
        #: Counts every push received (a bot message or an event), redeliveries included.
        self.pushes = pushes
        self.buffer: Buffer[StreamItem] = Buffer()
        #: Items taken from the buffer whose handling has not finished (handler mode).
        self.in_progress = 0
        #: The ids already taken in (shared by every connection).
        self.seen = seen
        self._max_pending = max_pending
        self._max_items = max_items
        self._stats = stats
        self._deferred_unlogged = 0
        self._next_later_log = 0.0
        #: With `fleet_dedup`: items taken in and not yet acknowledged, by identity.
        self.held: dict[str, Held] = {}

    @property
    def pending(self) -> int:
        return len(self.buffer) + self.in_progress

    def accept(self, frame: Frame) -> str:
        """Take `frame` in if it is new and there is room; return its acknowledgement."""
        item = self._decoded(frame)
        if isinstance(item, str):
            return item
        return self._take(frame, item, identity(item))

    def hold(self, frame: Frame, connection: StreamConnection) -> str | None:
        """`accept` for `fleet_dedup`: an item taken in is not acknowledged now (None) but by
        its handler's worker, after the handler (`Held`); one already handled here is
        acknowledged, one still waiting or running here is answered LATER."""
        item = self._decoded(frame)
        if isinstance(item, str):
            return item
        key = identity(item)
        if key in self.seen:
            self._stats.duplicates_suppressed += 1
            return consumed_ack(frame)
        if key in self.held:
            self._stats.deferred += 1
            return later_ack(frame, "being handled")
        if self._max_items is not None and self._stats.items >= self._max_items:
            self._stats.deferred += 1
            return later_ack(frame, "max_items reached")
        if len(self.buffer) + self.in_progress >= self._max_pending:
            return self._defer(frame, key)
        self.held[key] = Held(frame=frame, connection=connection)
        self._stats.items += 1
        self.buffer.put(item)
        return None

    def _decoded(self, frame: Frame) -> StreamItem | str:
        """The item `frame` carries, or the acknowledgement of a frame that carries none."""
        kind = frame.type
        if kind not in (CALLBACK, EVENT) or (
            kind == CALLBACK and frame.headers.get("topic") != BOT_MESSAGE_TOPIC
        ):
            self._stats.unhandled += 1
            logger.warning(
                "frame %s: %s %r not subscribed to", frame.message_id, frame.type, frame.topic
            )
            return unhandled_ack(frame)
        if self.pushes is not None:
            self.pushes.count()
        try:
            item = decode_item(frame)
        except (FrameError, DecodeError) as error:
            self._stats.unreadable += 1
            logger.error(
                "frame %s (%s) cannot be read and is dropped (%s); acknowledged so that it is "
                "not redelivered forever",
                frame.message_id,
                kind,
                error,
            )
            return consumed_ack(frame)
        return item

    def _take(self, frame: Frame, item: StreamItem, key: str) -> str:
        if self._max_items is not None and self._stats.items >= self._max_items:
            if key in self.seen:
                self._stats.duplicates_suppressed += 1
                return consumed_ack(frame)
            self._stats.deferred += 1
            logger.info("max_items taken: frame %s (%s) answered LATER", frame.message_id, key)
            return later_ack(frame, "max_items reached")
        if len(self.buffer) + self.in_progress >= self._max_pending:
            if key in self.seen:
                self._stats.duplicates_suppressed += 1
                return consumed_ack(frame)
            return self._defer(frame, key)
        if not self.seen.add_new(key):
            self._stats.duplicates_suppressed += 1
            return consumed_ack(frame)
        self._stats.items += 1
        self.buffer.put(item)
        return consumed_ack(frame)

    def _defer(self, frame: Frame, key: str) -> str:
        """LATER, with a warning at most every `LATER_LOG_INTERVAL` seconds."""
        self._stats.deferred += 1
        self._deferred_unlogged += 1
        now = time.monotonic()
        if now >= self._next_later_log:
            logger.warning(
                "%d items waiting for handlers (max_pending): %d frame(s) answered LATER since "
                "the last such warning, the latest %s; DingTalk will redeliver them",
                self.pending,
                self._deferred_unlogged,
                key,
            )
            self._deferred_unlogged = 0
            self._next_later_log = now + LATER_LOG_INTERVAL
        return later_ack(frame, "client busy")

    def finish(self) -> None:
        """Nothing more will be put in: consumers stop once the buffer is empty."""
        self.buffer.close()

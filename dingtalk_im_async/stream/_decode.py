"""From a frame to what user code sees: a `BotMessage` or an event, and its identity.

Events whose type is unknown, or whose fields do not match their class,
become `UnknownEvent` (never an exception): DingTalk adds event types and
fields without notice, and a listener must not fall over because of it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ._codec import DecodeError, from_wire
from ._frames import CALLBACK, EVENT, Frame
from .models import EVENT_CLASSES, BotMessage, StreamEvent, StreamItem, UnknownEvent

__all__ = ["decode_item", "identity"]

logger = logging.getLogger("dingtalk_im_async.stream")

_EVENT_HEADERS = ("eventId", "eventType", "eventCorpId", "eventUnifiedAppId")


def decode_item(frame: Frame) -> StreamItem:
    """The item a CALLBACK or EVENT frame carries; `FrameError`/`DecodeError` if unreadable."""
    payload = frame.payload()
    if frame.type == CALLBACK:
        return from_wire(BotMessage, payload)
    if frame.type == EVENT:
        return decode_event(frame.headers, payload, fallback_id=frame.message_id)
    raise DecodeError(f"frame type {frame.type!r} carries no item")


def decode_event(
    headers: Mapping[str, str], payload: Mapping[str, Any], *, fallback_id: str = ""
) -> StreamEvent:
    """An event from its frame's headers (identity, type, time) and its data (the rest)."""
    meta: dict[str, Any] = {key: headers[key] for key in _EVENT_HEADERS if key in headers}
    born = headers.get("eventBornTime", "")
    if born.isdigit():
        meta["eventBornTime"] = int(born)
    meta.setdefault("eventType", _text(payload.get("eventType")))
    meta.setdefault("eventId", _text(payload.get("eventId")) or fallback_id)
    cls = EVENT_CLASSES.get(meta["eventType"])
    if cls is not None:
        try:
            return from_wire(cls, {**payload, **meta})
        except DecodeError as error:
            logger.warning(
                "event %s (%s) does not match %s (%s); delivered as UnknownEvent",
                meta["eventId"],
                meta["eventType"],
                cls.__name__,
                error,
            )
    return from_wire(UnknownEvent, {**meta, "data": dict(payload)})


def identity(item: StreamItem) -> str:
    """What stays the same on every redelivery: `msgId` of a message, `eventId` of an event."""
    if isinstance(item, BotMessage):
        return f"msg:{item.msg_id}"
    return f"event:{item.event_id}"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""

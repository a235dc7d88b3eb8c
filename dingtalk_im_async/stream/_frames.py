"""The Stream protocol's frames: what the gateway sends, and the acknowledgements it expects.

A frame is a WebSocket text message holding JSON: `type` (SYSTEM, EVENT or
CALLBACK), `headers` (string values: `messageId`, `topic`, ...) and `data`,
itself a JSON *string*. Every acknowledgement echoes the frame's `messageId`
and goes back on the connection the frame came on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from attrs import define

__all__ = [
    "BOT_MESSAGE_TOPIC",
    "CALLBACK",
    "DISCONNECT",
    "EVENT",
    "PING",
    "SYSTEM",
    "Frame",
    "FrameError",
    "ack",
    "consumed_ack",
    "later_ack",
    "parse_frame",
    "system_ack",
    "unhandled_ack",
]

SYSTEM = "SYSTEM"
EVENT = "EVENT"
CALLBACK = "CALLBACK"
PING = "ping"
DISCONNECT = "disconnect"
BOT_MESSAGE_TOPIC = "/v1.0/im/bot/messages/get"

#: Acknowledgement codes DingTalk documents: consumed, topic not handled, failed (redeliver).
OK = 200
NOT_FOUND = 404
FAILED = 500

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class FrameError(ValueError):
    """A WebSocket message that is not a Stream frame (not JSON, or the wrong shape)."""


@define(frozen=True, slots=True)
class Frame:
    """One frame from the gateway; `data` is still the JSON string it arrived as."""

    type: str
    headers: Mapping[str, str]
    data: str

    @property
    def message_id(self) -> str:
        return self.headers.get("messageId", "")

    @property
    def topic(self) -> str:
        return self.headers.get("topic", "")

    def payload(self) -> dict[str, Any]:
        """`data` decoded; a `FrameError` unless it is a JSON object."""
        try:
            value = json.loads(self.data)
        except ValueError as error:
            raise FrameError(f"data is not JSON ({error.__class__.__name__})") from None
        if not isinstance(value, dict):
            raise FrameError(f"data is a JSON {type(value).__name__}, not an object")
        return value


def parse_frame(text: str) -> Frame:
    """Read one frame; header values that are not strings are kept as their text."""
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise FrameError(f"not JSON ({error.__class__.__name__})") from None
    if not isinstance(raw, dict):
        raise FrameError("not a JSON object")
    headers = raw.get("headers")
    data = raw.get("data", "")
    if not isinstance(headers, dict) or not isinstance(raw.get("type"), str):
        raise FrameError("missing type or headers")
    if not isinstance(data, str):
        # DingTalk always sends a string; an object is read rather than refused.
        data = _encode(data)
    return Frame(
        type=raw["type"],
        headers={
            str(key): value if isinstance(value, str) else _encode(value)
            for key, value in headers.items()
        },
        data=data,
    )


def ack(frame: Frame, *, code: int = OK, message: str = "OK", data: str | None = None) -> str:
    """The acknowledgement of `frame`, as DingTalk's protocol describes it."""
    return _encode(
        {
            "code": code,
            "headers": {"contentType": "application/json", "messageId": frame.message_id},
            "message": message,
            "data": _encode({"response": None}) if data is None else data,
        }
    )


def system_ack(frame: Frame) -> str:
    """`ping` and `disconnect`: code 200 with the frame's own data (`opaque`) echoed."""
    return ack(frame, data=frame.data)


def consumed_ack(frame: Frame) -> str:
    """A bot message or event taken in: 200, and for events `status: SUCCESS`."""
    if frame.type == EVENT:
        return ack(frame, data=_encode({"status": "SUCCESS", "message": "success"}))
    return ack(frame)


def later_ack(frame: Frame, reason: str) -> str:
    """Not taken in (the client is full): 500 and `status: LATER`, so the gateway redelivers."""
    return ack(
        frame, code=FAILED, message=reason, data=_encode({"status": "LATER", "message": reason})
    )


def unhandled_ack(frame: Frame) -> str:
    """A frame type or topic this client did not subscribe to: 404, as the protocol says."""
    return ack(frame, code=NOT_FOUND, message="topic not supported")

"""The Stream protocol's frames: what the gateway sends, and the acknowledgements it expects.

A frame is a WebSocket text message holding JSON: `type` (SYSTEM, EVENT or
CALLBACK), `headers` (string values: `messageId`, `topic`, ...) and `data`,
itself a JSON *string*. Every acknowledgement echoes the frame's `messageId`
and goes back on the connection the frame came on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from attrs import define

from .._json import decode_text

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
    "acknowledgement",
    "consumed_ack",
    "later_ack",
    "message_id_in",
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
#: A str as a JSON string literal, quotes included, non-ASCII kept (as `_encode` writes it).
_quote = json.encoder.encode_basestring
_MESSAGE_ID = re.compile(r'"messageId"\s*:\s*"((?:[^"\\]|\\.)*)"')


class FrameError(ValueError):
    """A WebSocket message that is not a Stream frame (not JSON, or the wrong shape)."""


@define(slots=True)
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
        value = _decode(self.data, "data ")
        if type(value) is not dict:
            raise FrameError(f"data is a JSON {type(value).__name__}, not an object")
        return value


def _decode(text: str, what: str = "") -> Any:
    """JSON; a `FrameError` for anything unreadable, too deeply nested included."""
    try:
        return decode_text(text)
    except (ValueError, RecursionError) as error:
        raise FrameError(f"{what}not JSON ({error.__class__.__name__})") from None


def parse_frame(text: str) -> Frame:
    """Read one frame; header values that are not strings are kept as their text."""
    raw = _decode(text)
    if type(raw) is not dict:
        raise FrameError("not a JSON object")
    kind = raw.get("type")
    headers = raw.get("headers")
    data = raw.get("data", "")
    if type(headers) is not dict or type(kind) is not str:
        raise FrameError("missing type or headers")
    if type(data) is not str:
        # DingTalk always sends a string; an object is read rather than refused.
        data = _encode(data)
    for value in headers.values():
        if type(value) is not str:
            headers = {
                str(key): value if isinstance(value, str) else _encode(value)
                for key, value in headers.items()
            }
            break
    return Frame(kind, headers, data)


def message_id_in(text: str) -> str | None:
    """The `messageId` of a message that cannot be read as a frame, if it can be found.

    For acknowledging what cannot be decoded (too deeply nested, say), so that
    the gateway does not redeliver it forever; the first match counts, an
    escaped one is left out rather than guessed.
    """
    match = _MESSAGE_ID.search(text)
    if match is None or "\\" in match.group(1):
        return None
    return match.group(1)


# Acknowledging a bot message, the one frame that comes in bursts, is the same text
# every time but for its messageId: the parts around it are encoded once.
_CONSUMED_HEAD, _CONSUMED_TAIL = _encode(
    {
        "code": OK,
        "headers": {"contentType": "application/json", "messageId": "\0"},
        "message": "OK",
        "data": _encode({"response": None}),
    }
).split(_quote("\0"))


def ack(frame: Frame, *, code: int = OK, message: str = "OK", data: str | None = None) -> str:
    """The acknowledgement of `frame`, as DingTalk's protocol describes it."""
    return acknowledgement(frame.message_id, code=code, message=message, data=data)


def acknowledgement(
    message_id: str, *, code: int = OK, message: str = "OK", data: str | None = None
) -> str:
    """The acknowledgement of the frame `message_id` names."""
    if code == OK and message == "OK" and data is None:
        return f"{_CONSUMED_HEAD}{_quote(message_id)}{_CONSUMED_TAIL}"
    return _encode(
        {
            "code": code,
            "headers": {"contentType": "application/json", "messageId": message_id},
            "message": message,
            "data": _encode({"response": None}) if data is None else data,
        }
    )


def system_ack(frame: Frame) -> str:
    """`ping` and `disconnect`: code 200 with the frame's own data (`opaque`) echoed."""
    return ack(frame, data=frame.data)


#: An event's acknowledgement data: consumed.
_EVENT_CONSUMED = _encode({"status": "SUCCESS", "message": "success"})


def consumed_ack(frame: Frame) -> str:
    """A bot message or event taken in: 200, and for events `status: SUCCESS`."""
    if frame.type == EVENT:
        return ack(frame, data=_EVENT_CONSUMED)
    return acknowledgement(frame.message_id)


def later_ack(frame: Frame, reason: str) -> str:
    """Not taken in (the client is full): 500 and `status: LATER`, so the gateway redelivers."""
    return ack(
        frame, code=FAILED, message=reason, data=_encode({"status": "LATER", "message": reason})
    )


def unhandled_ack(frame: Frame) -> str:
    """A frame type or topic this client did not subscribe to: 404, as the protocol says."""
    return ack(frame, code=NOT_FOUND, message="topic not supported")

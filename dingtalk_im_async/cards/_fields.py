"""The checks of the card fields, each naming its field: DingTalk's card limits, before any I/O.

Limits are DingTalk's (https://open.dingtalk.com/document/development/create-and-deliver-cards,
https://open.dingtalk.com/document/development/interactive-card-update-interface):
`cardParamMap` values are strings, keys at most 100 bytes, values at most 1 KB
(UTF-8 bytes, not characters); an `outTrackId` at most 64 characters
(https://open.dingtalk.com/document/development/server-api-error-codes-1,
`outTrackId.outOfLimit`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from types import MappingProxyType

from .._core.fields import check_text, to_ids
from ..errors import RequestValidationError

__all__ = [
    "FULL_JSON_KEY",
    "MAX_KEY_BYTES",
    "MAX_OUT_TRACK_ID_CHARS",
    "MAX_VALUE_BYTES",
    "json_params",
    "new_guid",
    "new_out_track_id",
    "out_track_id_for",
]

#: A `cardParamMap` key, at most (UTF-8 bytes).
MAX_KEY_BYTES = 100
#: A `cardParamMap` value, at most (UTF-8 bytes): "最长不超过1KB".
MAX_VALUE_BYTES = 1024
#: An `outTrackId`, at most (characters).
MAX_OUT_TRACK_ID_CHARS = 64
#: The built-in card parameter whose value is a JSON string of structured data
#: (https://open.dingtalk.com/document/development/instructions-for-filling-in-api-card-data).
FULL_JSON_KEY = "sys_full_json_obj"

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _utf8_bytes(name: str, text: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise RequestValidationError(name, "must be valid Unicode (no lone surrogates)") from None


def out_track_id(value: object) -> str:
    """A non-blank `outTrackId` of at most 64 characters."""
    text = check_text("out_track_id", value)
    if len(text) > MAX_OUT_TRACK_ID_CHARS:
        raise RequestValidationError(
            "out_track_id",
            f"must be at most {MAX_OUT_TRACK_ID_CHARS} characters, got {len(text)}",
        )
    return text


def new_out_track_id() -> str:
    """A fresh random `outTrackId` (32 hex digits), made once per request object: the same
    request sent again carries the same id, so DingTalk refuses a second card."""
    return uuid.uuid4().hex


def out_track_id_for(*parts: str) -> str:
    """A deterministic `outTrackId` from what identifies the occasion, e.g. the incoming
    message's `msgId`: the same parts give the same id in any process, so a retry after a
    crash, or a second instance of a fleet handling a redelivered message, meets
    `param.cardAlreadyExist` instead of making a second card.

        out_track_id_for(message.msg_id)            # one card per incoming message
        out_track_id_for("daily-report", "2026-08-01", group_id)
    """
    if not parts:
        raise RequestValidationError("parts", "give at least one part")
    for position, part in enumerate(parts):
        check_text(f"parts[{position}]", part)
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return "card-" + digest[:40]


def new_guid() -> str:
    """A fresh `guid` for one streaming frame (DingTalk's idempotency key of the frame)."""
    return str(uuid.uuid4())


def param_map(name: str, value: object) -> Mapping[str, str]:
    """A `cardParamMap`: string keys of 1 to 100 bytes, string values of at most 1 KB."""
    if not isinstance(value, Mapping):
        raise RequestValidationError(name, f"must be a mapping, got {type(value).__name__}")
    checked: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise RequestValidationError(name, f"keys must be non-empty strings, got {key!r}")
        if _utf8_bytes(name, key) > MAX_KEY_BYTES:
            raise RequestValidationError(
                f"{name}[{key[:20]!r}...]", f"keys must be at most {MAX_KEY_BYTES} bytes"
            )
        if not isinstance(item, str):
            raise RequestValidationError(
                f"{name}[{key!r}]",
                f"values must be strings, got {type(item).__name__} (structured data goes "
                f"into {FULL_JSON_KEY!r}: json_params(...))",
            )
        size = _utf8_bytes(f"{name}[{key!r}]", item)
        if size > MAX_VALUE_BYTES:
            raise RequestValidationError(
                f"{name}[{key!r}]", f"values must be at most {MAX_VALUE_BYTES} bytes, got {size}"
            )
        checked[key] = item
    return MappingProxyType(checked)


def card_data(value: object) -> Mapping[str, str]:
    return param_map("card_data", {} if value is None else value)


def private_data(value: object) -> Mapping[str, Mapping[str, str]]:
    """Per user (userId, or unionId with `userIdType` 2), that user's own `cardParamMap`."""
    value = {} if value is None else value
    if not isinstance(value, Mapping):
        raise RequestValidationError(
            "private_data", f"must be a mapping of user -> params, got {type(value).__name__}"
        )
    checked: dict[str, Mapping[str, str]] = {}
    for user, params in value.items():
        user = check_text("private_data (a user id)", user)
        if _utf8_bytes("private_data", user) > MAX_KEY_BYTES:
            raise RequestValidationError("private_data", f"user ids are at most {MAX_KEY_BYTES} B")
        checked[user] = param_map(f"private_data[{user!r}]", params)
    return MappingProxyType(checked)


def text_map(name: str, value: object) -> Mapping[str, str]:
    """A map of strings to strings (`atUserIds`, `extension`, `lastMessageI18n`)."""
    value = {} if value is None else value
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise RequestValidationError(name, "must map strings to strings")
    return MappingProxyType(dict(value))


def ids(name: str, value: object) -> tuple[str, ...]:
    return to_ids(name, value)


def optional_text(name: str, value: object) -> str | None:
    return None if value is None else check_text(name, value)


def stream_key(value: object) -> str:
    text = check_text("key", value)
    if _utf8_bytes("key", text) > MAX_KEY_BYTES:
        raise RequestValidationError("key", f"must be at most {MAX_KEY_BYTES} bytes")
    return text


def stream_content(value: object) -> str:
    """A frame's content: a string, never empty (`param.stream.contentEmpty`)."""
    if not isinstance(value, str):
        raise RequestValidationError("content", f"must be a string, got {type(value).__name__}")
    if not value:
        raise RequestValidationError("content", "must not be empty (param.stream.contentEmpty)")
    _utf8_bytes("content", value)
    return value


def json_params(data: Mapping[str, object]) -> dict[str, str]:
    """Structured card data as DingTalk takes it: `{"sys_full_json_obj": "<JSON>"}`, to merge
    into a `card_data` map (`{**json_params({"items": [...]}), "title": "..."}`)."""
    if not isinstance(data, Mapping):
        raise RequestValidationError("data", f"must be a mapping, got {type(data).__name__}")
    try:
        text = _encode(data)
    except (TypeError, ValueError) as error:
        raise RequestValidationError("data", f"must be JSON-serialisable ({error})") from None
    return {FULL_JSON_KEY: text}

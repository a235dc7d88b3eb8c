"""The converters of the robot message fields: each checks one value and names it in errors.

One named function per field, because attrs' mypy plugin derives `__init__`'s
parameter types from them.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._core.fields import check_text
from ..errors import RequestValidationError

#: The file types `sampleFile` supports, as DingTalk documents them.
FILE_TYPES = frozenset({"xlsx", "pdf", "zip", "rar", "doc", "docx"})


def _content(value: str) -> str:
    return check_text("content", value)


def _title(value: str) -> str:
    return check_text("title", value)


def _text(value: str) -> str:
    return check_text("text", value)


def _message_url(value: str) -> str:
    return check_text("message_url", value)


def _pic_url(value: str) -> str:
    return check_text("pic_url", value)


def _photo_url(value: str) -> str:
    return check_text("photo_url", value)


def _single_title(value: str) -> str:
    return check_text("single_title", value)


def _single_url(value: str) -> str:
    return check_text("single_url", value)


def _button_title(value: str) -> str:
    return check_text("button.title", value)


def _button_url(value: str) -> str:
    return check_text("button.url", value)


def _media_id(value: str) -> str:
    return check_text("media_id", value)


def file_name(value: str) -> str:
    return check_text("file_name", value)


def _msg_key(value: str) -> str:
    return check_text("msg_key", value)


def _open_conversation_id(value: str) -> str:
    return check_text("open_conversation_id", value)


def _robot_code(value: str | None) -> str | None:
    return None if value is None else check_text("robot_code", value)


def _cool_app_code(value: str | None) -> str | None:
    return None if value is None else check_text("cool_app_code", value)


def file_type(value: str) -> str:
    text = check_text("file_type", value).lower()
    if text not in FILE_TYPES:
        allowed = ", ".join(sorted(FILE_TYPES))
        raise RequestValidationError("file_type", f"must be one of {allowed}, got {value!r}")
    return text


def param_dict(value: Mapping[str, object]) -> dict[str, object]:
    if not isinstance(value, Mapping):
        raise RequestValidationError("msg_param", f"must be a mapping, got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise RequestValidationError("msg_param", f"keys must be strings, got {key!r}")
    return dict(value)

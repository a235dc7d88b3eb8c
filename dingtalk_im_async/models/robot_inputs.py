"""Robot messages read from data (a bulk file's `msgKey` and `msgParam`), as typed messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import RequestValidationError
from ._robot_fields import param_dict
from .robot import (
    VERTICAL_BUTTONS,
    ActionCard,
    Button,
    ButtonCard,
    File,
    Image,
    Link,
    Markdown,
    RawMessage,
    RobotMessage,
    Text,
)

__all__ = ["message_from_wire"]


def message_from_wire(msg_key: str, msg_param: Mapping[str, object]) -> RobotMessage:
    """The typed message for a documented kind and its fields, else a `RawMessage`.

    Used to read messages from files (the CLI's bulk input): a documented
    kind is checked as if built in Python, so a missing or bad field raises
    `RequestValidationError` naming it. Fields beyond the documented ones
    are kept (the message is then a `RawMessage` of the checked fields).
    """
    param = param_dict(msg_param)
    typed = _typed(msg_key, param)
    if typed is None or typed.msg_param() != param:
        return RawMessage(key=msg_key, param=param)
    return typed


def _typed(msg_key: str, param: Mapping[str, object]) -> RobotMessage | None:
    def get(key: str) -> Any:
        return _field(param, key)

    if msg_key == "sampleText":
        return Text(get("content"))
    if msg_key == "sampleMarkdown":
        return Markdown(get("title"), get("text"))
    if msg_key == "sampleImageMsg":
        return Image(get("photoURL"))
    if msg_key == "sampleLink":
        return Link(
            title=get("title"),
            text=get("text"),
            message_url=get("messageUrl"),
            pic_url=get("picUrl"),
        )
    if msg_key == "sampleActionCard":
        return ActionCard(
            title=get("title"),
            text=get("text"),
            single_title=get("singleTitle"),
            single_url=get("singleURL"),
        )
    if msg_key == "sampleActionCard6":
        buttons = _read_buttons(param, "buttonTitle", "buttonUrl", 2)
        return ButtonCard(title=get("title"), text=get("text"), buttons=buttons, side_by_side=True)
    if msg_key in _VERTICAL_KEYS:
        buttons = _read_buttons(param, "actionTitle", "actionURL", _VERTICAL_KEYS[msg_key])
        return ButtonCard(title=get("title"), text=get("text"), buttons=buttons)
    if msg_key == "sampleFile":
        return File(media_id=get("mediaId"), file_name=get("fileName"), file_type=get("fileType"))
    return None


_VERTICAL_KEYS = {f"sampleActionCard{count}": count for count in VERTICAL_BUTTONS}


def _read_buttons(param: Mapping[str, object], title: str, url: str, count: int) -> list[Button]:
    return [
        Button(_field(param, f"{title}{number}"), _field(param, f"{url}{number}"))
        for number in range(1, count + 1)
    ]


def _field(param: Mapping[str, object], key: str) -> Any:
    if key not in param:
        raise RequestValidationError(f"msg_param.{key}", "missing")
    return param[key]

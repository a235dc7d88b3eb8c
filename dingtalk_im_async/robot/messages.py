"""What the app's robot posts into a group: one class per DingTalk message kind.

DingTalk's robot API takes a message as `msgKey` (the kind, e.g.
`sampleMarkdown`) and `msgParam`, the kind's fields as a JSON *string* of at
most 15,000 bytes. Each class here knows its `msg_key` and builds its
`msg_param()`; `RawMessage` is the escape hatch for kinds without a class.
Every message is checked when built, the size limit included, so a message
DingTalk would refuse raises `RequestValidationError` before any I/O.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import define, field

from ..errors import RequestValidationError
from ._fields import (
    FILE_TYPES,
    _button_title,
    _button_url,
    _content,
    _media_id,
    _message_url,
    _msg_key,
    _photo_url,
    _pic_url,
    _single_title,
    _single_url,
    _text,
    _title,
    file_name,
    file_type,
    param_dict,
)

__all__ = [
    "DOCUMENTED_MSG_KEYS",
    "FILE_TYPES",
    "MSG_PARAM_MAX_BYTES",
    "ActionCard",
    "Button",
    "ButtonCard",
    "File",
    "Image",
    "Link",
    "Markdown",
    "RawMessage",
    "RobotMessage",
    "Text",
    "encode_msg_param",
    "message_from_wire",
]

#: DingTalk's limit on the encoded `msgParam`, in UTF-8 bytes.
MSG_PARAM_MAX_BYTES = 15_000
#: The message kinds DingTalk documents for robot messages
#: (https://open.dingtalk.com/document/development/robot-message-type).
DOCUMENTED_MSG_KEYS = frozenset(
    {
        "sampleText",
        "sampleMarkdown",
        "sampleImageMsg",
        "sampleLink",
        "sampleActionCard",
        "sampleActionCard2",
        "sampleActionCard3",
        "sampleActionCard4",
        "sampleActionCard5",
        "sampleActionCard6",
        "sampleAudio",
        "sampleVideo",
        "sampleFile",
    }
)
#: Buttons of a stacked `ButtonCard`: sampleActionCard2..5 hold two to five, one per row.
VERTICAL_BUTTONS = range(2, 6)

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode_msg_param(msg_param: Mapping[str, object]) -> str:
    """`msg_param` as the JSON string DingTalk expects, checked against its 15,000 bytes."""
    try:
        text = _encode(dict(msg_param))
    except (TypeError, ValueError) as error:
        raise RequestValidationError("msg_param", f"must be JSON-serialisable: {error}") from None
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise RequestValidationError(
            "msg_param", "must be valid Unicode (no lone surrogates)"
        ) from None
    if size > MSG_PARAM_MAX_BYTES:
        raise RequestValidationError(
            "msg_param", f"encoded it is {size} bytes; DingTalk takes at most {MSG_PARAM_MAX_BYTES}"
        )
    return text


class RobotMessage(abc.ABC):
    """A message the robot can post: its DingTalk kind and that kind's fields."""

    @property
    @abc.abstractmethod
    def msg_key(self) -> str:
        """DingTalk's name for the kind (`msgKey`), e.g. `sampleText`."""

    @abc.abstractmethod
    def msg_param(self) -> dict[str, object]:
        """The kind's fields by DingTalk's names (`msgParam`, before JSON encoding)."""

    def __attrs_post_init__(self) -> None:
        encode_msg_param(self.msg_param())  # the size limit, checked when the message is built


@define(frozen=True)
class Text(RobotMessage):
    """`sampleText`: plain text."""

    content: str = field(converter=_content)
    """The text (`content`)."""

    @property
    def msg_key(self) -> str:
        return "sampleText"

    def msg_param(self) -> dict[str, object]:
        return {"content": self.content}


@define(frozen=True)
class Markdown(RobotMessage):
    """`sampleMarkdown`: `text` in DingTalk's Markdown; `title` is what notifications show."""

    title: str = field(converter=_title)
    """What notifications and the conversation list show (`title`)."""
    text: str = field(converter=_text)
    """The message in DingTalk's Markdown (`text`)."""

    @property
    def msg_key(self) -> str:
        return "sampleMarkdown"

    def msg_param(self) -> dict[str, object]:
        return {"title": self.title, "text": self.text}


@define(frozen=True, kw_only=True)
class Link(RobotMessage):
    """`sampleLink`: a title, a summary and a picture that open `message_url`."""

    title: str = field(converter=_title)
    """The link's title (`title`)."""
    text: str = field(converter=_text)
    """The summary under the title (`text`)."""
    message_url: str = field(converter=_message_url)
    """The URL a tap opens (`messageUrl`)."""
    pic_url: str = field(converter=_pic_url)
    """The picture beside the summary, a URL or an uploaded file's media id (`picUrl`)."""

    @property
    def msg_key(self) -> str:
        return "sampleLink"

    def msg_param(self) -> dict[str, object]:
        return {
            "title": self.title,
            "text": self.text,
            "messageUrl": self.message_url,
            "picUrl": self.pic_url,
        }


@define(frozen=True)
class Image(RobotMessage):
    """`sampleImageMsg`: a picture by URL, or by the `media_id` of an uploaded file."""

    photo_url: str = field(converter=_photo_url)
    """The picture: a URL or an uploaded file's media id (`photoURL`)."""

    @property
    def msg_key(self) -> str:
        return "sampleImageMsg"

    def msg_param(self) -> dict[str, object]:
        return {"photoURL": self.photo_url}


@define(frozen=True, kw_only=True)
class ActionCard(RobotMessage):
    """`sampleActionCard`: a Markdown card with one button (`single_title`) opening `single_url`."""

    title: str = field(converter=_title)
    """What notifications and the conversation list show (`title`)."""
    text: str = field(converter=_text)
    """The card's body in DingTalk's Markdown (`text`)."""
    single_title: str = field(converter=_single_title)
    """The button's label (`singleTitle`)."""
    single_url: str = field(converter=_single_url)
    """The URL the button opens (`singleURL`)."""

    @property
    def msg_key(self) -> str:
        return "sampleActionCard"

    def msg_param(self) -> dict[str, object]:
        return {
            "title": self.title,
            "text": self.text,
            "singleTitle": self.single_title,
            "singleURL": self.single_url,
        }


@define(frozen=True)
class Button:
    """One button of a `ButtonCard`: its label and the URL it opens."""

    title: str = field(converter=_button_title)
    """The button's label (`actionTitleN`, or `buttonTitleN` side by side)."""
    url: str = field(converter=_button_url)
    """The URL the button opens (`actionURLN`, or `buttonUrlN` side by side)."""


def _buttons(value: Iterable[Button]) -> tuple[Button, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise RequestValidationError("buttons", "must be a list of Button")
    buttons = tuple(value)
    for position, button in enumerate(buttons):
        if not isinstance(button, Button):
            raise RequestValidationError(
                f"buttons[{position}]", f"must be a Button, got {type(button).__name__}"
            )
    return buttons


@define(frozen=True, kw_only=True)
class ButtonCard(RobotMessage):
    """A Markdown card with several buttons, DingTalk's `sampleActionCard2` to `6`.

    Two to five buttons stacked one per row (`sampleActionCard2` ... `5`, by
    their number), or exactly two side by side with `side_by_side=True`
    (`sampleActionCard6`).
    """

    title: str = field(converter=_title)
    """What notifications and the conversation list show (`title`)."""
    text: str = field(converter=_text)
    """The card's body in DingTalk's Markdown (`text`)."""
    buttons: tuple[Button, ...] = field(converter=_buttons)
    """Two to five buttons, in order; exactly two when `side_by_side`."""
    side_by_side: bool = False
    """Two buttons in one row (`sampleActionCard6`) instead of one per row."""

    def __attrs_post_init__(self) -> None:
        count = len(self.buttons)
        if self.side_by_side and count != 2:
            raise RequestValidationError("buttons", f"side by side takes exactly 2, got {count}")
        if not self.side_by_side and count not in VERTICAL_BUTTONS:
            raise RequestValidationError("buttons", f"must be 2 to 5 buttons, got {count}")
        super().__attrs_post_init__()

    @property
    def msg_key(self) -> str:
        return "sampleActionCard6" if self.side_by_side else f"sampleActionCard{len(self.buttons)}"

    def msg_param(self) -> dict[str, object]:
        param: dict[str, object] = {"title": self.title, "text": self.text}
        for number, button in enumerate(self.buttons, start=1):
            if self.side_by_side:
                param[f"buttonTitle{number}"] = button.title
                param[f"buttonUrl{number}"] = button.url
            else:
                param[f"actionTitle{number}"] = button.title
                param[f"actionURL{number}"] = button.url
        return param


@define(frozen=True, kw_only=True)
class File(RobotMessage):
    """`sampleFile`: a file uploaded beforehand (its `media_id`), shown as `file_name`."""

    media_id: str = field(converter=_media_id)
    """The uploaded file's media id (`mediaId`)."""
    file_name: str = field(converter=file_name)
    """The name the group sees (`fileName`)."""
    file_type: str = field(converter=file_type)
    """One of xlsx, pdf, zip, rar, doc, docx, any case (`fileType`)."""

    @property
    def msg_key(self) -> str:
        return "sampleFile"

    def msg_param(self) -> dict[str, object]:
        return {"mediaId": self.media_id, "fileName": self.file_name, "fileType": self.file_type}


@define(frozen=True, kw_only=True)
class RawMessage(RobotMessage):
    """Any kind by its `msgKey` and `msgParam` fields (e.g. `sampleAudio`, `sampleVideo`),
    as DingTalk documents them: nothing is checked but that it encodes within the limit."""

    key: str = field(converter=_msg_key)
    """The kind, as DingTalk names it (`msgKey`), e.g. `sampleAudio`."""
    param: dict[str, object] = field(converter=param_dict)
    """The kind's fields by DingTalk's names (`msgParam`, sent as a JSON string)."""

    @property
    def msg_key(self) -> str:
        return self.key

    def msg_param(self) -> dict[str, object]:
        return dict(self.param)


# -- messages read from data (a bulk file's msgKey and msgParam) ---------------------


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

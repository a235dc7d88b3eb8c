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

from attrs import define, field

from ..errors import RequestValidationError
from ._robot_fields import (
    FILE_TYPES,
    _button_title,
    _button_url,
    _content,
    _cool_app_code,
    _media_id,
    _message_url,
    _msg_key,
    _open_conversation_id,
    _photo_url,
    _pic_url,
    _robot_code,
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
    "GroupMessage",
    "Image",
    "Link",
    "Markdown",
    "RawMessage",
    "RobotMessage",
    "Text",
    "encode_msg_param",
]

#: DingTalk's limit on the encoded `msgParam`, in UTF-8 bytes.
MSG_PARAM_MAX_BYTES = 15_000
#: The message kinds DingTalk documents for robot messages (DOC `robot-message-type`).
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

    @property
    def msg_key(self) -> str:
        return "sampleText"

    def msg_param(self) -> dict[str, object]:
        return {"content": self.content}


@define(frozen=True)
class Markdown(RobotMessage):
    """`sampleMarkdown`: `text` in DingTalk's Markdown; `title` is what notifications show."""

    title: str = field(converter=_title)
    text: str = field(converter=_text)

    @property
    def msg_key(self) -> str:
        return "sampleMarkdown"

    def msg_param(self) -> dict[str, object]:
        return {"title": self.title, "text": self.text}


@define(frozen=True, kw_only=True)
class Link(RobotMessage):
    """`sampleLink`: a title, a summary and a picture that open `message_url`."""

    title: str = field(converter=_title)
    text: str = field(converter=_text)
    message_url: str = field(converter=_message_url)
    pic_url: str = field(converter=_pic_url)

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

    @property
    def msg_key(self) -> str:
        return "sampleImageMsg"

    def msg_param(self) -> dict[str, object]:
        return {"photoURL": self.photo_url}


@define(frozen=True, kw_only=True)
class ActionCard(RobotMessage):
    """`sampleActionCard`: a Markdown card with one button (`single_title`) opening `single_url`."""

    title: str = field(converter=_title)
    text: str = field(converter=_text)
    single_title: str = field(converter=_single_title)
    single_url: str = field(converter=_single_url)

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
    url: str = field(converter=_button_url)


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
    text: str = field(converter=_text)
    buttons: tuple[Button, ...] = field(converter=_buttons)
    side_by_side: bool = False

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
    file_name: str = field(converter=file_name)
    file_type: str = field(converter=file_type)

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
    param: dict[str, object] = field(converter=param_dict)

    @property
    def msg_key(self) -> str:
        return self.key

    def msg_param(self) -> dict[str, object]:
        return dict(self.param)


def _message(_instance: object, _attribute: object, value: RobotMessage) -> None:
    if not isinstance(value, RobotMessage):
        raise RequestValidationError(
            "message", f"must be a robot message (Text, Markdown, ...), got {type(value).__name__}"
        )


@define(frozen=True, kw_only=True)
class GroupMessage:
    """Body of `POST /v1.0/robot/groupMessages/send`: `message` into one group.

    `robot_code` None means the sending service's robot (for an internal
    app, its app key); `cool_app_code` is needed only when the robot was
    installed through a group cool app. On the wire `message` becomes
    `msgKey` and the JSON string `msgParam`.
    """

    open_conversation_id: str = field(converter=_open_conversation_id)
    message: RobotMessage = field(validator=_message)
    robot_code: str | None = field(default=None, converter=_robot_code)
    cool_app_code: str | None = field(default=None, converter=_cool_app_code)

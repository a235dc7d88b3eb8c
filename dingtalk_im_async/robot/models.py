"""Requests and results of the robot message API: the message to send, and recall, read
status and the robots installed in a group, validated when built."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any

from attrs import define, field

from .._core.fields import IdList, check_text, to_ids
from .._core.wire import wire
from ..errors import RequestValidationError
from ._fields import _cool_app_code, _open_conversation_id, _robot_code
from .messages import (
    MSG_PARAM_MAX_BYTES,
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
    encode_msg_param,
    message_from_wire,
)

__all__ = [
    "MSG_PARAM_MAX_BYTES",
    "ActionCard",
    "Button",
    "ButtonCard",
    "File",
    "GroupMessage",
    "GroupRobot",
    "GroupRobots",
    "Image",
    "Link",
    "Markdown",
    "OpenRobotType",
    "RawMessage",
    "ReadStatusPage",
    "ReadStatusQuery",
    "RecallRequest",
    "RecallResult",
    "RobotMessage",
    "SendResult",
    "SendStatus",
    "Text",
]

#: `maxResults` of a read-status page, at most (DingTalk refuses more with
#: `invalidParameter.pageSize.invalid`).
MAX_READ_STATUS_PAGE = 200
#: `processQueryKeys` of one recall, at most (`invalidParameter.processQueryKeys.overMax`).
MAX_RECALL_KEYS = 20


class SendStatus(str, enum.Enum):
    """Where a robot message stands (`sendStatus` of the read-status query)."""

    SUCCESS = "SUCCESS"
    RECALLED = "RECALLED"
    PROCESSING = "PROCESSING"


class OpenRobotType(enum.IntEnum):
    """What kind of robot a group holds (`openRobotType`)."""

    PUBLIC_TEMPLATE = 1
    INTERNAL_APP = 2
    THIRD_PARTY = 3
    SCENE_GROUP = 4


def _process_query_key(value: str) -> str:
    return check_text("process_query_key", value)


def _process_query_keys(value: IdList) -> tuple[str, ...]:
    keys = to_ids("process_query_keys", value)
    if not 1 <= len(keys) <= MAX_RECALL_KEYS:
        raise RequestValidationError(
            "process_query_keys", f"must hold 1 to {MAX_RECALL_KEYS} keys, got {len(keys)}"
        )
    return keys


def _max_results(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestValidationError("max_results", "must be an integer")
    if not 1 <= value <= MAX_READ_STATUS_PAGE:
        raise RequestValidationError(
            "max_results", f"must be 1 to {MAX_READ_STATUS_PAGE}, got {value}"
        )
    return value


def _next_token(value: str | None) -> str | None:
    return None if value is None else check_text("next_token", value)


@define(frozen=True, kw_only=True)
class SendResult:
    """What DingTalk returns for a posted message: the key to recall it or read its status."""

    process_query_key: str
    """The message's key (`processQueryKey`): recall it or read its status with it."""


@define(frozen=True, kw_only=True)
class RecallRequest:
    """Body of `POST /v1.0/robot/groupMessages/recall`: 1 to 20 messages of one group, by the
    keys `send` returned. `robot_code` None: the recalling service's robot."""

    open_conversation_id: str = field(converter=_open_conversation_id)
    """The group the messages were posted in (`openConversationId`)."""
    process_query_keys: tuple[str, ...] = field(converter=_process_query_keys)
    """The messages' keys from `send` (`processQueryKeys`): 1 to 20."""
    robot_code: str | None = field(default=None, converter=_robot_code)
    """The robot that posted them (`robotCode`); None: the service's robot."""


@define(frozen=True, kw_only=True)
class RecallResult:
    """Which messages were recalled and which were not. A recall leaves no notice in the chat."""

    succeeded: tuple[str, ...] = field(default=(), metadata=wire("successResult"))
    """The keys of the messages recalled (`successResult`)."""
    failed: Mapping[str, str] = field(factory=dict, metadata=wire("failedResult"))
    """Each key not recalled, with DingTalk's reason (`failedResult`)."""


@define(frozen=True, kw_only=True)
class ReadStatusQuery:
    """Body of `POST /v1.0/robot/groupMessages/query`: one page of a message's readers."""

    process_query_key: str = field(converter=_process_query_key)
    """The message's key from `send` (`processQueryKey`)."""
    open_conversation_id: str = field(converter=_open_conversation_id)
    """The group it was sent to (`openConversationId`), as it was sent."""
    robot_code: str | None = field(default=None, converter=_robot_code)
    """The robot that sent it (`robotCode`); None: the querying service's robot."""
    max_results: int = field(converter=_max_results)
    """The page size, 1 to 200 (`maxResults`; always sent: DingTalk documents no default)."""
    next_token: str | None = field(default=None, converter=_next_token)
    """The previous page's `next_token` (`nextToken`); None for the first page."""


@define(frozen=True, kw_only=True)
class ReadStatusPage:
    """One page of a message's read status."""

    send_status: SendStatus | str
    """Where the message stands (`sendStatus`): a `SendStatus`, else the raw string."""
    read_user_ids: tuple[str, ...] = ()
    """The userIds on this page that read it (`readUserIds`)."""
    has_more: bool = False
    """Whether another page follows (`hasMore`)."""
    next_token: str | None = None
    """What asks for the next page while `has_more` (`nextToken`)."""


@define(frozen=True, kw_only=True)
class GroupRobotsQuery:
    """Body of `POST /v1.0/robot/groups/robots/query`."""

    open_conversation_id: str = field(converter=_open_conversation_id)


@define(frozen=True, kw_only=True)
class GroupRobot:
    """A robot installed in a group."""

    robot_code: str
    """The robot's code (`robotCode`; an internal app's is its app key)."""
    name: str | None = None
    """The robot's name (`name`)."""
    download_icon_url: str | None = field(default=None, metadata=wire("downloadIconURL"))
    """Where its icon downloads from (`downloadIconURL`)."""
    open_robot_type: OpenRobotType | int | None = None
    """What kind of robot (`openRobotType`): an `OpenRobotType`, else the raw number."""


@define(frozen=True, kw_only=True)
class GroupRobots:
    """The robots installed in a group (`chatbotInstanceVOList`)."""

    robots: tuple[GroupRobot, ...] = field(default=(), metadata=wire("chatbotInstanceVOList"))
    """Each robot in the group (`chatbotInstanceVOList`)."""

    def has(self, robot_code: str) -> bool:
        """Whether the robot with this code is among them."""
        return any(robot.robot_code == robot_code for robot in self.robots)


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
    """The group (`openConversationId`)."""
    message: RobotMessage = field(validator=_message)
    """What to post: `Text`, `Markdown`, ... (`msgKey` and `msgParam` on the wire)."""
    robot_code: str | None = field(default=None, converter=_robot_code)
    """The robot that posts (`robotCode`); None: the sending service's robot."""
    cool_app_code: str | None = field(default=None, converter=_cool_app_code)
    """The group cool app the robot was installed with (`coolAppCode`), if any."""

    def _to_wire(self) -> dict[str, Any]:
        """The send body: `message` becomes `msgKey` and the JSON string `msgParam`."""
        body = {
            "openConversationId": self.open_conversation_id,
            "msgKey": self.message.msg_key,
            "msgParam": encode_msg_param(self.message.msg_param()),
        }
        if self.robot_code is not None:
            body["robotCode"] = self.robot_code
        if self.cool_app_code is not None:
            body["coolAppCode"] = self.cool_app_code
        return body

    @classmethod
    def _from_wire(cls, data: Any) -> GroupMessage:
        """A `GroupMessage` from a send body (or a bulk input record): `msgParam` may be the
        JSON string or an object; documented kinds become their typed message."""
        if not isinstance(data, dict):
            raise TypeError(f"expected an object, got {type(data).__name__}")
        fields: dict[str, Any] = {}
        for key, value in data.items():
            name = _MESSAGE_KEYS.get(key, key) if isinstance(key, str) else ""
            if name not in _MESSAGE_KEYS.values():
                raise ValueError(f"unknown field {key!r}")
            if name in fields:
                raise ValueError(f"{name}: given twice")
            fields[name] = value
        for required in ("open_conversation_id", "msg_key", "msg_param"):
            if required not in fields:
                raise ValueError(f"{required}: missing")
        msg_key, msg_param = fields.pop("msg_key"), fields.pop("msg_param")
        if isinstance(msg_param, str):
            try:
                msg_param = json.loads(msg_param)
            except ValueError as error:
                raise ValueError(f"msg_param: not JSON ({error})") from None
        if not isinstance(msg_key, str):
            raise TypeError(f"msg_key: expected a string, got {type(msg_key).__name__}")
        return cls(message=message_from_wire(msg_key, msg_param), **fields)


#: Keys a `GroupMessage` is read from: wire name -> Python name, for its own fields and the
#: two its `message` field stands for on the wire.
_MESSAGE_KEYS = {
    "openConversationId": "open_conversation_id",
    "robotCode": "robot_code",
    "coolAppCode": "cool_app_code",
    "msgKey": "msg_key",
    "msgParam": "msg_param",
}

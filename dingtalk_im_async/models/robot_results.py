"""Requests and results of the robot API besides the message itself: send, recall, read
status and the robots installed in a group, validated when built."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from attrs import define, field

from ..errors import RequestValidationError
from ._common import check_text, to_ids, wire

__all__ = [
    "MAX_READ_STATUS_PAGE",
    "MAX_RECALL_KEYS",
    "GroupRobot",
    "GroupRobots",
    "GroupRobotsQuery",
    "OpenRobotType",
    "ReadStatusPage",
    "ReadStatusQuery",
    "RecallRequest",
    "RecallResult",
    "SendResult",
    "SendStatus",
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


def _open_conversation_id(value: str) -> str:
    return check_text("open_conversation_id", value)


def _robot_code(value: str) -> str:
    return check_text("robot_code", value)


def _process_query_key(value: str) -> str:
    return check_text("process_query_key", value)


def _process_query_keys(value: Iterable[str]) -> tuple[str, ...]:
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


@define(frozen=True, kw_only=True)
class RecallRequest:
    """Body of `POST /v1.0/robot/groupMessages/recall`: 1 to 20 messages of one group."""

    open_conversation_id: str = field(converter=_open_conversation_id)
    process_query_keys: tuple[str, ...] = field(converter=_process_query_keys)
    robot_code: str = field(converter=_robot_code)


@define(frozen=True, kw_only=True)
class RecallResult:
    """Which messages were recalled (`succeeded`) and which were not, each with DingTalk's
    reason (`failed`: process query key -> reason). A recall leaves no notice in the chat."""

    succeeded: tuple[str, ...] = field(default=(), metadata=wire("successResult"))
    failed: Mapping[str, str] = field(factory=dict, metadata=wire("failedResult"))


@define(frozen=True, kw_only=True)
class ReadStatusQuery:
    """Body of `POST /v1.0/robot/groupMessages/query`: one page of a message's readers.

    `open_conversation_id` and `robot_code` must be those the message was
    sent with; `max_results` is the page size (at most 200, always sent: DingTalk
    does not document its default); `next_token` the previous page's, None for
    the first page.
    """

    process_query_key: str = field(converter=_process_query_key)
    open_conversation_id: str = field(converter=_open_conversation_id)
    robot_code: str = field(converter=_robot_code)
    max_results: int = field(converter=_max_results)
    next_token: str | None = field(default=None, converter=_next_token)


@define(frozen=True, kw_only=True)
class ReadStatusPage:
    """One page of a message's read status.

    `send_status` is a `SendStatus` when DingTalk sends a documented value
    and the raw string otherwise; `read_user_ids` are the userIds that read
    it (this page's); `next_token` asks for the next page while `has_more`.
    """

    send_status: SendStatus | str
    read_user_ids: tuple[str, ...] = ()
    has_more: bool = False
    next_token: str | None = None


@define(frozen=True, kw_only=True)
class GroupRobotsQuery:
    """Body of `POST /v1.0/robot/groups/robots/query`."""

    open_conversation_id: str = field(converter=_open_conversation_id)


@define(frozen=True, kw_only=True)
class GroupRobot:
    """A robot installed in a group. `open_robot_type` is an `OpenRobotType` when documented."""

    robot_code: str
    name: str | None = None
    download_icon_url: str | None = field(default=None, metadata=wire("downloadIconURL"))
    open_robot_type: OpenRobotType | int | None = None


@define(frozen=True, kw_only=True)
class GroupRobots:
    """The robots installed in a group (`chatbotInstanceVOList`)."""

    robots: tuple[GroupRobot, ...] = field(default=(), metadata=wire("chatbotInstanceVOList"))

    def has(self, robot_code: str) -> bool:
        """Whether the robot with this code is among them."""
        return any(robot.robot_code == robot_code for robot in self.robots)

"""The operations `dingtalk-im bulk --operation NAME` runs: one request type and one service
method each, so reading input, pacing, results and `--resume` are written once.

Input records are structured into `request_type` through the one converter
(`_wire.converter`, see `_rows`); `label` names an input in progress and
results; a result is written as `{"line", "name": label(request), "status",
**to_wire(result)}`. Whether an unknown outcome may be sent again on
`--resume` is the method's endpoint's `repeat_safe` (`_service.endpoint_of`).
Each family's entries live in a section of their own below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from attrs import define

from .._core.endpoint import Endpoint
from .._core.service import endpoint_of
from ..cards import CardService
from ..cards._inputs import RECORD_KEYS
from ..cards.models import CreateAndDeliverRequest, CreateAndDeliverResult
from ..groups import GroupService
from ..groups.models import (
    CreateGroupRequest,
    CreateGroupResult,
    UpdateAdminsRequest,
    UpdateAdminsResult,
    UpdateGroupRequest,
    UpdateGroupResult,
)
from ..robot import RobotService
from ..robot.models import GroupMessage, SendResult
from ._rows import Column, columns

__all__ = [
    "CARD",
    "CREATE",
    "LIFECYCLE_OPERATIONS",
    "OPERATIONS",
    "SEND_MESSAGE",
    "SUB_ADMINS",
    "UPDATE",
    "Operation",
    "Services",
    "register",
]

Req = TypeVar("Req")
Res = TypeVar("Res")


class Services(Protocol):
    """Where an operation's method lives: a `DingTalkClient`, or the CLI's connection."""

    @property
    def groups(self) -> GroupService: ...

    @property
    def robot(self) -> RobotService: ...

    @property
    def cards(self) -> CardService: ...


@define(frozen=True, kw_only=True)
class Operation(Generic[Req, Res]):
    """One bulk operation: what its input records become and which method they go to."""

    #: `bulk --operation NAME`, e.g. "create", "send".
    name: str
    #: What each input record is structured into (validated when built).
    request_type: type[Req]
    #: The service method of a client, e.g. `lambda client: client.robot.send`.
    method: Callable[[Services], Callable[[Req], Awaitable[Res]]]
    #: What progress and results call an input.
    label: Callable[[Req], str]
    #: The keys an input row may use, where the request's fields are not what rows hold
    #: (None: `_rows.columns(request_type)`).
    columns: Mapping[str, Column] | None = None
    #: The wire keys a row must give (None: `_rows.required_columns(request_type)`).
    required_columns: tuple[str, ...] | None = None

    @property
    def endpoint(self) -> Endpoint[Req, Res] | None:
        """The endpoint the method calls, read off the service class's method."""
        return endpoint_of(self.method(_SERVICE_CLASSES))  # type: ignore[arg-type]

    @property
    def repeat_safe(self) -> bool:
        """Whether an unknown outcome may be sent again (the endpoint sets state)."""
        endpoint = self.endpoint
        return endpoint is not None and endpoint.repeat_safe


class _ServiceClasses:
    """The services' classes, where `method` finds the (unbound) method it names."""

    groups = GroupService
    robot = RobotService
    cards = CardService


_SERVICE_CLASSES = _ServiceClasses()


#: Every operation by name.
OPERATIONS: dict[str, Operation[Any, Any]] = {}


def register(operation: Operation[Req, Res]) -> Operation[Req, Res]:
    """Add `operation` under its name; a name taken twice is a ValueError."""
    if operation.name in OPERATIONS:
        raise ValueError(f"two bulk operations are called {operation.name!r}")
    OPERATIONS[operation.name] = operation
    return operation


# -- groups: create ------------------------------------------------------------------------


def _groups_create(
    client: Services,
) -> Callable[[CreateGroupRequest], Awaitable[CreateGroupResult]]:
    return client.groups.create


def _group_name(request: CreateGroupRequest) -> str:
    return request.name


#: A group per row: `name`, `owner`, `useridlist`, ... Not safe to repeat: an unknown
#: outcome stays unknown (`--retry-unknown` sends it again).
CREATE: Operation[CreateGroupRequest, CreateGroupResult] = register(
    Operation(
        name="create", request_type=CreateGroupRequest, method=_groups_create, label=_group_name
    )
)


# -- groups: lifecycle ---------------------------------------------------------------------


def _groups_update(
    client: Services,
) -> Callable[[UpdateGroupRequest], Awaitable[UpdateGroupResult]]:
    return client.groups.update


def _groups_update_admins(
    client: Services,
) -> Callable[[UpdateAdminsRequest], Awaitable[UpdateAdminsResult]]:
    return client.groups.update_admins


def _chatid(request: UpdateGroupRequest) -> str:
    return request.chatid


def _open_conversation_id(request: UpdateAdminsRequest) -> str:
    return request.open_conversation_id


#: "Add these 3 people to these 500 groups", "rename these groups": a row per group,
#: keyed by `chatid` (member lists `add_useridlist`, ...). Safe to repeat.
UPDATE: Operation[UpdateGroupRequest, UpdateGroupResult] = register(
    Operation(name="update", request_type=UpdateGroupRequest, method=_groups_update, label=_chatid)
)
#: Admins set or unset per group: `openConversationId`, `userIds`, `role` (2 add, 3
#: remove). Safe to repeat.
SUB_ADMINS: Operation[UpdateAdminsRequest, UpdateAdminsResult] = register(
    Operation(
        name="sub-admins",
        request_type=UpdateAdminsRequest,
        method=_groups_update_admins,
        label=_open_conversation_id,
    )
)
LIFECYCLE_OPERATIONS = (UPDATE, SUB_ADMINS)


# -- robot --------------------------------------------------------------------------------


def _robot_send(client: Services) -> Callable[[GroupMessage], Awaitable[SendResult]]:
    return client.robot.send


def _group_of(message: GroupMessage) -> str:
    return message.open_conversation_id


def _message_columns() -> dict[str, Column]:
    """A row holds the message as DingTalk's `msgKey` and `msgParam` (the JSON string; in
    JSON Lines also an object), not as the `message` field of `GroupMessage`."""
    known = {key: column for key, column in columns(GroupMessage).items() if key != "message"}
    for wire, python in (("msgKey", "msg_key"), ("msgParam", "msg_param")):
        known[wire] = known[python] = Column((wire,), "text")
    return known


#: One message per record into its group (`openConversationId`, `msgKey`, `msgParam`, and
#: optionally `robotCode`, `coolAppCode`). Not repeat-safe: unknown outcomes stay unknown.
SEND_MESSAGE: Operation[GroupMessage, SendResult] = register(
    Operation(
        name="send",
        request_type=GroupMessage,
        method=_robot_send,
        label=_group_of,
        columns=_message_columns(),
        required_columns=("openConversationId", "msgKey", "msgParam"),
    )
)


# -- cards --------------------------------------------------------------------------------


def _cards_send(
    client: Services,
) -> Callable[[CreateAndDeliverRequest], Awaitable[CreateAndDeliverResult]]:
    return client.cards.create_and_deliver


def _card_label(request: CreateAndDeliverRequest) -> str:
    return request.spaces[0].space_id


def _card_columns() -> dict[str, Column]:
    """A record names its group (`openConversationId`) or spaces (`openSpaceId`), the
    template, the data (`cardData`: an object, or its JSON text in CSV) and its
    `outTrackId`; see `cards._inputs`."""
    known: dict[str, Column] = {}
    for wire, python in RECORD_KEYS.items():
        column = Column((wire,), "integer" if wire == "userIdType" else "text")
        known[wire] = known[python] = column
    return known


#: A card per record, created and delivered (`openConversationId` or `openSpaceId`,
#: `cardTemplateId`, `cardData`, `outTrackId`; optionally `robotCode`, `callbackType`,
#: `userIdType`). Safe to repeat thanks to the record's `outTrackId`: a replay delivers the
#: card made already instead of making a second one.
CARD: Operation[CreateAndDeliverRequest, CreateAndDeliverResult] = register(
    Operation(
        name="card",
        request_type=CreateAndDeliverRequest,
        method=_cards_send,
        label=_card_label,
        columns=_card_columns(),
        required_columns=("cardTemplateId", "outTrackId"),
    )
)

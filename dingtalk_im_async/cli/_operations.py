"""The operations `dingtalk-im bulk --operation NAME` runs: one request type and one service
method each, so reading input, pacing, results and `--resume` are written once.

Input records are structured into `request_type` through the one converter
(`_wire.converter`, see `_rows`); `label` names an input in progress and
results; a result is written as `{"line", "name": label(request), "status",
**to_wire(result)}`. Whether an unknown outcome may be sent again on
`--resume` is the method's endpoint's `repeat_safe` (`_service.endpoint_of`),
or its `dedup_key`: the run gives every input without a key one
(`Operation.keyed`, from the run id in the results file and the input's line).
How the progress bar, the summary and the results speak of its inputs is its
`words`, so an operation is added here and nowhere else.
Each family's entries live in a section of their own below, which is why this
module is longer than 400 lines: it is the one list of every family's bulk
operations, each with its method, columns and words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from attrs import define

from .._core.dedup import with_key
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
from ..scenegroups import SceneGroupService
from ..scenegroups.models import (
    CreateSceneGroupRequest,
    CreateSceneGroupResult,
    DisbandSceneGroupRequest,
    DisbandSceneGroupResult,
    SceneGroupMembersRequest,
    SceneGroupMembersResult,
    UpdateSceneGroupRequest,
    UpdateSceneGroupResult,
)
from ._results import CREATED, OK
from ._rows import Column, columns

__all__ = [
    "CARD",
    "CREATE",
    "LIFECYCLE_OPERATIONS",
    "OPERATIONS",
    "SCENE_GROUP_OPERATIONS",
    "SEND_MESSAGE",
    "SUB_ADMINS",
    "UPDATE",
    "Operation",
    "Services",
    "Words",
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

    @property
    def scene_groups(self) -> SceneGroupService: ...


@define(frozen=True, kw_only=True)
class Words:
    """How `dingtalk-im bulk` speaks of an operation's inputs: the progress bar counts
    `past` ("24 created"), the summary says "Created 24 groups", the interrupt message
    "rerun with --resume to create the rest"."""

    verb: str
    """What the operation does to one input, e.g. "create", "send"."""
    past: str
    """The same in the past tense: what the bar counts, e.g. "created", "sent"."""
    noun: str
    """What one input is, e.g. "group", "message"."""
    nouns: str
    """The plural of `noun`."""

    def count(self, number: int) -> str:
        """`number` inputs in words: "1 group", "24 groups"."""
        return f"{number} {self.noun if number == 1 else self.nouns}"


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
    #: How progress, the summary and the messages speak of the inputs.
    words: Words
    #: The results file's `status` of an input done: `created` for a create, else `ok`.
    done_status: str = OK
    #: The keys it takes from an earlier run's results (`bulk --from-results`): the ids
    #: of its groups, e.g. `chatid`; none for an operation that needs none.
    from_results: tuple[str, ...] = ()
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
    def dedup_key(self) -> str | None:
        """The request field DingTalk deduplicates on (the endpoint's), e.g. `uuid`."""
        endpoint = self.endpoint
        return None if endpoint is None else endpoint.dedup_key

    @property
    def repeat_safe(self) -> bool:
        """Whether an unknown outcome may be sent again: the endpoint sets state, or has a
        dedup key, which every input of a run carries (`keyed`)."""
        endpoint = self.endpoint
        return endpoint is not None and (endpoint.repeat_safe or endpoint.dedup_key is not None)

    def keyed(self, request: Req, run_id: str, line: int) -> Req:
        """`request` with its dedup key filled in from the run and its line, when the
        endpoint has one and the input gave none: the same run and line, the same key."""
        endpoint = self.endpoint
        return request if endpoint is None else with_key(endpoint, request, run_id, line)


class _ServiceClasses:
    """The services' classes, where `method` finds the (unbound) method it names."""

    groups = GroupService
    robot = RobotService
    cards = CardService
    scene_groups = SceneGroupService


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
        name="create",
        request_type=CreateGroupRequest,
        method=_groups_create,
        label=_group_name,
        words=Words(verb="create", past="created", noun="group", nouns="groups"),
        done_status=CREATED,
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
    Operation(
        name="update",
        request_type=UpdateGroupRequest,
        method=_groups_update,
        label=_chatid,
        words=Words(verb="update", past="updated", noun="group", nouns="groups"),
        from_results=("chatid",),
    )
)
#: Admins set or unset per group: `openConversationId`, `userIds`, `role` (2 add, 3
#: remove). Safe to repeat.
SUB_ADMINS: Operation[UpdateAdminsRequest, UpdateAdminsResult] = register(
    Operation(
        name="sub-admins",
        request_type=UpdateAdminsRequest,
        method=_groups_update_admins,
        label=_open_conversation_id,
        words=Words(
            verb="change the admins of",
            past="changed",
            noun="group's admins",
            nouns="groups' admins",
        ),
        from_results=("openConversationId",),
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
        words=Words(verb="send", past="sent", noun="message", nouns="messages"),
        from_results=("openConversationId",),
        columns=_message_columns(),
        required_columns=("openConversationId", "msgKey", "msgParam"),
    )
)


# -- scene groups ------------------------------------------------------------------------


def _scene_create(
    client: Services,
) -> Callable[[CreateSceneGroupRequest], Awaitable[CreateSceneGroupResult]]:
    return client.scene_groups.create


def _scene_update(
    client: Services,
) -> Callable[[UpdateSceneGroupRequest], Awaitable[UpdateSceneGroupResult]]:
    return client.scene_groups.update


def _scene_add_members(
    client: Services,
) -> Callable[[SceneGroupMembersRequest], Awaitable[SceneGroupMembersResult]]:
    return client.scene_groups.add_members


def _scene_remove_members(
    client: Services,
) -> Callable[[SceneGroupMembersRequest], Awaitable[SceneGroupMembersResult]]:
    return client.scene_groups.remove_members


def _scene_disband(
    client: Services,
) -> Callable[[DisbandSceneGroupRequest], Awaitable[DisbandSceneGroupResult]]:
    return client.scene_groups.disband


def _scene_title(request: CreateSceneGroupRequest) -> str:
    return request.title


def _scene_group_id(
    request: UpdateSceneGroupRequest | SceneGroupMembersRequest | DisbandSceneGroupRequest,
) -> str:
    return request.open_conversation_id


#: A scene group per row: `title`, `template_id`, `owner_user_id`, `user_ids`, ... Safe to
#: repeat: a row without a `uuid` gets one from the run id and its line, so `--resume`
#: sends an unknown outcome again and DingTalk finds the group the first send made.
SCENE_GROUP_CREATE: Operation[CreateSceneGroupRequest, CreateSceneGroupResult] = register(
    Operation(
        name="scene-group-create",
        request_type=CreateSceneGroupRequest,
        method=_scene_create,
        label=_scene_title,
        words=Words(verb="create", past="created", noun="scene group", nouns="scene groups"),
    )
)
#: Title, icon, owner or settings per group (`open_conversation_id`). Safe to repeat.
SCENE_GROUP_UPDATE: Operation[UpdateSceneGroupRequest, UpdateSceneGroupResult] = register(
    Operation(
        name="scene-group-update",
        request_type=UpdateSceneGroupRequest,
        method=_scene_update,
        label=_scene_group_id,
        words=Words(verb="update", past="updated", noun="scene group", nouns="scene groups"),
    )
)
#: People to add to (or remove from) each group: `open_conversation_id`, `user_ids`,
#: `union_ids`. Safe to repeat.
SCENE_GROUP_ADD_MEMBERS: Operation[SceneGroupMembersRequest, SceneGroupMembersResult] = register(
    Operation(
        name="scene-group-add-members",
        request_type=SceneGroupMembersRequest,
        method=_scene_add_members,
        label=_scene_group_id,
        words=Words(
            verb="add members to", past="changed", noun="scene group", nouns="scene groups"
        ),
    )
)
SCENE_GROUP_REMOVE_MEMBERS: Operation[SceneGroupMembersRequest, SceneGroupMembersResult] = register(
    Operation(
        name="scene-group-remove-members",
        request_type=SceneGroupMembersRequest,
        method=_scene_remove_members,
        label=_scene_group_id,
        words=Words(
            verb="remove members from", past="changed", noun="scene group", nouns="scene groups"
        ),
    )
)
#: A group to disband per row (`openConversationId`; internal apps only). Safe to repeat.
SCENE_GROUP_DISBAND: Operation[DisbandSceneGroupRequest, DisbandSceneGroupResult] = register(
    Operation(
        name="scene-group-disband",
        request_type=DisbandSceneGroupRequest,
        method=_scene_disband,
        label=_scene_group_id,
        words=Words(verb="disband", past="disbanded", noun="scene group", nouns="scene groups"),
    )
)
SCENE_GROUP_OPERATIONS = (
    SCENE_GROUP_CREATE,
    SCENE_GROUP_UPDATE,
    SCENE_GROUP_ADD_MEMBERS,
    SCENE_GROUP_REMOVE_MEMBERS,
    SCENE_GROUP_DISBAND,
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
#: `cardTemplateId`, `cardData`; optionally `outTrackId`, `robotCode`, `callbackType`,
#: `userIdType`). Safe to repeat: a record without an `outTrackId` gets one from the run id
#: and its line, and a replay delivers the card made already instead of a second one.
CARD: Operation[CreateAndDeliverRequest, CreateAndDeliverResult] = register(
    Operation(
        name="card",
        request_type=CreateAndDeliverRequest,
        method=_cards_send,
        label=_card_label,
        words=Words(verb="send", past="sent", noun="card", nouns="cards"),
        columns=_card_columns(),
        required_columns=("cardTemplateId",),
    )
)

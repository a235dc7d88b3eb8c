"""The member side of the scene-group API: member pages, admins, nicknames, mute, the
template's robot. camelCase on the wire, as DingTalk documents these APIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import Attribute, define, field

from .._core.fields import to_enum
from ..errors import RequestValidationError
from . import _fields as check
from .options import MuteStatus, SceneGroupRole

__all__ = [
    "MEMBERS_PAGE_MAX",
    "MemberMuteState",
    "MuteSceneGroupMembersRequest",
    "MuteSceneGroupMembersResult",
    "SceneGroupMembersPage",
    "SceneGroupMembersQuery",
    "SceneGroupMuteQuery",
    "SceneGroupMuteSettings",
    "SceneGroupNickRequest",
    "SceneGroupNickResult",
    "SceneGroupRobot",
    "TemplateRobotQuery",
    "UpdateSceneGroupAdminsRequest",
    "UpdateSceneGroupAdminsResult",
]

#: The largest member page: DingTalk returns up to 1,000 members at once
#: (https://open.dingtalk.com/document/development/query-group-members).
MEMBERS_PAGE_MAX = 1000


def role(value: SceneGroupRole | int) -> SceneGroupRole:
    found = to_enum(SceneGroupRole, "role", value)
    if found is None:
        raise RequestValidationError("role", "is required: SceneGroupRole.ADMIN or .MEMBER")
    return found


def mute_status(value: MuteStatus | int) -> MuteStatus:
    found = to_enum(MuteStatus, "mute_status", value)
    if found is None:
        raise RequestValidationError("mute_status", "is required: MuteStatus.MUTED or .UNMUTED")
    return found


def _page_size(_instance: object, _attribute: Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MEMBERS_PAGE_MAX:
        raise RequestValidationError(
            "max_results", f"must be a whole number from 1 to {MEMBERS_PAGE_MAX}, got {value!r}"
        )


def _milliseconds(_instance: object, _attribute: Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RequestValidationError(
            "mute_duration", f"must be a whole number of milliseconds >= 0, got {value!r}"
        )


@define(frozen=True, kw_only=True)
class SceneGroupMembersQuery:
    """Body of `POST /v1.0/im/sceneGroups/members/batchQuery`: one page of the group's members
    (`SceneGroupService.members` walks them all)."""

    open_conversation_id: str = field(validator=check.text)
    """The group (`openConversationId`); not blank."""
    max_results: int = field(validator=_page_size)
    """Members per page (`maxResults`, required): 1 to 1,000 (`MEMBERS_PAGE_MAX`); DingTalk
    may answer with more or fewer."""
    next_token: str | None = field(default=None, validator=check.optional_text)
    """Where the page starts (`nextToken`, from the page before). Unset: the first page."""
    cool_app_code: str | None = field(default=None, validator=check.optional_text)
    """The group cool app (`coolAppCode`): required for groups that installed one, not for
    groups made from a template."""


@define(frozen=True, kw_only=True)
class SceneGroupMembersPage:
    """One page of a group's members: employees by userId, others by unionId."""

    member_user_ids: tuple[str, ...] = ()
    """userIds of the members on this page (`memberUserIds`)."""
    union_id_list: tuple[str, ...] = ()
    """unionIds of the members from outside the organisation on this page (`unionIdList`)."""
    staff_id_nick_map: Mapping[str, str] = field(factory=dict)
    """The employees' names by userId (`staffIdNickMap`)."""
    union_id_nick_map: Mapping[str, str] = field(factory=dict)
    """The other members' names by unionId (`unionIdNickMap`)."""
    has_more: bool = False
    """Whether another page follows (`hasMore`)."""
    next_token: str | None = None
    """Where the next page starts (`nextToken`); None or empty on the last page."""
    success: bool | None = None
    """`success` as DingTalk sends it."""


@define(frozen=True, kw_only=True)
class UpdateSceneGroupAdminsRequest:
    """Body of `PUT /v1.0/im/sceneGroups/subAdmins`: make members admins of the group
    (`SceneGroupRole.ADMIN`) or plain members again (`SceneGroupRole.MEMBER`)."""

    open_conversation_id: str = field(validator=check.text)
    """The group (`openConversationId`); not blank."""
    role: SceneGroupRole = field(converter=role)
    """What they become (`role`): `SceneGroupRole.ADMIN` (2) or `.MEMBER` (3)."""
    user_ids: tuple[str, ...] | None = field(default=None, converter=check.admin_user_ids)
    """userIds (`userIds`): 1 to 12 per call, none blank, unless `union_ids` are given."""
    union_ids: tuple[str, ...] | None = field(default=None, converter=check.union_ids)
    """unionIds of members from outside the organisation (`unionIds`)."""

    def __attrs_post_init__(self) -> None:
        check.require_some(user_ids=self.user_ids, union_ids=self.union_ids)


@define(frozen=True, kw_only=True)
class UpdateSceneGroupAdminsResult:
    """DingTalk's reply to an admin change: `success` is True (a False reply raises
    `UnsuccessfulReplyError` instead of returning)."""

    success: bool
    """True: the change was applied."""


@define(frozen=True, kw_only=True)
class SceneGroupNickRequest:
    """Body of `PUT /v1.0/im/sceneGroups/members/groupNicks`: a member's nickname in the
    group."""

    open_conversation_id: str = field(validator=check.text)
    """The group (`openConversationId`); not blank."""
    user_id: str = field(validator=check.text)
    """The member (`userId`); not blank."""
    group_nick: str = field(validator=check.nick)
    """The nickname (`groupNick`): 1 to 30 characters, not blank."""


@define(frozen=True, kw_only=True)
class SceneGroupNickResult:
    """DingTalk's reply to a nickname change: `success` is True (a False reply raises
    `UnsuccessfulReplyError` instead of returning)."""

    success: bool
    """True: the nickname is set."""


@define(frozen=True, kw_only=True)
class MuteSceneGroupMembersRequest:
    """Body of `POST /v1.0/im/sceneGroups/muteMembers/set` (internal apps only): mute members
    for a while, or lift it. The owner and admins cannot be muted. To mute everyone, set
    `SceneGroupOptions(chat_banned_type=1)` with an update."""

    open_conversation_id: str = field(validator=check.text)
    """The group (`openConversationId`); not blank."""
    user_id_list: tuple[str, ...] = field(converter=check.mute_user_ids)
    """The members (`userIdList`): 1 to 999 userIds, none blank."""
    mute_status: MuteStatus = field(converter=mute_status)
    """`MuteStatus.MUTED` (1) or `.UNMUTED` (0) (`muteStatus`)."""
    mute_duration: int = field(validator=_milliseconds)
    """How long the mute lasts, in milliseconds (`muteDuration`); DingTalk requires it with
    `UNMUTED` too (send 0)."""


@define(frozen=True, kw_only=True)
class MuteSceneGroupMembersResult:
    """DingTalk answers a mute with HTTP 200 and no body: this class has no fields."""


@define(frozen=True, kw_only=True)
class SceneGroupMuteQuery:
    """`GET /v1.0/im/sceneGroups/muteSettings?openConversationId=&userId=` (internal apps
    only): the group's and one member's mute state. The id is URL-encoded for you."""

    open_conversation_id: str = field(validator=check.text)
    """The group (`openConversationId`); not blank."""
    user_id: str = field(validator=check.text)
    """The member (`userId`); not blank."""


@define(frozen=True, kw_only=True)
class MemberMuteState:
    """One member's mute state (`userMuteResult`)."""

    user_mute_mode: bool
    """Whether the member is muted now (`userMuteMode`)."""
    mute_start_time: int | None = None
    """When the mute began (`muteStartTime`), Unix time in milliseconds."""
    mute_end_time: int | None = None
    """When it ends (`muteEndTime`), Unix time in milliseconds."""


@define(frozen=True, kw_only=True)
class SceneGroupMuteSettings:
    """The group's and one member's mute state."""

    group_mute_mode: bool
    """Whether everyone is muted (`groupMuteMode`)."""
    user_mute_result: MemberMuteState | None = None
    """The member's own state (`userMuteResult`)."""


@define(frozen=True, kw_only=True)
class TemplateRobotQuery:
    """`GET /v1.0/im/sceneGroups/templates/robots`: the template robot `robot_code` in the
    group. DingTalk answers an empty one of either with its own refusal, so both are
    required here."""

    open_conversation_id: str = field(validator=check.text)
    """The group (`openConversationId`); not blank."""
    robot_code: str = field(validator=check.text)
    """The template robot's code (`robotCode`, from the developer console); not blank."""


@define(frozen=True, kw_only=True)
class SceneGroupRobot:
    """The template robot as a member of the group (the reply's `result`)."""

    user_id: str | None = None
    """The robot's userId in the group (`userId`)."""
    union_id: str | None = None
    """Its unionId (`unionId`), given only when it has no userId."""

"""Requests and results of the group-management API, validated when built: a bad request
raises `RequestValidationError` naming the field before anything is sent.

Two ids name a group and DingTalk converts only one way: update, the legacy
read and nicknames take the `chatid`; admins (and robot messages) the
`openConversationId`; only chatid -> openConversationId converts. Keep both
from the create result.
"""

from __future__ import annotations

import enum
from typing import ClassVar, TypeVar

from attrs import define, field

from .._core.fields import to_enum
from .._core.wire import WireCase, wire
from ..errors import RequestValidationError
from ._fields import (
    add_extidlist,
    add_useridlist,
    check_id,
    del_extidlist,
    del_useridlist,
    extidlist,
    no_overlap,
    optional_name,
    optional_owner,
    user_ids,
    useridlist,
    validate_icon,
    validate_name,
    validate_options,
    validate_owner,
)
from .options import (
    ChatBannedType,
    ConversationTag,
    ManagementOptions,
    ManagementType,
    MentionAllAuthority,
    OwnerType,
    Searchable,
    ShowHistoryType,
    ValidationType,
    conversation_tag,
    owner_type,
)

__all__ = [
    "AdminRole",
    "ChatBannedType",
    "ConversationTag",
    "CreateGroupRequest",
    "CreateGroupResult",
    "GroupInfo",
    "GroupStatus",
    "ManagementOptions",
    "ManagementType",
    "MentionAllAuthority",
    "OwnerType",
    "Searchable",
    "ShowHistoryType",
    "UpdateAdminsRequest",
    "UpdateAdminsResult",
    "UpdateGroupNickRequest",
    "UpdateGroupNickResult",
    "UpdateGroupRequest",
    "UpdateGroupResult",
    "ValidationType",
]


class AdminRole(enum.IntEnum):
    """What `subAdministrators` makes the users: `ADMIN` (2) group admins, `MEMBER` (3)
    plain members again."""

    ADMIN = 2
    MEMBER = 3


class GroupStatus(enum.IntEnum):
    """`status` of a group read back: `NORMAL` (1) in use, `DISBANDED` (2)."""

    NORMAL = 1
    DISBANDED = 2


def admin_role(value: AdminRole | int) -> AdminRole:
    role = to_enum(AdminRole, "role", value)
    if role is None:
        raise RequestValidationError("role", "is required: AdminRole.ADMIN or AdminRole.MEMBER")
    return role


@define(frozen=True, kw_only=True)
class CreateGroupRequest:
    """Body of `POST /v1.0/im/group/create`, fields in the spec's order. Lists become tuples."""

    name: str = field(validator=validate_name)
    """Group name (`name`): 1 to 20 characters, not blank."""
    owner: str = field(validator=validate_owner)
    """userId of the group owner (`owner`); the app must be able to see them, else
    DingTalk refuses with `permession.checkFailed`."""
    owner_type: OwnerType | None = field(default=None, converter=owner_type)
    """What the owner is (`ownerType`): `emp` an employee, `ext` an external contact.
    Unset: not sent, DingTalk decides."""
    useridlist: tuple[str, ...] = field(converter=useridlist)
    """Members' userIds (`useridlist`): at least one, none blank; a list or tuple of
    strings, kept as a tuple."""
    conversation_tag: ConversationTag | None = field(default=None, converter=conversation_tag)
    """Kind of group (`conversationTag`): 2 internal (DingTalk's default), 0 normal, which
    needs the app whitelisted by DingTalk support."""
    extidlist: tuple[str, ...] | None = field(default=None, converter=extidlist)
    """External contacts to add (`extidlist`), none blank. Unset: none."""
    icon: str | None = field(default=None, validator=validate_icon)
    """mediaId of the group's avatar (`icon`), from DingTalk's media upload; not blank.
    Unset: not sent."""
    management_options: ManagementOptions | None = field(default=None, validator=validate_options)
    """The group's settings (`managementOptions`). Unset: DingTalk's defaults for all six."""


@define(frozen=True, kw_only=True)
class CreateGroupResult:
    """What DingTalk returns for a created group.

    `conversation_tag` is a `ConversationTag` when DingTalk sends a documented
    value and the raw integer otherwise, so an unexpected tag never hides a
    group that was created.
    """

    open_conversation_id: str
    """The group's id for the v1.0 API (`openConversationId`), e.g. for robot messages."""
    chatid: str
    """The group's id for the legacy oapi API (`chatid`)."""
    conversation_tag: ConversationTag | int
    """Kind of group created (`conversationTag`): 2 internal, 0 normal."""


@define(frozen=True, kw_only=True)
class UpdateGroupRequest:
    """Body of `POST /v1.0/im/group/update`: what to change in the group `chatid`.

    Only the fields you set are sent, so a rename never resets the group's
    settings. The member lists keep DingTalk's snake_case wire keys
    (`add_useridlist`, ...); the rest are camelCase. Refused before any I/O:
    no change at all, a name outside 1 to 20 characters, an empty or blank
    id, an empty list, an id both added and removed, an `owner_type` without
    an `owner`, `ManagementOptions()` that sets nothing. The new owner must
    already be a member (DingTalk checks that). The legacy docs cap a call
    at 40 added members and a group at 1,000; unconfirmed for this API, so
    not checked here.
    """

    chatid: str = field(validator=check_id("chatid"))
    """The group to change (`chatid`, from the create result); not blank."""
    name: str | None = field(default=None, validator=optional_name)
    """New group name (`name`): 1 to 20 characters. Unset: unchanged."""
    owner: str | None = field(default=None, validator=optional_owner)
    """userId of the new owner (`owner`), already a member. Unset: unchanged."""
    owner_type: OwnerType | None = field(default=None, converter=owner_type)
    """What the new owner is (`ownerType`): `emp` or `ext`; only with `owner`."""
    add_useridlist: tuple[str, ...] | None = field(
        default=None, converter=add_useridlist, metadata=wire("add_useridlist")
    )
    """userIds to add (`add_useridlist`): at least one, none blank, none also removed."""
    del_useridlist: tuple[str, ...] | None = field(
        default=None, converter=del_useridlist, metadata=wire("del_useridlist")
    )
    """userIds to remove (`del_useridlist`): at least one, none blank."""
    add_extidlist: tuple[str, ...] | None = field(
        default=None, converter=add_extidlist, metadata=wire("add_extidlist")
    )
    """External contacts to add (`add_extidlist`): at least one, none also removed."""
    del_extidlist: tuple[str, ...] | None = field(
        default=None, converter=del_extidlist, metadata=wire("del_extidlist")
    )
    """External contacts to remove (`del_extidlist`): at least one, none blank."""
    icon: str | None = field(default=None, validator=validate_icon)
    """mediaId of the new avatar (`icon`); not blank. Unset: unchanged."""
    management_options: ManagementOptions | None = field(default=None, validator=validate_options)
    """Settings to change (`managementOptions`), at least one set; unset ones keep their
    current values."""

    def __attrs_post_init__(self) -> None:
        if self.owner_type is not None and self.owner is None:
            raise RequestValidationError("owner_type", "is only meaningful with owner")
        options = self.management_options
        if options is not None and options == ManagementOptions():
            raise RequestValidationError("management_options", "sets nothing (leave it out)")
        changes = (
            self.name,
            self.owner,
            self.add_useridlist,
            self.del_useridlist,
            self.add_extidlist,
            self.del_extidlist,
            self.icon,
            options,
        )
        if all(change is None for change in changes):
            raise RequestValidationError("request", "changes nothing: set at least one field")
        no_overlap("add_useridlist", self.add_useridlist, "del_useridlist", self.del_useridlist)
        no_overlap("add_extidlist", self.add_extidlist, "del_extidlist", self.del_extidlist)


@define(frozen=True, kw_only=True)
class UpdateGroupResult:
    """DingTalk's reply to an update: `success` is True (a False reply raises
    `UnsuccessfulReplyError` instead of returning)."""

    success: bool
    """True: the update was applied."""


@define(frozen=True, kw_only=True)
class UpdateAdminsRequest:
    """Body of `POST /v1.0/im/subAdministrators`: make `user_ids` admins of the group
    `open_conversation_id` (`AdminRole.ADMIN`) or plain members again (`AdminRole.MEMBER`).

    This API takes the openConversationId, not the chatid.
    """

    open_conversation_id: str = field(validator=check_id("open_conversation_id"))
    """The group (`openConversationId`, not the chatid); not blank."""
    user_ids: tuple[str, ...] = field(converter=user_ids)
    """Members whose role changes (`userIds`): at least one, none blank."""
    role: AdminRole = field(converter=admin_role)
    """What they become (`role`): `AdminRole.ADMIN` (2) or `AdminRole.MEMBER` (3)."""


@define(frozen=True, kw_only=True)
class UpdateAdminsResult:
    """DingTalk's reply: `success` is the STRING "true" (anything else raises
    `UnsuccessfulReplyError`)."""

    success: str
    """The string `"true"`: the change was applied."""


@define(frozen=True, kw_only=True)
class OpenConversationIdRequest:
    """`POST /v1.0/im/chat/{chatId}/convertToOpenConversationId`: the chatid goes in the
    path (percent-encoded); there is no body. The only conversion DingTalk documents."""

    chatid: str = field(validator=check_id("chatid"), metadata=wire("chatId"))
    """The group's chatid (`chatId`, in the path); not blank."""


@define(frozen=True, kw_only=True)
class OpenConversationIdResult:
    """The group's openConversationId."""

    open_conversation_id: str
    """The group's id for the v1.0 API (`openConversationId`)."""


@define(frozen=True, kw_only=True)
class UpdateGroupNickRequest:
    """Body of the legacy `POST {oapi}/topapi/chat/updategroupnick`: `userid`'s nickname in
    the group `chatid` becomes `group_nick` (the group's own name for one member).

    Keyed by the chatid, like update. The keys are snake_case on the wire, as
    DingTalk documents them.
    """

    wire_case: ClassVar[WireCase] = WireCase.SNAKE

    chatid: str = field(validator=check_id("chatid"))
    """The group (`chatid`, from the create result); not blank."""
    userid: str = field(validator=check_id("userid"))
    """The member whose nickname changes (`userid`); not blank."""
    group_nick: str = field(validator=check_id("group_nick"))
    """The member's nickname in this group (`group_nick`); not blank."""


@define(frozen=True, kw_only=True)
class UpdateGroupNickResult:
    """DingTalk's reply to a nickname change: `success` is True (a False reply raises
    `UnsuccessfulReplyError` instead of returning)."""

    success: bool
    """True: the nickname was set."""


@define(frozen=True, kw_only=True)
class GetGroupRequest:
    """`GET {oapi}/chat/get?chatid=...`: the legacy read, the only documented one."""

    chatid: str = field(validator=check_id("chatid"))
    """The group to read (`chatid`); not blank."""


@define(frozen=True, kw_only=True)
class GroupInfo:
    """A group as the legacy `chat/get` reads it back (its `chat_info`), wire names as
    DingTalk's: `members` is `useridlist`.

    Settings and `conversation_tag` are their enums for documented values and
    the raw integer otherwise (a value DingTalk adds later must not hide the
    group); fields the reply leaves out are None. `status` says whether the
    group was disbanded. There is no openConversationId here: convert the
    chatid (`GroupService.open_conversation_id`) or keep it from the create.
    """

    name: str
    """Group name (`name`)."""
    owner: str
    """userId of the owner (`owner`)."""
    members: tuple[str, ...] = field(metadata=wire("useridlist"))
    """userIds of the members (`useridlist`)."""
    chatid: str | None = None
    """The group's chatid (`chatid`); None if the reply leaves it out."""
    conversation_tag: ConversationTag | int | None = None
    """Kind of group (`conversationTag`): 2 internal, 0 normal."""
    status: GroupStatus | int | None = None
    """`status`: 1 in use, 2 disbanded (see `disbanded`)."""
    icon: str | None = None
    """mediaId of the avatar (`icon`)."""
    chat_banned_type: ChatBannedType | int | None = None
    """Whether everyone is muted (`chatBannedType`): 0 no, 1 yes."""
    searchable: Searchable | int | None = None
    """Whether the group can be found by search (`searchable`): 0 no, 1 yes."""
    validation_type: ValidationType | int | None = None
    """Whether joining needs approval (`validationType`): 0 no, 1 yes."""
    mention_all_authority: MentionAllAuthority | int | None = None
    """Who may @all (`mentionAllAuthority`): 0 everyone, 1 the owner only."""
    management_type: ManagementType | int | None = None
    """Who may manage the group (`managementType`): 0 everyone, 1 the owner only."""
    show_history_type: ShowHistoryType | int | None = None
    """Whether new members see the last 100 messages (`showHistoryType`): 0 no, 1 yes."""

    @property
    def disbanded(self) -> bool:
        """True when `status` is `GroupStatus.DISBANDED`."""
        return self.status == GroupStatus.DISBANDED

    @property
    def management_options(self) -> ManagementOptions:
        """The settings as `ManagementOptions` (e.g. to restore them with an update); a value
        this client has no enum member for is left out (None)."""
        return ManagementOptions(
            mention_all_authority=_member(MentionAllAuthority, self.mention_all_authority),
            show_history_type=_member(ShowHistoryType, self.show_history_type),
            validation_type=_member(ValidationType, self.validation_type),
            searchable=_member(Searchable, self.searchable),
            chat_banned_type=_member(ChatBannedType, self.chat_banned_type),
            management_type=_member(ManagementType, self.management_type),
        )


_E = TypeVar("_E", bound=enum.IntEnum)


def _member(enum_type: type[_E], value: object) -> _E | None:
    return value if isinstance(value, enum_type) else None

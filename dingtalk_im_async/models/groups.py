"""Requests and results of the group-management API, validated when built."""

from __future__ import annotations

from attrs import define, field

from ._common import (
    ConversationTag,
    ManagementOptions,
    OwnerType,
    conversation_tag,
    extidlist,
    owner_type,
    useridlist,
    validate_icon,
    validate_name,
    validate_options,
    validate_owner,
)

__all__ = ["CreateGroupRequest", "CreateGroupResult"]


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
    """Members' userIds (`useridlist`): at least one, none blank; any iterable of strings,
    kept as a tuple."""
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

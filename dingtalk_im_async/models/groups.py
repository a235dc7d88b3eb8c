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
    owner: str = field(validator=validate_owner)
    owner_type: OwnerType | None = field(default=None, converter=owner_type)
    useridlist: tuple[str, ...] = field(converter=useridlist)
    conversation_tag: ConversationTag | None = field(default=None, converter=conversation_tag)
    extidlist: tuple[str, ...] | None = field(default=None, converter=extidlist)
    icon: str | None = field(default=None, validator=validate_icon)
    management_options: ManagementOptions | None = field(default=None, validator=validate_options)


@define(frozen=True, kw_only=True)
class CreateGroupResult:
    """What DingTalk returns for a created group.

    `conversation_tag` is a `ConversationTag` when DingTalk sends a documented
    value and the raw integer otherwise, so an unexpected tag never hides a
    group that was created.
    """

    open_conversation_id: str
    chatid: str
    conversation_tag: ConversationTag | int

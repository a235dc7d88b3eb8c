"""The enums of a group's fields and its settings (`managementOptions`), as DingTalk
documents them for group create and update
(https://open.dingtalk.com/document/development/create-common-group-new-version-v2)."""

from __future__ import annotations

import enum

from attrs import define, field

from .._core.fields import to_enum

__all__ = [
    "ChatBannedType",
    "ConversationTag",
    "ManagementOptions",
    "ManagementType",
    "MentionAllAuthority",
    "OwnerType",
    "Searchable",
    "ShowHistoryType",
    "ValidationType",
]


class OwnerType(str, enum.Enum):
    """Who the owner is: `emp` an employee, `ext` an external contact."""

    EMP = "emp"
    EXT = "ext"


class ConversationTag(enum.IntEnum):
    """Group kind. Only INTERNAL may be created unless DingTalk whitelisted the app."""

    NORMAL = 0
    INTERNAL = 2


class MentionAllAuthority(enum.IntEnum):
    """Who may @all."""

    EVERYONE = 0
    OWNER_ONLY = 1


class ShowHistoryType(enum.IntEnum):
    """Whether new members see the last 100 messages."""

    HIDDEN = 0
    VISIBLE = 1


class ValidationType(enum.IntEnum):
    """Whether joining needs approval."""

    NONE = 0
    REQUIRED = 1


class Searchable(enum.IntEnum):
    """Whether the group can be found by search."""

    NO = 0
    YES = 1


class ChatBannedType(enum.IntEnum):
    """Whether everyone is muted."""

    NONE = 0
    ALL_MUTED = 1


class ManagementType(enum.IntEnum):
    """Who may manage the group."""

    EVERYONE = 0
    OWNER_ONLY = 1


# One named converter per field: attrs' mypy plugin derives __init__'s types from them.
def owner_type(value: OwnerType | str | None) -> OwnerType | None:
    return to_enum(OwnerType, "owner_type", value)


def conversation_tag(value: ConversationTag | int | None) -> ConversationTag | None:
    return to_enum(ConversationTag, "conversation_tag", value)


def mention_all_authority(value: MentionAllAuthority | int | None) -> MentionAllAuthority | None:
    return to_enum(MentionAllAuthority, "mention_all_authority", value)


def show_history_type(value: ShowHistoryType | int | None) -> ShowHistoryType | None:
    return to_enum(ShowHistoryType, "show_history_type", value)


def validation_type(value: ValidationType | int | None) -> ValidationType | None:
    return to_enum(ValidationType, "validation_type", value)


def searchable(value: Searchable | int | None) -> Searchable | None:
    return to_enum(Searchable, "searchable", value)


def chat_banned_type(value: ChatBannedType | int | None) -> ChatBannedType | None:
    return to_enum(ChatBannedType, "chat_banned_type", value)


def management_type(value: ManagementType | int | None) -> ManagementType | None:
    return to_enum(ManagementType, "management_type", value)


@define(frozen=True, kw_only=True)
class ManagementOptions:
    """The group's settings (`managementOptions`); unset ones keep DingTalk's defaults."""

    mention_all_authority: MentionAllAuthority | None = field(
        default=None, converter=mention_all_authority
    )
    """Who may @all (`mentionAllAuthority`): 0 everyone (DingTalk's default), 1 the owner only."""
    show_history_type: ShowHistoryType | None = field(default=None, converter=show_history_type)
    """Whether new members see the last 100 messages (`showHistoryType`): 0 no (DingTalk's
    default), 1 yes."""
    validation_type: ValidationType | None = field(default=None, converter=validation_type)
    """Whether joining needs approval (`validationType`): 0 no (DingTalk's default), 1 yes."""
    searchable: Searchable | None = field(default=None, converter=searchable)
    """Whether the group can be found by search (`searchable`): 0 no (DingTalk's default),
    1 yes."""
    chat_banned_type: ChatBannedType | None = field(default=None, converter=chat_banned_type)
    """Whether everyone is muted (`chatBannedType`): 0 no (DingTalk's default), 1 yes."""
    management_type: ManagementType | None = field(default=None, converter=management_type)
    """Who may manage the group (`managementType`): 0 everyone (DingTalk's default), 1 the
    owner only."""

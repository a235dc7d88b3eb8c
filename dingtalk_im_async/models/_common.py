"""What every group request shares: the settings enums, `ManagementOptions`, and the
validators that turn a bad value into `RequestValidationError` before any I/O."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TypeVar

from attrs import Attribute, define, field

from ..errors import RequestValidationError

__all__ = [
    "NAME_MAX_CHARS",
    "WIRE_KEY",
    "ChatBannedType",
    "ConversationTag",
    "ManagementOptions",
    "ManagementType",
    "MentionAllAuthority",
    "OwnerType",
    "Searchable",
    "ShowHistoryType",
    "ValidationType",
    "wire",
]

NAME_MAX_CHARS = 20
#: The attrs metadata key naming a field's wire key when it is not its camelCase name.
WIRE_KEY = "dingtalk_wire"


def wire(name: str) -> dict[str, str]:
    """Field metadata for a wire key that is not the camelCase of the Python name:
    `field(default=None, metadata=wire("add_useridlist"))`."""
    return {WIRE_KEY: name}


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


_E = TypeVar("_E", bound=enum.Enum)


def to_enum(enum_cls: type[_E], name: str, value: object) -> _E | None:
    """Accept an enum member or its raw value; reject anything undocumented."""
    if value is None or isinstance(value, enum_cls):
        return value
    if not isinstance(value, bool) and isinstance(value, (int, str)):
        try:
            return enum_cls(value)
        except ValueError:
            pass
    allowed = ", ".join(repr(member.value) for member in enum_cls)
    raise RequestValidationError(name, f"must be one of {allowed}, got {value!r}")


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


def check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise RequestValidationError(name, f"must be a string, got {type(value).__name__}")
    if not value.strip():
        raise RequestValidationError(name, "must not be empty or blank")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise RequestValidationError(
                name, "must be valid Unicode (no lone surrogates)"
            ) from None
    return value


def to_ids(name: str, value: object) -> tuple[str, ...]:
    """A tuple of non-blank ids (tuples keep requests immutable)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise RequestValidationError(name, f"must be a list of strings, got {type(value).__name__}")
    ids = tuple(value)
    for position, item in enumerate(ids):
        check_text(f"{name}[{position}]", item)
    return ids


def useridlist(value: Iterable[str]) -> tuple[str, ...]:
    ids = to_ids("useridlist", value)
    if not ids:
        raise RequestValidationError("useridlist", "must contain at least one id")
    return ids


def extidlist(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else to_ids("extidlist", value)


def validate_name(_instance: object, _attribute: Attribute[str], value: str) -> None:
    text = check_text("name", value)
    if len(text) > NAME_MAX_CHARS:
        raise RequestValidationError(
            "name", f"must be 1 to {NAME_MAX_CHARS} characters, got {len(text)}"
        )


def validate_owner(_instance: object, _attribute: Attribute[str], value: str) -> None:
    check_text("owner", value)


def validate_icon(_instance: object, _attribute: Attribute[str | None], value: str | None) -> None:
    if value is not None:
        check_text("icon", value)


def validate_options(
    _instance: object,
    _attribute: Attribute[ManagementOptions | None],
    value: ManagementOptions | None,
) -> None:
    if value is not None and not isinstance(value, ManagementOptions):
        raise RequestValidationError(
            "management_options", f"must be a ManagementOptions, got {type(value).__name__}"
        )


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

"""Request and result classes, validated when built: a bad request raises
`RequestValidationError` naming the field before anything is sent."""

from ._common import (
    NAME_MAX_CHARS,
    ChatBannedType,
    ConversationTag,
    ManagementOptions,
    ManagementType,
    MentionAllAuthority,
    OwnerType,
    Searchable,
    ShowHistoryType,
    ValidationType,
)
from .groups import CreateGroupRequest, CreateGroupResult

__all__ = [
    "NAME_MAX_CHARS",
    "ChatBannedType",
    "ConversationTag",
    "CreateGroupRequest",
    "CreateGroupResult",
    "ManagementOptions",
    "ManagementType",
    "MentionAllAuthority",
    "OwnerType",
    "Searchable",
    "ShowHistoryType",
    "ValidationType",
]

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
from .lifecycle import (
    AdminRole,
    GetGroupRequest,
    GroupInfo,
    GroupStatus,
    OpenConversationIdRequest,
    OpenConversationIdResult,
    UpdateAdminsRequest,
    UpdateAdminsResult,
    UpdateGroupRequest,
    UpdateGroupResult,
)

__all__ = [
    "NAME_MAX_CHARS",
    "AdminRole",
    "ChatBannedType",
    "ConversationTag",
    "CreateGroupRequest",
    "CreateGroupResult",
    "GetGroupRequest",
    "GroupInfo",
    "GroupStatus",
    "ManagementOptions",
    "ManagementType",
    "MentionAllAuthority",
    "OpenConversationIdRequest",
    "OpenConversationIdResult",
    "OwnerType",
    "Searchable",
    "ShowHistoryType",
    "UpdateAdminsRequest",
    "UpdateAdminsResult",
    "UpdateGroupRequest",
    "UpdateGroupResult",
    "ValidationType",
]

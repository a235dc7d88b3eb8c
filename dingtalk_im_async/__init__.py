"""asyncio-native client for DingTalk's IM group API."""

from ._transport import BASE_URL_ENV, DEFAULT_BASE_URL, RetryPolicy
from .bulk import BulkOutcome, BulkRun, RateLimitedRetry
from .client import DingTalkClient
from .errors import (
    ApiError,
    ClientClosedError,
    DingTalkError,
    InvalidCredentialsError,
    InvalidParameterError,
    InvalidTokenError,
    MissingExtraError,
    PermissionCheckError,
    RateLimitError,
    RequestValidationError,
    ResponseError,
    ServerError,
    TransportError,
)
from .fleet import RedisPacer, RedisTokenCache
from .groups import GroupService
from .models import (
    ChatBannedType,
    ConversationTag,
    CreateGroupRequest,
    CreateGroupResult,
    ManagementOptions,
    ManagementType,
    MentionAllAuthority,
    OwnerType,
    Searchable,
    ShowHistoryType,
    ValidationType,
)
from .pacing import LocalPacer, Pacer
from .token_cache import (
    CachedToken,
    MemoryTokenCache,
    TokenCache,
    TokenCacheError,
)
from .tokens import AppTokenProvider, StaticTokenProvider, TokenProvider

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "ApiError",
    "AppTokenProvider",
    "BulkOutcome",
    "BulkRun",
    "CachedToken",
    "ChatBannedType",
    "ClientClosedError",
    "ConversationTag",
    "CreateGroupRequest",
    "CreateGroupResult",
    "DingTalkClient",
    "DingTalkError",
    "GroupService",
    "InvalidCredentialsError",
    "InvalidParameterError",
    "InvalidTokenError",
    "LocalPacer",
    "ManagementOptions",
    "ManagementType",
    "MemoryTokenCache",
    "MentionAllAuthority",
    "MissingExtraError",
    "OwnerType",
    "Pacer",
    "PermissionCheckError",
    "RateLimitError",
    "RateLimitedRetry",
    "RedisPacer",
    "RedisTokenCache",
    "RequestValidationError",
    "ResponseError",
    "RetryPolicy",
    "Searchable",
    "ServerError",
    "ShowHistoryType",
    "StaticTokenProvider",
    "TokenCache",
    "TokenCacheError",
    "TokenProvider",
    "TransportError",
    "ValidationType",
]

__version__ = "0.1.0"

"""asyncio-native client for DingTalk's IM group API."""

from ._hosts import BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_OAPI_BASE_URL, OAPI_BASE_URL_ENV
from ._retry import RetryPolicy
from .auth import StaticTokenProvider, TokenProvider
from .bulk import BulkOutcome, BulkRun, RateLimitedRetry
from .client import DingTalkClient
from .endpoints import Endpoint, Host
from .errors import (
    ApiError,
    CallQuotaExceededError,
    ClientClosedError,
    DingTalkError,
    InvalidCredentialsError,
    InvalidParameterError,
    InvalidTokenError,
    LegacyRefusalError,
    MissingExtraError,
    PacingError,
    PermissionCheckError,
    RateLimitError,
    RequestValidationError,
    ResponseError,
    RunStoppedError,
    ServerError,
    TransportError,
    Verdict,
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
from .pacing import LocalPacer, Pacer, pacer_key
from .token_cache import (
    CachedToken,
    MemoryTokenCache,
    TokenCache,
    TokenCacheError,
)
from .tokens import AppTokenProvider

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_OAPI_BASE_URL",
    "OAPI_BASE_URL_ENV",
    "ApiError",
    "AppTokenProvider",
    "BulkOutcome",
    "BulkRun",
    "CachedToken",
    "CallQuotaExceededError",
    "ChatBannedType",
    "ClientClosedError",
    "ConversationTag",
    "CreateGroupRequest",
    "CreateGroupResult",
    "DingTalkClient",
    "DingTalkError",
    "Endpoint",
    "GroupService",
    "Host",
    "InvalidCredentialsError",
    "InvalidParameterError",
    "InvalidTokenError",
    "LegacyRefusalError",
    "LocalPacer",
    "ManagementOptions",
    "ManagementType",
    "MemoryTokenCache",
    "MentionAllAuthority",
    "MissingExtraError",
    "OwnerType",
    "Pacer",
    "PacingError",
    "PermissionCheckError",
    "RateLimitError",
    "RateLimitedRetry",
    "RedisPacer",
    "RedisTokenCache",
    "RequestValidationError",
    "ResponseError",
    "RetryPolicy",
    "RunStoppedError",
    "Searchable",
    "ServerError",
    "ShowHistoryType",
    "StaticTokenProvider",
    "TokenCache",
    "TokenCacheError",
    "TokenProvider",
    "TransportError",
    "ValidationType",
    "Verdict",
    "pacer_key",
]

__version__ = "0.1.0"

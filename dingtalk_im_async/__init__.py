"""asyncio-native client for DingTalk's IM API: groups, robot messages, cards, Stream mode.

The public face: the client and its settings, each API family's service and
models (`groups`, `robot`, `cards`, `scenegroups`), tokens, pacing, bulk runs and the exceptions.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import cards, groups, robot, scenegroups
from ._core.hosts import BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_OAPI_BASE_URL, OAPI_BASE_URL_ENV
from ._core.retry import RetryPolicy
from .auth import StaticTokenProvider, TokenProvider
from .budget import Budget, CallBudget, MemoryBudget
from .bulk import BulkOutcome, BulkRun
from .cards import AnswerCard, AnswerState, CardCallback, CardCallbackReply, CardService
from .cards.models import *  # noqa: F403
from .client import DingTalkClient
from .errors import (
    ApiError,
    BudgetError,
    BudgetSpentError,
    CallQuotaExceededError,
    CardAlreadyExistsError,
    CardNotFoundError,
    ClientClosedError,
    DingTalkError,
    GroupDisbandedError,
    GroupNotFoundError,
    GroupTemplateError,
    InternalOnlyError,
    InvalidAuthInfoError,
    InvalidCredentialsError,
    InvalidParameterError,
    InvalidSuiteKeyError,
    InvalidSuiteTicketError,
    InvalidTokenError,
    LegacyRefusalError,
    MemberLimitError,
    MissingExtraError,
    NoSuiteTicketError,
    OrganisationRelievedError,
    PacingError,
    PartialDeliveryError,
    PermissionCheckError,
    RateLimitError,
    ReplyUnavailableError,
    RequestValidationError,
    ResponseError,
    RobotNotInGroupError,
    RobotNotOwnedError,
    RobotStoppedError,
    RunStoppedError,
    ServerError,
    SessionWebhookExpiredError,
    SubAdminLimitError,
    TransportError,
    UnknownSendResultError,
    UnknownUserError,
    UnsuccessfulReplyError,
    Verdict,
)
from .fleet import RedisBudget, RedisPacer, RedisTokenCache
from .groups import GroupService
from .groups.models import *  # noqa: F403 - each family's public names: its models' __all__
from .pacing import LocalPacer, Pacer, pacer_key
from .robot import RobotService
from .robot.models import *  # noqa: F403
from .scenegroups import SceneGroupService
from .scenegroups.models import *  # noqa: F403
from .settings import BulkOptions, ClientSettings
from .token_cache import CachedToken, MemoryTokenCache, TokenCache, TokenCacheError
from .tokens import AppTokenProvider

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_OAPI_BASE_URL",
    "OAPI_BASE_URL_ENV",
    "AnswerCard",
    "AnswerState",
    "ApiError",
    "AppTokenProvider",
    "Budget",
    "BudgetError",
    "BudgetSpentError",
    "BulkOptions",
    "BulkOutcome",
    "BulkRun",
    "CachedToken",
    "CallBudget",
    "CallQuotaExceededError",
    "CardAlreadyExistsError",
    "CardCallback",
    "CardCallbackReply",
    "CardNotFoundError",
    "CardService",
    "ClientClosedError",
    "ClientSettings",
    "DingTalkClient",
    "DingTalkError",
    "GroupDisbandedError",
    "GroupNotFoundError",
    "GroupService",
    "GroupTemplateError",
    "InternalOnlyError",
    "InvalidAuthInfoError",
    "InvalidCredentialsError",
    "InvalidParameterError",
    "InvalidSuiteKeyError",
    "InvalidSuiteTicketError",
    "InvalidTokenError",
    "LegacyRefusalError",
    "LocalPacer",
    "MemberLimitError",
    "MemoryBudget",
    "MemoryTokenCache",
    "MissingExtraError",
    "NoSuiteTicketError",
    "OrganisationRelievedError",
    "Pacer",
    "PacingError",
    "PartialDeliveryError",
    "PermissionCheckError",
    "RateLimitError",
    "RedisBudget",
    "RedisPacer",
    "RedisTokenCache",
    "ReplyUnavailableError",
    "RequestValidationError",
    "ResponseError",
    "RetryPolicy",
    "RobotNotInGroupError",
    "RobotNotOwnedError",
    "RobotService",
    "RobotStoppedError",
    "RunStoppedError",
    "SceneGroupService",
    "ServerError",
    "SessionWebhookExpiredError",
    "StaticTokenProvider",
    "SubAdminLimitError",
    "TokenCache",
    "TokenCacheError",
    "TokenProvider",
    "TransportError",
    "UnknownSendResultError",
    "UnknownUserError",
    "UnsuccessfulReplyError",
    "Verdict",
    "pacer_key",
]
if TYPE_CHECKING:  # imported on first use (`__getattr__`); named here for type checkers
    from .tenants import (
        CorpClient,
        CorpTokenProvider,
        MemorySuiteTicketStore,
        RedisSuiteTicketStore,
        SuiteClient,
        SuiteEvents,
        SuiteTicket,
        SuiteTicketStore,
        SuiteTokens,
        TicketStoreError,
    )

#: The third-party app family, imported on first use (`dingtalk_im_async.tenants`).
_TENANTS = (
    "CorpClient",
    "CorpTokenProvider",
    "MemorySuiteTicketStore",
    "RedisSuiteTicketStore",
    "SuiteClient",
    "SuiteEvents",
    "SuiteTicket",
    "SuiteTicketStore",
    "SuiteTokens",
    "TicketStoreError",
)
__all__ += [
    "CorpClient",
    "CorpTokenProvider",
    "MemorySuiteTicketStore",
    "RedisSuiteTicketStore",
    "SuiteClient",
    "SuiteEvents",
    "SuiteTicket",
    "SuiteTicketStore",
    "SuiteTokens",
    "TicketStoreError",
]
__all__ += groups.models.__all__
__all__ += robot.models.__all__
__all__ += cards.models.__all__
__all__ += scenegroups.models.__all__

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    if name in _TENANTS:
        return getattr(importlib.import_module("dingtalk_im_async.tenants"), name)
    # Names of the last release that moved or went (see `_deprecated`), by name: it
    # imports the package.
    return importlib.import_module("dingtalk_im_async._deprecated").resolve(__name__, name)

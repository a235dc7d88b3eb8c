"""asyncio-native client for DingTalk's IM API: groups, robot messages, cards, Stream mode.

The public face: the client and its settings, each API family's service and
models (`groups`, `robot`, `cards`, `scenegroups`), tokens, pacing, bulk runs and the exceptions.

Every name is imported on first use (PEP 562), so `from dingtalk_im_async import
DingTalkClient` loads neither a family nor the bulk runner until a program uses them:
start-up cost is the client's own, not the whole package's (`benchmarks/import_time.py`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Where each public name lives, by module (relative to this package).
_HOMES: dict[str, tuple[str, ...]] = {
    "._core.hosts": (
        "BASE_URL_ENV",
        "DEFAULT_BASE_URL",
        "DEFAULT_OAPI_BASE_URL",
        "OAPI_BASE_URL_ENV",
    ),
    "._core.retry": ("RetryPolicy",),
    ".auth": ("StaticTokenProvider", "TokenProvider"),
    ".budget": ("Budget", "CallBudget", "MemoryBudget"),
    ".bulk": ("BulkOutcome", "BulkRun"),
    ".cards": (
        "AnswerCard",
        "AnswerState",
        "CardCallback",
        "CardCallbackReply",
        "CardService",
    ),
    ".client": ("DingTalkClient",),
    ".errors": (
        "ApiError",
        "BudgetError",
        "BudgetSpentError",
        "CallQuotaExceededError",
        "CardAlreadyExistsError",
        "CardNotFoundError",
        "ClientClosedError",
        "DingTalkError",
        "GroupDisbandedError",
        "GroupNotFoundError",
        "GroupTemplateError",
        "InternalOnlyError",
        "InvalidAuthInfoError",
        "InvalidCredentialsError",
        "InvalidParameterError",
        "InvalidSuiteKeyError",
        "InvalidSuiteTicketError",
        "InvalidTokenError",
        "LegacyRefusalError",
        "MemberLimitError",
        "MissingExtraError",
        "NoSuiteTicketError",
        "OrganisationRelievedError",
        "PacingError",
        "PartialDeliveryError",
        "PermissionCheckError",
        "RateLimitError",
        "ReplyUnavailableError",
        "RequestValidationError",
        "ResponseError",
        "RobotNotInGroupError",
        "RobotNotOwnedError",
        "RobotStoppedError",
        "RunStoppedError",
        "ServerError",
        "SessionWebhookExpiredError",
        "SubAdminLimitError",
        "TicketStoreError",
        "TransportError",
        "UnknownSendResultError",
        "UnknownUserError",
        "UnsuccessfulReplyError",
        "Verdict",
    ),
    ".fleet": ("RedisPacer", "RedisTokenCache"),
    ".fleet_budget": ("RedisBudget",),
    ".groups": ("GroupService",),
    ".pacing": (
        "LocalPacer",
        "Pacer",
        "pacer_key",
    ),
    ".robot": ("RobotService",),
    ".scenegroups": ("SceneGroupService",),
    ".settings": ("BulkOptions", "ClientSettings"),
    ".suite_client": ("CorpClient", "SuiteClient"),
    ".tenants": (
        "CorpTokenProvider",
        "MemorySuiteTicketStore",
        "RedisSuiteTicketStore",
        "SuiteEvents",
        "SuiteTicket",
        "SuiteTicketStore",
        "SuiteTokens",
    ),
    ".token_cache": (
        "CachedToken",
        "MemoryTokenCache",
        "TokenCache",
        "TokenCacheError",
    ),
    ".tokens": ("AppTokenProvider",),
}
#: Each family's models module: every name in its `__all__` is public here too.
_FAMILY_MODELS = (".groups.models", ".robot.models", ".cards.models", ".scenegroups.models")
_FAMILIES = frozenset({"cards", "groups", "robot", "scenegroups"})
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

# The same names, for type checkers and the docs (tests/project/test_public_face.py keeps
# them equal to `_HOMES`); `A as A` marks each as re-exported. isort would split those.
# isort: off
if TYPE_CHECKING:
    from . import cards as cards, groups as groups, robot as robot, scenegroups as scenegroups
    from ._core.hosts import (
        BASE_URL_ENV as BASE_URL_ENV,
        DEFAULT_BASE_URL as DEFAULT_BASE_URL,
        DEFAULT_OAPI_BASE_URL as DEFAULT_OAPI_BASE_URL,
        OAPI_BASE_URL_ENV as OAPI_BASE_URL_ENV,
    )
    from ._core.retry import (
        RetryPolicy as RetryPolicy,
    )
    from .auth import (
        StaticTokenProvider as StaticTokenProvider,
        TokenProvider as TokenProvider,
    )
    from .budget import (
        Budget as Budget,
        CallBudget as CallBudget,
        MemoryBudget as MemoryBudget,
    )
    from .bulk import (
        BulkOutcome as BulkOutcome,
        BulkRun as BulkRun,
    )
    from .cards import (
        AnswerCard as AnswerCard,
        AnswerState as AnswerState,
        CardCallback as CardCallback,
        CardCallbackReply as CardCallbackReply,
        CardService as CardService,
    )
    from .client import (
        DingTalkClient as DingTalkClient,
    )
    from .errors import (
        ApiError as ApiError,
        BudgetError as BudgetError,
        BudgetSpentError as BudgetSpentError,
        CallQuotaExceededError as CallQuotaExceededError,
        CardAlreadyExistsError as CardAlreadyExistsError,
        CardNotFoundError as CardNotFoundError,
        ClientClosedError as ClientClosedError,
        DingTalkError as DingTalkError,
        GroupDisbandedError as GroupDisbandedError,
        GroupNotFoundError as GroupNotFoundError,
        GroupTemplateError as GroupTemplateError,
        InternalOnlyError as InternalOnlyError,
        InvalidAuthInfoError as InvalidAuthInfoError,
        InvalidCredentialsError as InvalidCredentialsError,
        InvalidParameterError as InvalidParameterError,
        InvalidSuiteKeyError as InvalidSuiteKeyError,
        InvalidSuiteTicketError as InvalidSuiteTicketError,
        InvalidTokenError as InvalidTokenError,
        LegacyRefusalError as LegacyRefusalError,
        MemberLimitError as MemberLimitError,
        MissingExtraError as MissingExtraError,
        NoSuiteTicketError as NoSuiteTicketError,
        OrganisationRelievedError as OrganisationRelievedError,
        PacingError as PacingError,
        PartialDeliveryError as PartialDeliveryError,
        PermissionCheckError as PermissionCheckError,
        RateLimitError as RateLimitError,
        ReplyUnavailableError as ReplyUnavailableError,
        RequestValidationError as RequestValidationError,
        ResponseError as ResponseError,
        RobotNotInGroupError as RobotNotInGroupError,
        RobotNotOwnedError as RobotNotOwnedError,
        RobotStoppedError as RobotStoppedError,
        RunStoppedError as RunStoppedError,
        ServerError as ServerError,
        SessionWebhookExpiredError as SessionWebhookExpiredError,
        SubAdminLimitError as SubAdminLimitError,
        TicketStoreError as TicketStoreError,
        TransportError as TransportError,
        UnknownSendResultError as UnknownSendResultError,
        UnknownUserError as UnknownUserError,
        UnsuccessfulReplyError as UnsuccessfulReplyError,
        Verdict as Verdict,
    )
    from .fleet import (
        RedisPacer as RedisPacer,
        RedisTokenCache as RedisTokenCache,
    )
    from .fleet_budget import (
        RedisBudget as RedisBudget,
    )
    from .groups import (
        GroupService as GroupService,
    )
    from .pacing import (
        LocalPacer as LocalPacer,
        Pacer as Pacer,
        pacer_key as pacer_key,
    )
    from .robot import (
        RobotService as RobotService,
    )
    from .scenegroups import (
        SceneGroupService as SceneGroupService,
    )
    from .settings import (
        BulkOptions as BulkOptions,
        ClientSettings as ClientSettings,
    )
    from .suite_client import (
        CorpClient as CorpClient,
        SuiteClient as SuiteClient,
    )
    from .tenants import (
        CorpTokenProvider as CorpTokenProvider,
        MemorySuiteTicketStore as MemorySuiteTicketStore,
        RedisSuiteTicketStore as RedisSuiteTicketStore,
        SuiteEvents as SuiteEvents,
        SuiteTicket as SuiteTicket,
        SuiteTicketStore as SuiteTicketStore,
        SuiteTokens as SuiteTokens,
    )
    from .token_cache import (
        CachedToken as CachedToken,
        MemoryTokenCache as MemoryTokenCache,
        TokenCache as TokenCache,
        TokenCacheError as TokenCacheError,
    )
    from .tokens import (
        AppTokenProvider as AppTokenProvider,
    )
    from .cards.models import *  # noqa: F403
    from .groups.models import *  # noqa: F403
    from .robot.models import *  # noqa: F403
    from .scenegroups.member_models import *  # noqa: F403 - in scenegroups.models' too
    from .scenegroups.models import *  # noqa: F403
# isort: on

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    value = _public(name)
    if value is _NOT_PUBLIC:
        # Names of the last release that moved or went (see `_deprecated`): not kept, so
        # each use warns; by name, as it imports the package.
        return importlib.import_module("dingtalk_im_async._deprecated").resolve(__name__, name)
    globals()[name] = value  # found once: later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_public_names()})


_NOT_PUBLIC = object()


def _public(name: str) -> Any:
    """The public name's value, importing its home; `_NOT_PUBLIC` if there is none."""
    home = _HOME_OF.get(name)
    if home is not None:
        return getattr(importlib.import_module(home, __name__), name)
    if name == "__all__":
        return _public_names()
    if name in _FAMILIES:
        return importlib.import_module(f".{name}", __name__)
    for models in _FAMILY_MODELS:
        module = importlib.import_module(models, __name__)
        if name in module.__all__:
            return getattr(module, name)
    return _NOT_PUBLIC


def _public_names() -> list[str]:
    names = sorted(_HOME_OF)
    for models in _FAMILY_MODELS:
        names += importlib.import_module(models, __name__).__all__
    return names

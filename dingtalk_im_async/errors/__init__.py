"""Every error the client raises, and the one function that says whether a failed call took
effect (`verdict_of`).

The tree mirrors what a caller can do about a failure: fix the request
(`RequestValidationError`, `InvalidParameterError`), fix the app's setup
(`PermissionCheckError`, `InvalidTokenError`), slow down (`RateLimitError`),
retry (`ServerError`), or find out what happened (`TransportError`,
`ResponseError`). Which code raises which class is declared by each API
family beside its endpoints (`groups/api.py`, `robot/api.py`), over the
codes every API shares (`COMMON_CODES`).
"""

from __future__ import annotations

import importlib

from ._base import DingTalkError, Verdict, verdict_of
from ._cards import CardAlreadyExistsError, CardNotFoundError, PartialDeliveryError
from ._groups import GroupDisbandedError, GroupNotFoundError, SubAdminLimitError, UnknownUserError
from ._local import (
    BudgetError,
    BudgetSpentError,
    ClientClosedError,
    MissingExtraError,
    PacingError,
    RequestValidationError,
    RunStoppedError,
    TransportError,
)
from ._replies import (
    EXCERPT_CHARS,
    ApiError,
    CallQuotaExceededError,
    InvalidCredentialsError,
    InvalidParameterError,
    InvalidTokenError,
    LegacyRefusalError,
    PermissionCheckError,
    RateLimitError,
    ResponseError,
    ServerError,
    UnsuccessfulReplyError,
    reply_text,
    require_success,
)
from ._robot import (
    RobotNotInGroupError,
    RobotNotOwnedError,
    RobotStoppedError,
    UnknownSendResultError,
)
from ._scenegroups import GroupTemplateError, MemberLimitError
from ._stream import ReplyUnavailableError, SessionWebhookExpiredError
from ._tenants import (
    InternalOnlyError,
    InvalidAuthInfoError,
    InvalidSuiteKeyError,
    InvalidSuiteTicketError,
    NoSuiteTicketError,
    OrganisationRelievedError,
    TicketStoreError,
)
from .codes import COMMON_CODES, ErrorCodes, is_token_refusal

__all__ = [
    "COMMON_CODES",
    "EXCERPT_CHARS",
    "ApiError",
    "BudgetError",
    "BudgetSpentError",
    "CallQuotaExceededError",
    "CardAlreadyExistsError",
    "CardNotFoundError",
    "ClientClosedError",
    "DingTalkError",
    "ErrorCodes",
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
    "is_token_refusal",
    "reply_text",
    "require_success",
    "verdict_of",
]


def __getattr__(name: str) -> object:
    # The last release's helpers that went (each warns): `_last_release`, imported only
    # when one is asked for.
    return importlib.import_module("._last_release", __name__).resolve(name)

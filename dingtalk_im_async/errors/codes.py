"""Which exception a DingTalk error code raises: the codes every API shares, and the table
type each family declares its own codes with (in its `api.py`, beside its endpoints).

An endpoint carries one merged table (the common codes, its family's and its
own), so a code means what the docs of that API say it means, and nothing is
added to a table after it is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from attrs import define, field

from ._replies import (
    ApiError,
    CallQuotaExceededError,
    InvalidCredentialsError,
    InvalidParameterError,
    InvalidTokenError,
    LegacyRefusalError,
    PermissionCheckError,
    RateLimitError,
    ServerError,
)

__all__ = ["COMMON_CODES", "ErrorCodes", "is_token_refusal"]


def _frozen_classes(classes: Mapping[str, type[ApiError]]) -> Mapping[str, type[ApiError]]:
    return MappingProxyType(dict(classes))


def _codes(codes: Iterable[str]) -> frozenset[str]:
    return frozenset(codes)


@define(frozen=True, eq=False)
class ErrorCodes:
    """Codes DingTalk documents for an API family or one endpoint.

    - `classes`: a code and the exception class it raises;
    - `refusals`: codes documented as refusals (nothing applied) that keep a
      general class: `ApiError` on the v1.0 host, `LegacyRefusalError` on the
      legacy one;
    - `prefixes`: a code prefix and its class, for code families such as
      `AuthenticationFailed.*` (the common table's).

    Codes are strings: the v1.0 `code`, or the legacy `errcode` (or its
    `sub_code`) as text. `a | b` is both tables; a code given two classes is
    a `ValueError` when the tables are joined, i.e. when the family is declared.
    """

    classes: Mapping[str, type[ApiError]] = field(factory=dict, converter=_frozen_classes)
    refusals: frozenset[str] = field(default=frozenset(), converter=_codes)
    prefixes: tuple[tuple[str, type[ApiError]], ...] = ()

    def __or__(self, other: ErrorCodes) -> ErrorCodes:
        clashes = sorted(
            code for code, cls in other.classes.items() if self.classes.get(code, cls) is not cls
        )
        if clashes:
            raise ValueError(f"codes given two classes: {clashes}")
        return ErrorCodes(
            classes={**self.classes, **other.classes},
            refusals=self.refusals | other.refusals,
            prefixes=(*self.prefixes, *other.prefixes),
        )

    def api_error(
        self,
        *,
        status: int,
        code: str,
        message: str,
        request_id: str | None = None,
        body: Mapping[str, object] | None = None,
    ) -> ApiError:
        """The exception a v1.0 error body (HTTP `status`, its `code`) stands for."""
        cls = self.classes.get(code)
        if cls is None:
            cls = next((c for prefix, c in self.prefixes if code.startswith(prefix)), ApiError)
        return cls(
            status=status,
            code=code,
            message=message,
            request_id=request_id,
            body=body,
            listed_refusal=code in self.refusals,
        )

    def legacy_error(self, *, status: int, body: Mapping[str, object]) -> ApiError:
        """The exception a legacy oapi envelope (`errcode` != 0, HTTP 200) stands for.

        The code is the `sub_code` when DingTalk gives one (an invalid token comes
        as errcode 88 with sub_code 40014), else the errcode, as a string.
        """
        sub_code = body.get("sub_code")
        code = str(sub_code) if isinstance(sub_code, (str, int)) and sub_code != "" else None
        if code is None:
            code = str(body.get("errcode"))
        message = body.get("sub_msg") or body.get("errmsg")
        request_id = body.get("request_id")
        cls = self.classes.get(code)
        if cls is None:
            cls = LegacyRefusalError if code in self.refusals else ApiError
        return cls(
            status=status,
            code=code,
            message=message if isinstance(message, str) else "",
            request_id=request_id if isinstance(request_id, str) else None,
            body=body,
            listed_refusal=code in self.refusals,
        )


#: Codes every DingTalk API may answer with:
#: https://open.dingtalk.com/document/development/server-api-error-codes-1 and, for the
#: rate and quota limits of both hosts,
#: https://open.dingtalk.com/document/development/how-to-process-api-throttling-on-the-dingtalk-server
COMMON_CODES = ErrorCodes(
    classes={
        "parameter.invalid": InvalidParameterError,
        "permession.checkFailed": PermissionCheckError,  # sic, DingTalk's spelling
        "system.error": ServerError,
        "system.busy": RateLimitError,
        "InvalidAuthentication": InvalidTokenError,
        "invalidClientIdOrSecret": InvalidCredentialsError,
        "Forbidden.AccessDenied.ApiCountLimitForOrg": CallQuotaExceededError,
        # The legacy host: 40001/40014/42001 the access token is invalid or expired; -1
        # system busy; 90018/90019 QPS/QPM limits; 90020 the monthly call quota.
        "40001": InvalidTokenError,
        "40014": InvalidTokenError,
        "42001": InvalidTokenError,
        "-1": RateLimitError,
        "90018": RateLimitError,
        "90019": RateLimitError,
        "90020": CallQuotaExceededError,
    },
    refusals={
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
        "Forbidden.AccessDenied.IpNotInWhiteList",
        # errcode 88 / sub_code 60011: the app lacks the API's permission, the legacy twin
        # of AccessTokenPermissionDenied.
        "60011",
    },
    prefixes=(
        ("AuthenticationFailed.", InvalidTokenError),
        ("Forbidden.AccessDenied.QpsLimit", RateLimitError),
        ("Forbidden.AccessDenied.QpmLimit", RateLimitError),
    ),
)

#: Codes that mean "this access token was refused": the transport replays once with a fresh one.
_TOKEN_REFUSALS = frozenset({"InvalidAuthentication", "40001", "40014", "42001"})


def is_token_refusal(error: BaseException) -> bool:
    """True when DingTalk refused the access token itself (not a missing one): the call
    may be replayed once with a fresh token, since the refused one did nothing."""
    return isinstance(error, InvalidTokenError) and error.code in _TOKEN_REFUSALS

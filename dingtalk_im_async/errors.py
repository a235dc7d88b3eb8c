"""Every error the client raises, and the one place that maps DingTalk's replies to them.

The tree mirrors what a caller can do about a failure: fix the request
(`RequestValidationError`, `InvalidParameterError`), fix the app's setup
(`PermissionCheckError`, `InvalidTokenError`), slow down (`RateLimitError`),
retry (`ServerError`), or find out what happened (`TransportError`,
`ResponseError`).
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "DingTalkError",
    "InvalidCredentialsError",
    "InvalidParameterError",
    "InvalidTokenError",
    "MissingExtraError",
    "PermissionCheckError",
    "RateLimitError",
    "RequestValidationError",
    "ResponseError",
    "ServerError",
    "TransportError",
    "api_error_for",
]

#: Longest excerpt of an unexpected body kept in a `ResponseError`.
EXCERPT_CHARS = 200


class DingTalkError(Exception):
    """Base class of every error raised by this package."""


class MissingExtraError(DingTalkError, ImportError):
    """An optional feature was used without its extra installed; the message names the fix."""

    def __init__(self, *, feature: str, package: str, extra: str) -> None:
        self.feature = feature
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the {package!r} package: pip install 'dingtalk-im-async[{extra}]'",
            name=package,
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_missing_extra, (self.feature, self.package, self.extra))


def _rebuild_missing_extra(feature: str, package: str, extra: str) -> MissingExtraError:
    return MissingExtraError(feature=feature, package=package, extra=extra)


class RequestValidationError(DingTalkError, ValueError):
    """A request was rejected on the client, before any I/O.

    `field` is the Python attribute name of the offending value and `rule`
    the constraint it broke.
    """

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class ApiError(DingTalkError):
    """DingTalk answered with a documented error body (`code`, `message`, `requestid`)."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        message: str,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"HTTP {self.status} {self.code}: {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_api_error, (type(self), self.__dict__.copy()))


def _rebuild_api_error(cls: type[ApiError], state: dict[str, object]) -> ApiError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, str(error))
    return error


class InvalidParameterError(ApiError):
    """`parameter.invalid`: the server rejected the request's parameters."""


class PermissionCheckError(ApiError):
    """`permession.checkFailed` (DingTalk's spelling): e.g. the owner is not visible to the app."""


class InvalidTokenError(ApiError):
    """`InvalidAuthentication` or `AuthenticationFailed.*`: the access token was refused."""


class InvalidCredentialsError(ApiError):
    """`invalidClientIdOrSecret`: the app key or app secret was refused by the token endpoint."""


class RateLimitError(ApiError):
    """A QPS/QPM limit (`Forbidden.AccessDenied.Q*Limit*`) or `system.busy`: not processed."""


class ServerError(ApiError):
    """`system.error`: DingTalk says to retry; HTTP 500 ones are retried automatically."""


class ResponseError(DingTalkError):
    """The server's reply was not what the API documents (HTML, broken JSON, missing fields).

    `excerpt` holds the start of the body so a reply that did create a group
    can still be traced by hand.
    """

    def __init__(self, reason: str, *, status: int, excerpt: str = "") -> None:
        self.reason = reason
        self.status = status
        self.excerpt = excerpt[:EXCERPT_CHARS]
        text = f"HTTP {status}: {reason}"
        if self.excerpt:
            text += f": {self.excerpt!r}"
        super().__init__(text)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_response_error, (self.reason, self.status, self.excerpt))


def _rebuild_response_error(reason: str, status: int, excerpt: str) -> ResponseError:
    return ResponseError(reason, status=status, excerpt=excerpt)


class TransportError(DingTalkError):
    """A timeout or a dropped connection; the aiohttp exception is the `__cause__`.

    `may_have_reached_server` is False only when the connection was never
    made, so the request certainly did nothing; otherwise the outcome is
    unknown and a create may have made a group.
    """

    def __init__(self, reason: str, *, may_have_reached_server: bool) -> None:
        self.reason = reason
        self.may_have_reached_server = may_have_reached_server
        outcome = (
            "the request may have reached the server; its outcome is unknown"
            if may_have_reached_server
            else "the request did not reach the server"
        )
        super().__init__(f"{reason} ({outcome})")

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_transport_error, (self.reason, self.may_have_reached_server))


def _rebuild_transport_error(reason: str, may_have_reached_server: bool) -> TransportError:
    return TransportError(reason, may_have_reached_server=may_have_reached_server)


_CODE_CLASSES: dict[str, type[ApiError]] = {
    "parameter.invalid": InvalidParameterError,
    "permession.checkFailed": PermissionCheckError,
    "system.error": ServerError,
    "system.busy": RateLimitError,
    "InvalidAuthentication": InvalidTokenError,
    "invalidClientIdOrSecret": InvalidCredentialsError,
}

_RATE_LIMIT_PREFIXES = (
    "Forbidden.AccessDenied.QpsLimit",
    "Forbidden.AccessDenied.QpmLimit",
)


def api_error_for(
    *, status: int, code: str, message: str, request_id: str | None = None
) -> ApiError:
    """Build the exception DingTalk's (HTTP status, code) pair stands for."""
    cls = _CODE_CLASSES.get(code)
    if cls is None:
        if code.startswith("AuthenticationFailed."):
            cls = InvalidTokenError
        elif code.startswith(_RATE_LIMIT_PREFIXES):
            cls = RateLimitError
        else:
            cls = ApiError
    return cls(status=status, code=code, message=message, request_id=request_id)

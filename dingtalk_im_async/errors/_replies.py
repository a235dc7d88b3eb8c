"""Errors made of DingTalk's answer: a documented error body, an undocumented reply, or a
success-shaped reply that says no.

`reply_text` is the one door through which text taken from a reply (or from
an aiohttp exception about one) enters an error's message or fields: it
scrubs secrets (`_core/redaction.py`) before cutting, so no cut leaves half a
token behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

from .._core.redaction import PLACEHOLDER, names_secret, redact
from ._base import DingTalkError

__all__ = [
    "EXCERPT_CHARS",
    "ApiError",
    "CallQuotaExceededError",
    "InvalidCredentialsError",
    "InvalidParameterError",
    "InvalidTokenError",
    "LegacyRefusalError",
    "PermissionCheckError",
    "RateLimitError",
    "ResponseError",
    "ServerError",
    "UnsuccessfulReplyError",
    "reply_data",
    "reply_text",
    "require_success",
]

#: Longest excerpt of an unexpected body kept in a `ResponseError`.
EXCERPT_CHARS = 200
#: Read past a cut before scrubbing, so a secret straddling the cut is still whole.
_CUT_MARGIN = 4096


def reply_text(text: object, *, limit: int | None = None) -> str:
    """`text`, taken from a reply or from an aiohttp exception, as an error may show it:
    secrets scrubbed, then cut to `limit` characters. Every such text goes through here."""
    shown = text if isinstance(text, str) else str(text)
    if limit is None:
        return redact(shown)
    return redact(shown[: limit + _CUT_MARGIN])[:limit]


def reply_data(value: object) -> object:
    """A decoded reply (the `body`, `reply` fields of errors) with every string in it
    scrubbed like `reply_text`, and the value of a key that names a secret replaced."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {
            reply_data(key): PLACEHOLDER
            if isinstance(key, str) and names_secret(key)
            else reply_data(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(reply_data(item) for item in value)
    return value


def _reply_mapping(value: Mapping[str, object] | None) -> Mapping[str, object]:
    """`reply_data` of a reply's top level, read-only."""
    return MappingProxyType(
        {
            reply_text(key): PLACEHOLDER if names_secret(key) else reply_data(item)
            for key, item in (value or {}).items()
        }
    )


class ApiError(DingTalkError):
    """DingTalk answered with an error body (`code`, `message`, `requestid`).

    `body` is the whole error body as decoded (e.g. with `accessdenieddetail`).
    Its verdict is `REJECTED` when DingTalk documents the code as a refusal (a
    subclass that is one by nature, or a code the endpoint's table lists)
    with a status that fits it; any other code, or a 5xx status, is `UNKNOWN`.
    """

    #: True for the classes whose every code DingTalk documents as a refusal.
    refusal: ClassVar[bool] = False

    def __init__(
        self,
        *,
        status: int,
        code: str,
        message: str,
        request_id: str | None = None,
        body: Mapping[str, object] | None = None,
        listed_refusal: bool = False,
    ) -> None:
        self.status = status
        self.code = reply_text(code)
        self.message = reply_text(message)
        self.request_id = None if request_id is None else reply_text(request_id)
        self.body = _reply_mapping(body)
        self.listed_refusal = listed_refusal
        super().__init__(str(self))

    @property
    def documented_refusal(self) -> bool:
        """A refusal by class or by the endpoint's code table, with a status that fits it:
        HTTP 4xx (or 200, for the bodies DingTalk hides behind it, such as `system.busy`);
        `system.error` also with 500, which DingTalk documents as "retry". A gateway's
        502/504 is never sure."""
        if not (self.refusal or self.listed_refusal):
            return False
        return self.status < 500 or (self.status == 500 and self.code == "system.error")

    def __str__(self) -> str:
        text = f"HTTP {self.status} {self.code}: {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class InvalidParameterError(ApiError):
    """`parameter.invalid`: the server rejected the request's parameters."""

    refusal = True


class PermissionCheckError(ApiError):
    """`permession.checkFailed` (DingTalk's spelling): e.g. the owner is not visible to the app."""

    refusal = True


class InvalidTokenError(ApiError):
    """`InvalidAuthentication` or `AuthenticationFailed.*`: the access token was refused."""

    refusal = True


class InvalidCredentialsError(ApiError):
    """`invalidClientIdOrSecret`: the app key or app secret was refused by the token endpoint.

    Raised by an API call whose token could not be had, it is `NOT_SENT`.
    """

    refusal = True


class RateLimitError(ApiError):
    """A QPS/QPM limit (`Forbidden.AccessDenied.Q*Limit*`) or `system.busy`: not processed.

    Bulk runs put the input back after a pause.
    """

    refusal = True


class CallQuotaExceededError(ApiError):
    """`Forbidden.AccessDenied.ApiCountLimitForOrg`: the organisation's monthly API call
    quota (5,000 on the standard edition) is spent. Nothing more will succeed until it
    renews, so a bulk run stops sending and reports the rest as not sent."""

    refusal = True


class ServerError(ApiError):
    """`system.error`: DingTalk says to retry; HTTP 500 ones are retried automatically.

    Rejected: DingTalk documents it as "retry", i.e. not carried out.
    """

    refusal = True


class LegacyRefusalError(ApiError):
    """A documented refusal of the legacy oapi host without a class of its own (e.g.
    errcode 43007, the read needs authorisation)."""

    refusal = True


class ResponseError(DingTalkError):
    """The server's reply was not what the API documents (HTML, broken JSON, missing fields).

    `excerpt` holds the start of the body so a reply that did create a group
    can still be traced by hand. `status` is 0 when not even the reply's HTTP
    framing could be read. Always `UNKNOWN` once sent: the server may have
    acted before it answered badly.
    """

    def __init__(self, reason: str, *, status: int, excerpt: str = "") -> None:
        self.reason = reply_text(reason)  # it may quote the reply (a field's bad value)
        self.status = status
        self.excerpt = reply_text(excerpt, limit=EXCERPT_CHARS)
        text = f"HTTP {status}: {self.reason}" if status else self.reason
        if self.excerpt:
            text += f": {self.excerpt!r}"
        super().__init__(text)


class UnsuccessfulReplyError(DingTalkError):
    """DingTalk answered HTTP 2xx without an error code but with `success` false (or, for
    sub-admins, anything but the string "true").

    Its verdict is `UNKNOWN`: DingTalk documents no meaning for it, and a
    member list may have been applied in part. Update and sub-admin changes
    are safe to repeat, so bulk runs put such an input back and `--resume`
    sends it again. `reply` is the reply's fields as decoded.
    """

    def __init__(self, *, status: int, reply: Mapping[str, object]) -> None:
        self.status = status
        self.reply = _reply_mapping(reply)
        shown = reply_text(repr(dict(self.reply)))
        super().__init__(f"HTTP {status}: DingTalk reported no success: {shown}")


def require_success(status: int, result: object) -> None:
    """An endpoint's `check`: a result whose `success` is neither True nor "true" (the
    sub-admin API's string) is an `UnsuccessfulReplyError`."""
    success = getattr(result, "success", None)
    if success is True or success == "true":
        return
    raise UnsuccessfulReplyError(status=status, reply={"success": success})

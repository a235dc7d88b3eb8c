"""Every error the client raises, and the one place that maps DingTalk's replies to them.

The tree mirrors what a caller can do about a failure: fix the request
(`RequestValidationError`, `InvalidParameterError`), fix the app's setup
(`PermissionCheckError`, `InvalidTokenError`), slow down (`RateLimitError`),
retry (`ServerError`), or find out what happened (`TransportError`,
`ResponseError`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "ApiError",
    "CallQuotaExceededError",
    "ClientClosedError",
    "DingTalkError",
    "GroupDisbandedError",
    "InvalidCredentialsError",
    "InvalidParameterError",
    "InvalidTokenError",
    "LegacyRefusalError",
    "MissingExtraError",
    "PacingError",
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
    "TransportError",
    "UnknownSendResultError",
    "Verdict",
    "api_error_for",
    "is_token_refusal",
    "legacy_error_for",
    "mark_not_sent",
]

#: Longest excerpt of an unexpected body kept in a `ResponseError`.
EXCERPT_CHARS = 200


class Verdict(str, enum.Enum):
    """Did the failed call take effect? The one question every error answers.

    - `NOT_SENT`: the request never left this process; sending it again is safe.
    - `REJECTED`: DingTalk answered with a documented refusal; nothing was applied.
    - `UNKNOWN`: anything else; it may have been applied. The default.
    """

    NOT_SENT = "not_sent"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


class DingTalkError(Exception):
    """Base class of every error raised by this package.

    `verdict` says whether the call took effect (`Verdict`); it is decided in
    this module only, and is `UNKNOWN` unless a rule here says otherwise.
    """

    #: The verdict of every instance of the class, unless the instance says otherwise.
    default_verdict = Verdict.UNKNOWN
    _verdict: Verdict | None = None

    @property
    def verdict(self) -> Verdict:
        """Whether the call took effect: not sent, rejected, or unknown."""
        return self._verdict if self._verdict is not None else self.default_verdict


class MissingExtraError(DingTalkError, ImportError):
    """An optional feature was used without its extra installed; the message names the fix."""

    default_verdict = Verdict.NOT_SENT

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

    default_verdict = Verdict.NOT_SENT

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class ApiError(DingTalkError):
    """DingTalk answered with an error body (`code`, `message`, `requestid`).

    `body` is the whole error body as decoded (e.g. with `accessdenieddetail`).
    The verdict is `REJECTED` when the code is one DingTalk documents as a
    refusal (`DOCUMENTED_REFUSALS`, or a subclass that is one by nature) with
    a status that fits it; any other code, or a 5xx status, is `UNKNOWN`.
    """

    def __init__(
        self,
        *,
        status: int,
        code: str,
        message: str,
        request_id: str | None = None,
        body: Mapping[str, object] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.body: Mapping[str, object] = MappingProxyType(dict(body) if body else {})
        super().__init__(str(self))

    @property
    def verdict(self) -> Verdict:
        if self._verdict is not None:
            return self._verdict
        return _api_verdict(type(self), self.status, self.code)

    def __str__(self) -> str:
        text = f"HTTP {self.status} {self.code}: {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        state = self.__dict__.copy()
        state["body"] = dict(self.body)
        return (_rebuild_api_error, (type(self), state))


def _rebuild_api_error(cls: type[ApiError], state: dict[str, object]) -> ApiError:
    error = cls.__new__(cls)
    body = state.get("body")
    if isinstance(body, Mapping):
        state["body"] = MappingProxyType(dict(body))
    error.__dict__.update(state)
    Exception.__init__(error, str(error))
    return error


class InvalidParameterError(ApiError):
    """`parameter.invalid`: the server rejected the request's parameters."""

    default_verdict = Verdict.REJECTED


class PermissionCheckError(ApiError):
    """`permession.checkFailed` (DingTalk's spelling): e.g. the owner is not visible to the app."""

    default_verdict = Verdict.REJECTED


class InvalidTokenError(ApiError):
    """`InvalidAuthentication` or `AuthenticationFailed.*`: the access token was refused."""

    default_verdict = Verdict.REJECTED


class InvalidCredentialsError(ApiError):
    """`invalidClientIdOrSecret`: the app key or app secret was refused by the token endpoint.

    Raised by an API call whose token could not be had, it is `NOT_SENT`.
    """

    default_verdict = Verdict.REJECTED


class RateLimitError(ApiError):
    """A QPS/QPM limit (`Forbidden.AccessDenied.Q*Limit*`) or `system.busy`: not processed.

    Bulk runs put the input back after a pause.
    """

    default_verdict = Verdict.REJECTED


class CallQuotaExceededError(ApiError):
    """`Forbidden.AccessDenied.ApiCountLimitForOrg`: the organisation's monthly API call
    quota (5,000 on the standard edition) is spent. Nothing more will succeed until it
    renews, so a bulk run stops sending and reports the rest as not sent."""

    default_verdict = Verdict.REJECTED


class ServerError(ApiError):
    """`system.error`: DingTalk says to retry; HTTP 500 ones are retried automatically.

    Rejected: DingTalk documents it as "retry", i.e. not carried out.
    """

    default_verdict = Verdict.REJECTED


class ResponseError(DingTalkError):
    """The server's reply was not what the API documents (HTML, broken JSON, missing fields).

    `excerpt` holds the start of the body so a reply that did create a group
    can still be traced by hand. `status` is 0 when not even the reply's HTTP
    framing could be read. Always `UNKNOWN`: the server may have acted before
    it answered badly.
    """

    def __init__(self, reason: str, *, status: int, excerpt: str = "") -> None:
        self.reason = reason
        self.status = status
        self.excerpt = excerpt[:EXCERPT_CHARS]
        text = f"HTTP {status}: {reason}" if status else reason
        if self.excerpt:
            text += f": {self.excerpt!r}"
        super().__init__(text)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_response_error, (self.reason, self.status, self.excerpt))


def _rebuild_response_error(reason: str, status: int, excerpt: str) -> ResponseError:
    return ResponseError(reason, status=status, excerpt=excerpt)


class TransportError(DingTalkError):
    """A timeout or a dropped connection; the aiohttp exception is the `__cause__`.

    `NOT_SENT` only when the connection was never made, so the request
    certainly did nothing; otherwise `UNKNOWN`: a create may have made a
    group. `may_have_reached_server` is the older spelling of the same fact.
    """

    def __init__(self, reason: str, *, may_have_reached_server: bool) -> None:
        self.reason = reason
        self._verdict = Verdict.UNKNOWN if may_have_reached_server else Verdict.NOT_SENT
        super().__init__(reason)

    def __str__(self) -> str:
        outcome = (
            "the request may have reached the server; its outcome is unknown"
            if self.verdict is Verdict.UNKNOWN
            else "the request did not reach the server"
            if self.verdict is Verdict.NOT_SENT
            else "the request was refused"
        )
        return f"{self.reason} ({outcome})"

    @property
    def may_have_reached_server(self) -> bool:
        """Deprecated: `verdict is not Verdict.NOT_SENT` says the same."""
        return self.verdict is not Verdict.NOT_SENT

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_transport_error, (type(self), self.reason, self.may_have_reached_server))


def _rebuild_transport_error(
    cls: type[TransportError], reason: str, may_have_reached_server: bool
) -> TransportError:
    return cls(reason, may_have_reached_server=may_have_reached_server)


class ClientClosedError(TransportError):
    """The client, its token provider or its aiohttp session was closed before the call ended.

    Calls in flight when `close()` runs, and calls made afterwards, fail with
    it; `may_have_reached_server` says whether a create may have happened.
    """


class RunStoppedError(DingTalkError):
    """A bulk run stopped before sending this input, because of `cause` (e.g. the monthly
    call quota ran out): nothing was sent, so a later run (`--resume`) sends it."""

    default_verdict = Verdict.NOT_SENT

    def __init__(self, cause: DingTalkError) -> None:
        self.cause = cause
        super().__init__(f"not sent: the run stopped after {type(cause).__name__}: {cause}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.cause,))


class PacingError(DingTalkError):
    """The pacer could not give the call a sending slot (e.g. its Redis is down or
    frozen); the request was not sent, and no rate was exceeded to send it."""

    default_verdict = Verdict.NOT_SENT


_CODE_CLASSES: dict[str, type[ApiError]] = {
    "parameter.invalid": InvalidParameterError,
    "permession.checkFailed": PermissionCheckError,
    "system.error": ServerError,
    "system.busy": RateLimitError,
    "InvalidAuthentication": InvalidTokenError,
    "invalidClientIdOrSecret": InvalidCredentialsError,
    "Forbidden.AccessDenied.ApiCountLimitForOrg": CallQuotaExceededError,
}

_RATE_LIMIT_PREFIXES = (
    "Forbidden.AccessDenied.QpsLimit",
    "Forbidden.AccessDenied.QpmLimit",
)

#: Codes DingTalk documents as refusals (nothing applied) that have no class of their own.
DOCUMENTED_REFUSALS: frozenset[str] = frozenset(
    {
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
        "Forbidden.AccessDenied.IpNotInWhiteList",
    }
)


def register_codes(
    classes: Mapping[str, type[ApiError]] | None = None,
    refusals: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Add an API family's codes: `classes` maps a code to its class, `refusals` lists
    codes that are documented refusals but keep the plain `ApiError` class.

    Called at import by the modules that define a family's errors, so the map
    stays in this module's hands.
    """
    global DOCUMENTED_REFUSALS
    _CODE_CLASSES.update(classes or {})
    DOCUMENTED_REFUSALS = DOCUMENTED_REFUSALS | frozenset(refusals)


def _api_verdict(cls: type[ApiError], status: int, code: str) -> Verdict:
    """`REJECTED` for a documented refusal with a status that fits it, else `UNKNOWN`.

    Documented refusals come with HTTP 4xx (or 200 for the bodies DingTalk
    hides behind it, such as `system.busy`); `system.error` also with 500,
    which DingTalk documents as "retry". A gateway's 502/504 is never sure.
    """
    refusal = cls.default_verdict is Verdict.REJECTED or code in DOCUMENTED_REFUSALS
    if not refusal:
        return Verdict.UNKNOWN
    if status < 500 or (status == 500 and code == "system.error"):
        return Verdict.REJECTED
    return Verdict.UNKNOWN


def api_error_for(
    *,
    status: int,
    code: str,
    message: str,
    request_id: str | None = None,
    body: Mapping[str, object] | None = None,
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
    return cls(status=status, code=code, message=message, request_id=request_id, body=body)


class LegacyRefusalError(ApiError):
    """A documented refusal of the legacy oapi host (e.g. errcode 40016, an invalid chatid)."""

    default_verdict = Verdict.REJECTED


#: Legacy oapi `errcode`s (as strings) with a class of their own. 40001/40014/42001: the
#: access token is invalid or expired; -1: system busy; 90018/90019: QPS/QPM limits;
#: 90020: the organisation's monthly call quota.
_LEGACY_CODE_CLASSES: dict[str, type[ApiError]] = {
    "40001": InvalidTokenError,
    "40014": InvalidTokenError,
    "42001": InvalidTokenError,
    "-1": RateLimitError,
    "90018": RateLimitError,
    "90019": RateLimitError,
    "90020": CallQuotaExceededError,
}
#: Legacy errcodes documented as refusals for the group read (`chat/get`): 40016 invalid
#: chatid, 43007 needs authorisation, 49000 chat not found for the app, 70001 not allowed.
LEGACY_REFUSALS: frozenset[str] = frozenset({"40016", "43007", "49000", "70001"})
#: Codes that mean "this access token was refused": the transport replays once with a fresh one.
_TOKEN_REFUSALS = frozenset({"InvalidAuthentication", "40001", "40014", "42001"})


def legacy_error_for(*, status: int, body: Mapping[str, object]) -> ApiError:
    """The exception a legacy oapi envelope (`errcode` != 0, HTTP 200) stands for.

    The code is the `sub_code` when DingTalk gives one (an invalid token comes as
    errcode 88 with sub_code 40014), else the errcode, as a string.
    """
    sub_code = body.get("sub_code")
    code = str(sub_code) if isinstance(sub_code, (str, int)) and sub_code != "" else None
    if code is None:
        code = str(body.get("errcode"))
    message = body.get("sub_msg") or body.get("errmsg")
    request_id = body.get("request_id")
    cls = _LEGACY_CODE_CLASSES.get(code, ApiError)
    if cls is ApiError and code in LEGACY_REFUSALS:
        cls = LegacyRefusalError
    return cls(
        status=status,
        code=code,
        message=message if isinstance(message, str) else "",
        request_id=request_id if isinstance(request_id, str) else None,
        body=body,
    )


def is_token_refusal(error: BaseException) -> bool:
    """True when DingTalk refused the access token itself (not a missing one): the call
    may be replayed once with a fresh token, since the refused one did nothing."""
    return isinstance(error, InvalidTokenError) and error.code in _TOKEN_REFUSALS


def mark_not_sent(error: DingTalkError) -> DingTalkError:
    """Record that `error` ended a call before its request was written (while getting a
    token or a pacing slot): whatever it says of its own request, the call's is not sent."""
    error._verdict = Verdict.NOT_SENT
    return error


# -- lifecycle errors --
# Update, sub-admins, chatid -> openConversationId and the legacy read (LIFECYCLE.md G1-G4).
# A class of its own where a caller acts differently; the other documented codes are plain
# refusals (`ApiError`, verdict REJECTED).


class GroupNotFoundError(ApiError):
    """The group id names no group this app can reach: `invalideChatId` (DingTalk's
    spelling; update and convert), `invalidParameter.openConversationId.invalid`
    (sub-admins) or the legacy errcode 40016 (`chat/get`). Nothing was changed; check
    which of the two ids you passed (update and read take the chatid, admins the
    openConversationId)."""

    default_verdict = Verdict.REJECTED


class GroupDisbandedError(ApiError):
    """`group.diaband` (DingTalk's spelling, group management) or `group.disbanded` (robot
    messages): the group was disbanded; nothing was changed or posted, and nothing will
    be. Drop it from your list."""

    default_verdict = Verdict.REJECTED


class UnknownUserError(ApiError):
    """`staff.not.found` or `invalid.staffid`: a userId is not an employee the app can see
    (or not in the group). Nothing was changed; fix the list of users."""

    default_verdict = Verdict.REJECTED


class SubAdminLimitError(ApiError):
    """`subadmin.exceed`: the group would have more admins than DingTalk allows. Nothing
    was changed; remove an admin first."""

    default_verdict = Verdict.REJECTED


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
        self.reply: Mapping[str, object] = MappingProxyType(dict(reply))
        super().__init__(f"HTTP {status}: DingTalk reported no success: {dict(reply)!r}")

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_unsuccessful, (self.status, dict(self.reply)))


def _rebuild_unsuccessful(status: int, reply: dict[str, object]) -> UnsuccessfulReplyError:
    return UnsuccessfulReplyError(status=status, reply=reply)


def require_success(status: int, result: object) -> None:
    """An endpoint's `check`: a result whose `success` is neither True nor "true" (the
    sub-admin API's string) is an `UnsuccessfulReplyError`."""
    success = getattr(result, "success", None)
    if success is True or success == "true":
        return
    raise UnsuccessfulReplyError(status=status, reply={"success": success})


register_codes(
    {
        "invalideChatId": GroupNotFoundError,
        "invalidParameter.openConversationId.invalid": GroupNotFoundError,
        "group.diaband": GroupDisbandedError,
        "staff.not.found": UnknownUserError,
        "invalid.staffid": UnknownUserError,
        "subadmin.exceed": SubAdminLimitError,
    },
    # Documented for sub-admins (G3): a bad org or role value. Fix the request.
    refusals={"invalidParameter.orgId.invalid", "invalidParamter.role"},
)
#: The legacy read's invalid chatid is the same mistake as the v1.0 `invalideChatId`.
_LEGACY_CODE_CLASSES["40016"] = GroupNotFoundError
#: errcode 88 / sub_code 60011: the app lacks the API's permission (`qyapi_chat_read`), the
#: legacy twin of `Forbidden.AccessDenied.AccessTokenPermissionDenied`: a refusal. 40016 has
#: a class of its own now.
LEGACY_REFUSALS = (LEGACY_REFUSALS - {"40016"}) | frozenset({"60011"})
__all__ += [
    "GroupDisbandedError",
    "GroupNotFoundError",
    "SubAdminLimitError",
    "UnknownUserError",
    "UnsuccessfulReplyError",
    "require_success",
]


# -- stream errors --


class SessionWebhookExpiredError(ApiError):
    """errcode `300001` (`session 不存在`) from a bot message's `sessionWebhook`: its session
    is over (each message's lasts 20 to 90 minutes). Nothing was posted; the reply helper
    sends through the robot API instead when it can."""

    default_verdict = Verdict.REJECTED


class ReplyUnavailableError(DingTalkError):
    """A reply has no way to go: the message's `sessionWebhook` has expired (or cannot carry
    this kind of message) and the robot API cannot stand in (no robot given, or a
    one-to-one chat). Nothing was sent."""

    default_verdict = Verdict.NOT_SENT


# A sessionWebhook answers with the legacy host's errcode envelope.
_LEGACY_CODE_CLASSES.update(
    {
        "300001": SessionWebhookExpiredError,
        # Robot webhooks: "send too fast, exceed 20 times per minute".
        "130101": RateLimitError,
    }
)


# -- robot errors --------------------------------------------------------------------------
# Codes of the robot message API (`robot/groupMessages/send`, `recall`, `query`,
# `robot/groups/robots/query`), all HTTP 400 but `system.error`. Sources, DingTalk's docs:
# the-robot-sends-a-group-message, enterprise-chatbot-withdraws-internal-group-messages,
# chatbot-queries-the-read-status-of-a-message, obtain-the-list-of-robots-in-the-group.


class _HintedApiError(ApiError):
    """An `ApiError` whose message ends with what to do about it (`hint`)."""

    hint = ""

    def __str__(self) -> str:
        return f"{super().__str__()}. {self.hint}"


class RobotNotInGroupError(_HintedApiError):
    """`invalidParameter.robotCode.empty` (and the recall and read-status spellings): the
    robot is not installed in the group. Nothing was posted."""

    default_verdict = Verdict.REJECTED
    hint = (
        "Add the app's robot to the group first (group settings > robots, or a group cool "
        "app), then send again; `RobotService.installed(open_conversation_id)` checks"
    )


class RobotNotOwnedError(_HintedApiError):
    """`invalidParameter.robotCode.auth` or `not.allowed.robotCode`: the robot belongs to
    another app than the one whose token was used. Nothing was posted."""

    default_verdict = Verdict.REJECTED
    hint = (
        "Use the robot code of this app's own robot: for an internal app's robot that is "
        "the app key (`DingTalkClient(robot_code=...)` defaults to it), or the token of "
        "the app that owns the robot"
    )


class RobotStoppedError(_HintedApiError):
    """`bot.stopped`: the robot is disabled in the group or the developer console."""

    default_verdict = Verdict.REJECTED
    hint = "Enable the robot again (developer console, or the group's robot settings)"


class UnknownSendResultError(_HintedApiError):
    """`unknown.send.result`: DingTalk itself does not know whether the message was posted.

    Always `UNKNOWN`: sending again may post it twice, so nothing resends it.
    """

    hint = (
        "The message may have been posted: look at the group (or its read status) "
        "before sending it again"
    )


register_codes(
    {
        "invalidParameter.robotCode.empty": RobotNotInGroupError,
        "invalidParameter.robotCode.notExsit": RobotNotInGroupError,  # sic, DingTalk's spelling
        "invalidParameter.robotCode": RobotNotInGroupError,  # recall's spelling
        "invalidParameter.robotCode.auth": RobotNotOwnedError,
        "not.allowed.robotCode": RobotNotOwnedError,
        "bot.stopped": RobotStoppedError,
        "group.disbanded": GroupDisbandedError,
        "unknown.send.result": UnknownSendResultError,
        # Robot rate limits come as HTTP 400: nothing was posted; slow down.
        "send.too.fast": RateLimitError,
        "send.byToken.tooFast": RateLimitError,
        "too.many.group": RateLimitError,
        "too.many.people": RateLimitError,
        # The request itself is wrong: fix it.
        "invalidParameter.msgParam.tooLong": InvalidParameterError,
        "invalidParameter.msgParam.invalid": InvalidParameterError,
        "invalidParameter.msgKey.invalid": InvalidParameterError,
        "invalidParameter.msgKey.empty": InvalidParameterError,
        "invalidParameter.msg.unsupport": InvalidParameterError,
        "invalidParameter.param.invalid": InvalidParameterError,
        "invalidParameter.robotCode.missing": InvalidParameterError,
        "invalidParameter.robotCode.invalid": InvalidParameterError,
        "invalid.openConversationId": InvalidParameterError,
        "miss.openConversationId": InvalidParameterError,
        "illegal.openconevrsation.id": InvalidParameterError,  # sic, the robots query's
        "invalid.processQueryKey": InvalidParameterError,
        "invalidParameter.processQueryKey.missing": InvalidParameterError,
        "invalidParameter.processQueryKeys.overMax": InvalidParameterError,
        "invalidParameter.pageSize.invalid": InvalidParameterError,
        "invalidParameter.cursor.invalid": InvalidParameterError,
    },
    refusals={
        "processQueryKey.expireTime",  # read status not ready yet, or expired
        "only.groupAdmin.canAtAll",
        "conversation.org.notMatch",
        "conversation.org.dismatch",
        "send.forbidden",
        "bot.forbidden.sendMessage",
        "unauthorized",
        "auth.error",
        "reject",
        "template.not.existed",
        "template.stopped",
        "contain.unsafe.url",
        "contain.notAllowed.text",
        "contain.notAllowed.picture",
        "contain.notAllowed.content",
    },
)

"""Every error says whether the call took effect, and one function decides it (`verdict_of`):
from the error, and from whether its request reached the wire (DESIGN.md's table)."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable, Iterator

import pytest

from dingtalk_im_async import errors
from dingtalk_im_async._core.endpoint import declared_endpoints
from dingtalk_im_async._core.failures import not_sent
from dingtalk_im_async.errors import (
    COMMON_CODES,
    ApiError,
    BudgetError,
    BudgetSpentError,
    CallQuotaExceededError,
    ClientClosedError,
    DingTalkError,
    InternalOnlyError,
    MissingExtraError,
    OrganisationRelievedError,
    PacingError,
    PartialDeliveryError,
    ReplyUnavailableError,
    RequestValidationError,
    ResponseError,
    RunStoppedError,
    TransportError,
    UnsuccessfulReplyError,
    Verdict,
    verdict_of,
)
from dingtalk_im_async.groups.api import GET_GROUP, UPDATE_GROUP

NOT_SENT, REJECTED, UNKNOWN = Verdict.NOT_SENT, Verdict.REJECTED, Verdict.UNKNOWN


def every_error_class() -> Iterator[type[DingTalkError]]:
    """`DingTalkError` and every subclass the package defines, private ones too."""
    pending: list[type[DingTalkError]] = [DingTalkError]
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("dingtalk_im_async."):
            yield cls
        pending += cls.__subclasses__()


def one_of(cls: type[DingTalkError]) -> DingTalkError:
    """An instance of `cls`, as the code that raises it builds one (a 4xx for a reply)."""
    builders: dict[type[DingTalkError], Callable[[], DingTalkError]] = {
        MissingExtraError: lambda: MissingExtraError(feature="f", package="p", extra="e"),
        RequestValidationError: lambda: RequestValidationError("name", "too long"),
        ResponseError: lambda: ResponseError("html", status=200),
        UnsuccessfulReplyError: lambda: UnsuccessfulReplyError(status=200, reply={}),
        PartialDeliveryError: lambda: PartialDeliveryError(
            out_track_id="t", failed={"IM_GROUP.cid": "x"}, delivered={}, result=None
        ),
        RunStoppedError: lambda: RunStoppedError(
            CallQuotaExceededError(status=403, code="c", message="m")
        ),
        BudgetSpentError: lambda: BudgetSpentError(scope="corp", month="2026-12", used=5, limit=5),
        OrganisationRelievedError: lambda: OrganisationRelievedError("ding-corp-a"),
        InternalOnlyError: lambda: InternalOnlyError("im.group.create"),
    }
    if cls in builders:
        return builders[cls]()
    if issubclass(cls, ApiError):
        return cls(status=400, code="some.code", message="m")
    if issubclass(cls, TransportError):
        return cls("reset", reached_wire=True)
    return cls("something")


#: What each class records of its own request by default (`reached_wire`), and the
#: documented verdict once its request reached the wire. Not reached: always NOT_SENT.
DOCUMENTED: dict[str, tuple[bool, Verdict]] = {
    # raised before any I/O, by nature
    "RequestValidationError": (False, UNKNOWN),
    "MissingExtraError": (False, UNKNOWN),
    "PacingError": (False, UNKNOWN),
    "RunStoppedError": (False, UNKNOWN),
    "BudgetError": (False, UNKNOWN),  # the budget could not count the call: not sent
    "BudgetSpentError": (False, UNKNOWN),  # the budget refused the call: not sent
    "ReplyUnavailableError": (False, UNKNOWN),
    "NoSuiteTicketError": (False, UNKNOWN),  # no suite ticket: no corp token, nothing sent
    "TicketStoreError": (False, UNKNOWN),  # the ticket store is down: nothing sent
    "OrganisationRelievedError": (False, UNKNOWN),  # the organisation removed the app
    "InternalOnlyError": (False, UNKNOWN),  # an internal-only API, refused to a suite
    # anything else is unknown unless DingTalk documents a refusal
    "DingTalkError": (True, UNKNOWN),
    "TransportError": (True, UNKNOWN),
    "ClientClosedError": (True, UNKNOWN),
    "ResponseError": (True, UNKNOWN),
    "UnsuccessfulReplyError": (True, UNKNOWN),
    "ApiError": (True, UNKNOWN),  # an undocumented code
    "_HintedApiError": (True, UNKNOWN),
    "UnknownSendResultError": (True, UNKNOWN),  # DingTalk itself does not know
    "TokenCacheError": (True, UNKNOWN),  # the providers handle it; it says nothing of a call
    "CardAlreadyExistsError": (True, UNKNOWN),  # created (by an earlier call); delivery unknown
    "PartialDeliveryError": (True, UNKNOWN),  # HTTP 200, some spaces said success: false
    # documented refusals
    "InvalidSuiteTicketError": (True, REJECTED),  # the corp token endpoint's 400s
    "InvalidAuthInfoError": (True, REJECTED),
    "InvalidSuiteKeyError": (True, REJECTED),
    "InvalidParameterError": (True, REJECTED),
    "PermissionCheckError": (True, REJECTED),
    "InvalidTokenError": (True, REJECTED),
    "InvalidCredentialsError": (True, REJECTED),
    "RateLimitError": (True, REJECTED),
    "CallQuotaExceededError": (True, REJECTED),
    "ServerError": (True, REJECTED),
    "LegacyRefusalError": (True, REJECTED),
    "GroupNotFoundError": (True, REJECTED),
    "GroupDisbandedError": (True, REJECTED),
    "UnknownUserError": (True, REJECTED),
    "SubAdminLimitError": (True, REJECTED),
    "GroupTemplateError": (True, REJECTED),
    "MemberLimitError": (True, REJECTED),
    "RobotNotInGroupError": (True, REJECTED),
    "RobotNotOwnedError": (True, REJECTED),
    "RobotStoppedError": (True, REJECTED),
    "SessionWebhookExpiredError": (True, REJECTED),
    "CardNotFoundError": (True, REJECTED),
}


def test_every_error_class_has_a_documented_verdict() -> None:
    assert {cls.__name__ for cls in every_error_class()} == set(DOCUMENTED)


@pytest.mark.parametrize("cls", sorted(every_error_class(), key=lambda cls: cls.__name__))
def test_each_class_by_whether_its_request_reached_the_wire(cls: type[DingTalkError]) -> None:
    error = one_of(cls)
    records, once_sent = DOCUMENTED[cls.__name__]
    assert error.reached_wire is records
    assert verdict_of(error, reached_wire=False) is NOT_SENT
    assert verdict_of(error, reached_wire=True) is once_sent
    assert error.verdict is (once_sent if records else NOT_SENT)


@pytest.mark.parametrize("cls", sorted(every_error_class(), key=lambda cls: cls.__name__))
def test_a_failure_before_the_send_is_not_sent_whatever_it_was(cls: type[DingTalkError]) -> None:
    """What the transport does when the token fetch or the pacer fails."""
    assert not_sent(one_of(cls)).verdict is NOT_SENT


def test_an_exception_of_no_class_of_ours_is_unknown() -> None:
    assert verdict_of(KeyError("x")) is UNKNOWN
    assert verdict_of(KeyError("x"), reached_wire=False) is NOT_SENT


@pytest.mark.parametrize(
    ("status", "code", "verdict"),
    [
        (400, "parameter.invalid", REJECTED),
        (400, "permession.checkFailed", REJECTED),
        (400, "InvalidAuthentication", REJECTED),
        (400, "AuthenticationFailed.MissingParameter", REJECTED),
        (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", REJECTED),
        (403, "Forbidden.AccessDenied.AccessTokenPermissionDenied", REJECTED),
        (403, "Forbidden.AccessDenied.IpNotInWhiteList", REJECTED),
        (403, "Forbidden.AccessDenied.ApiCountLimitForOrg", REJECTED),
        (429, "system.busy", REJECTED),
        (200, "system.busy", REJECTED),
        (500, "system.error", REJECTED),
        (400, "system.error", REJECTED),
        (502, "system.error", UNKNOWN),  # a gateway's 5xx is never sure
        (504, "GatewayTimeout", UNKNOWN),
        (400, "someUndocumentedCode", UNKNOWN),
        (503, "parameter.invalid", UNKNOWN),
    ],
)
def test_a_reply_is_rejected_only_when_documented_with_a_status_that_fits(
    status: int, code: str, verdict: Verdict
) -> None:
    assert COMMON_CODES.api_error(status=status, code=code, message="m").verdict is verdict


@pytest.mark.parametrize(
    ("errcode", "cls", "verdict"),
    [
        (40014, errors.InvalidTokenError, REJECTED),
        (40016, errors.GroupNotFoundError, REJECTED),  # the class update's code has too
        (43007, errors.LegacyRefusalError, REJECTED),
        (-1, errors.RateLimitError, REJECTED),
        (90020, CallQuotaExceededError, REJECTED),
        (12345, ApiError, UNKNOWN),
    ],
)
def test_the_group_reads_legacy_errcodes(
    errcode: int, cls: type[ApiError], verdict: Verdict
) -> None:
    error = GET_GROUP.codes.legacy_error(status=200, body={"errcode": errcode, "errmsg": "m"})
    assert type(error) is cls
    assert error.verdict is verdict


def test_a_code_means_what_its_own_api_documents() -> None:
    """40016 is the group read's invalid chatid; elsewhere it is just an undocumented code."""
    body = {"errcode": 40016, "errmsg": "m"}
    assert type(COMMON_CODES.legacy_error(status=200, body=body)) is ApiError
    assert type(GET_GROUP.codes.legacy_error(status=200, body=body)) is errors.GroupNotFoundError


def test_a_legacy_sub_code_names_the_error() -> None:
    body = {"errcode": 88, "sub_code": "40014", "errmsg": "x"}
    error = COMMON_CODES.legacy_error(status=200, body=body)
    assert isinstance(error, errors.InvalidTokenError)
    assert errors.is_token_refusal(error)


def test_a_code_given_two_classes_is_refused_when_declared() -> None:
    clash = errors.ErrorCodes(classes={"invalideChatId": errors.UnknownUserError})
    with pytest.raises(ValueError, match="invalideChatId"):
        _ = UPDATE_GROUP.codes | clash


def test_every_endpoint_table_holds_the_common_codes() -> None:
    for endpoint in declared_endpoints():
        assert set(COMMON_CODES.classes) <= set(endpoint.codes.classes), endpoint
        assert COMMON_CODES.refusals <= endpoint.codes.refusals, endpoint


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (TransportError("refused", reached_wire=False), NOT_SENT),
        (TransportError("reset", reached_wire=True), UNKNOWN),
        (ClientClosedError("closed", reached_wire=False), NOT_SENT),
        (ClientClosedError("closed", reached_wire=True), UNKNOWN),
        (ResponseError("header too long", status=0), UNKNOWN),
        (PacingError("redis is down"), NOT_SENT),
        (BudgetError("redis is down"), NOT_SENT),
        (BudgetSpentError(scope="corp", month="2026-12", used=5, limit=5), NOT_SENT),
        (ReplyUnavailableError("no way"), NOT_SENT),
    ],
)
def test_verdicts_as_raised(error: DingTalkError, verdict: Verdict) -> None:
    assert error.verdict is verdict


def test_the_last_releases_spelling_still_works_and_warns() -> None:
    with pytest.warns(DeprecationWarning, match="reached_wire"):
        unknown = TransportError("reset", may_have_reached_server=True)
    with pytest.warns(DeprecationWarning, match="verdict"):
        assert unknown.may_have_reached_server is True
    assert "may have reached the server" in str(unknown)
    with pytest.warns(DeprecationWarning, match="mark_not_sent"):
        mark_not_sent = errors.mark_not_sent  # type: ignore[attr-defined]
    assert mark_not_sent(TransportError("x", reached_wire=True)).verdict is NOT_SENT
    with pytest.warns(DeprecationWarning, match="api_error_for"):
        api_error_for = errors.api_error_for  # type: ignore[attr-defined]
    assert type(api_error_for(status=400, code="bot.stopped", message="")) is (
        errors.RobotStoppedError
    )


@pytest.mark.parametrize("cls", sorted(every_error_class(), key=lambda cls: cls.__name__))
def test_verdicts_and_fields_survive_pickling(cls: type[DingTalkError]) -> None:
    error = not_sent(one_of(cls)) if cls is ApiError else one_of(cls)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert copy.verdict is error.verdict
    assert str(copy) == str(error)
    assert copy.reached_wire is error.reached_wire
    if isinstance(error, ApiError):
        assert isinstance(copy, ApiError)
        assert (copy.status, copy.code, dict(copy.body)) == (error.status, error.code, error.body)

"""Every error says whether the call took effect, by the rules in errors.py (DESIGN.md)."""

from __future__ import annotations

import pickle

import pytest

from dingtalk_im_async import errors
from dingtalk_im_async.errors import (
    ApiError,
    CallQuotaExceededError,
    ClientClosedError,
    DingTalkError,
    MissingExtraError,
    PacingError,
    RequestValidationError,
    ResponseError,
    RunStoppedError,
    TransportError,
    Verdict,
    api_error_for,
    legacy_error_for,
    mark_not_sent,
)


@pytest.mark.parametrize(
    ("status", "code", "verdict"),
    [
        (400, "parameter.invalid", Verdict.REJECTED),
        (400, "permession.checkFailed", Verdict.REJECTED),
        (400, "InvalidAuthentication", Verdict.REJECTED),
        (400, "AuthenticationFailed.MissingParameter", Verdict.REJECTED),
        (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", Verdict.REJECTED),
        (403, "Forbidden.AccessDenied.AccessTokenPermissionDenied", Verdict.REJECTED),
        (403, "Forbidden.AccessDenied.IpNotInWhiteList", Verdict.REJECTED),
        (403, "Forbidden.AccessDenied.ApiCountLimitForOrg", Verdict.REJECTED),
        (429, "system.busy", Verdict.REJECTED),
        (200, "system.busy", Verdict.REJECTED),
        (500, "system.error", Verdict.REJECTED),
        (400, "system.error", Verdict.REJECTED),
        (502, "system.error", Verdict.UNKNOWN),
        (504, "GatewayTimeout", Verdict.UNKNOWN),
        (400, "someUndocumentedCode", Verdict.UNKNOWN),
        (503, "parameter.invalid", Verdict.UNKNOWN),
    ],
)
def test_api_error_verdicts(status: int, code: str, verdict: Verdict) -> None:
    assert api_error_for(status=status, code=code, message="m").verdict is verdict


@pytest.mark.parametrize(
    ("errcode", "cls", "verdict"),
    [
        (40014, errors.InvalidTokenError, Verdict.REJECTED),
        (40016, errors.GroupNotFoundError, Verdict.REJECTED),  # the class update's code has too
        (-1, errors.RateLimitError, Verdict.REJECTED),
        (90020, CallQuotaExceededError, Verdict.REJECTED),
        (12345, ApiError, Verdict.UNKNOWN),
    ],
)
def test_legacy_errcode_verdicts(errcode: int, cls: type[ApiError], verdict: Verdict) -> None:
    error = legacy_error_for(status=200, body={"errcode": errcode, "errmsg": "m"})
    assert type(error) is cls
    assert error.verdict is verdict


def test_a_legacy_sub_code_names_the_error() -> None:
    error = legacy_error_for(status=200, body={"errcode": 88, "sub_code": "40014", "errmsg": "x"})
    assert isinstance(error, errors.InvalidTokenError)
    assert errors.is_token_refusal(error)


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (RequestValidationError("name", "too long"), Verdict.NOT_SENT),
        (MissingExtraError(feature="f", package="p", extra="e"), Verdict.NOT_SENT),
        (PacingError("redis is down"), Verdict.NOT_SENT),
        (TransportError("refused", may_have_reached_server=False), Verdict.NOT_SENT),
        (TransportError("reset", may_have_reached_server=True), Verdict.UNKNOWN),
        (ClientClosedError("closed", may_have_reached_server=False), Verdict.NOT_SENT),
        (ClientClosedError("closed", may_have_reached_server=True), Verdict.UNKNOWN),
        (ResponseError("html", status=502), Verdict.UNKNOWN),
        (ResponseError("header too long", status=0), Verdict.UNKNOWN),
        (ResponseError("truncated", status=200), Verdict.UNKNOWN),
        (
            RunStoppedError(CallQuotaExceededError(status=403, code="c", message="m")),
            Verdict.NOT_SENT,
        ),
        (DingTalkError("anything else"), Verdict.UNKNOWN),
    ],
)
def test_other_error_verdicts(error: DingTalkError, verdict: Verdict) -> None:
    assert error.verdict is verdict


def test_the_old_may_have_reached_server_agrees_with_the_verdict() -> None:
    unknown = TransportError("reset", may_have_reached_server=True)
    not_sent = TransportError("refused", may_have_reached_server=False)
    assert unknown.may_have_reached_server is True
    assert not_sent.may_have_reached_server is False
    assert "may have reached the server" in str(unknown)


def test_a_failure_before_the_send_is_not_sent_whatever_it_was() -> None:
    error = mark_not_sent(TransportError("token fetch dropped", may_have_reached_server=True))
    assert error.verdict is Verdict.NOT_SENT
    assert error.may_have_reached_server is False  # type: ignore[attr-defined]
    credentials = mark_not_sent(
        api_error_for(status=400, code="invalidClientIdOrSecret", message="m")
    )
    assert credentials.verdict is Verdict.NOT_SENT


def test_verdicts_survive_pickling() -> None:
    for error in (
        api_error_for(status=504, code="GatewayTimeout", message="m", body={"code": "x"}),
        TransportError("reset", may_have_reached_server=True),
        RunStoppedError(CallQuotaExceededError(status=403, code="c", message="m")),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert copy.verdict is error.verdict
        assert str(copy) == str(error)


def test_every_exported_error_has_a_verdict() -> None:
    classes = [
        getattr(errors, name)
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
        and issubclass(getattr(errors, name), DingTalkError)
    ]
    assert len(classes) >= 15
    for cls in classes:
        assert isinstance(cls.default_verdict, Verdict), cls

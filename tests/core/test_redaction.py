"""`_core/redaction.py`, the one place secrets are scrubbed: by value (registered, counted,
bounded) and by shape (the value after a name that is a secret by nature)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import aiohttp
import pytest
from yarl import URL

from dingtalk_im_async._core import redaction
from dingtalk_im_async._core.http import exchange
from dingtalk_im_async._core.redaction import PLACEHOLDER, forget, redact, register, scrubbed
from dingtalk_im_async.errors import TransportError
from tests.support.secret_scan import exception_texts, leaks
from tests.support.stalled_socket import stalled_port


@pytest.fixture
def secret() -> Iterator[str]:
    value = secrets.token_hex(16)
    register(value)
    yield value
    forget(value)


@pytest.mark.parametrize(
    "template",
    [
        "GET /chat/get?chatid=c1&access_token={v}&x=1",
        "bad request /chat/get?access_token={v}",
        '{{"accessToken": "{v}", "expireIn": 7200}}',
        "{{'accessToken': '{v}'}}",
        '{{\\"access_token\\":\\"{v}\\"}}',
        "x-acs-dingtalk-access-token: {v}\r\nHost: h",
        "{{'X-Acs-Dingtalk-Access-Token': '{v}'}}",
        "next=http%3A%2F%2Fh%2F%3Faccess_token%3D{v}",
        '{{"suiteTicket":"{v}"}}',
        "suite_ticket={v}",
        '{{"appSecret": "{v}"}}',
        "suiteSecret={v}",
        "corpAccessToken={v}",
        "wss://gw/connect?ticket={v}",
    ],
)
def test_a_value_named_as_a_secret_is_scrubbed_unregistered(template: str) -> None:
    value = secrets.token_urlsafe(18)
    text = template.format(v=value)
    shown = redact(text)
    assert value not in shown
    assert PLACEHOLDER in shown
    assert redact(shown) == shown  # twice is once


def test_a_registered_secret_is_scrubbed_wherever_it_stands(secret: str) -> None:
    for text in (f"token {secret} refused", f"<{secret}>", f"a{secret}b", f"/{secret}/"):
        assert secret not in redact(text)


def test_a_registered_secret_is_scrubbed_percent_encoded_too() -> None:
    value = "ab+cd/ef=gh" + secrets.token_hex(4)
    register(value)
    try:
        assert "ab%2Bcd" not in redact(str(URL("http://h/p").with_query({"t": value})))
        assert "ab%2Bcd" not in redact("t=ab%2Bcd%2Fef%3Dgh" + value[-8:])
    finally:
        forget(value)


def test_forget_undoes_one_register(secret: str) -> None:
    register(secret)  # a second holder of the same secret
    forget(secret)  # the first lets go: still scrubbed for the second
    assert secret not in redact(secret)
    forget(secret)
    assert redact(secret) == secret
    register(secret)  # for the fixture's forget


def test_short_values_are_not_registered() -> None:
    register("t")
    register("token")
    assert redact("the token t was refused") == "the token t was refused"


def test_the_registry_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redaction, "MAX_REGISTERED", 50)
    values = [secrets.token_hex(8) for _ in range(200)]
    try:
        for value in values:
            register(value)
        assert len(redaction._registered) <= 50
        assert values[-1] not in redact(values[-1])  # the youngest are kept
    finally:
        for value in values:
            forget(value)


@pytest.mark.parametrize("count", [1, 10_000], ids=["one held", "a fleet's worth held"])
def test_a_secret_is_found_however_many_are_held(count: int) -> None:
    """Past a few dozen secrets the text is scanned once by prefix: the same results."""
    values = [secrets.token_hex(16) for _ in range(count)]
    target = values[count // 2]
    longer = target + "ff00"  # a longer secret sharing the start: the longer one wins
    for value in (*values, longer):
        register(value)
    try:
        text = f"x{target}y {longer} {target[:-1]} z/{target}"
        shown = redact(text)
        assert target not in shown
        assert "ff00" not in shown  # all of the longer one went
        assert target[:-1] in shown  # a part of a secret is no secret
        assert shown.count(PLACEHOLDER) == 3
    finally:
        for value in (*values, longer):
            forget(value)


def test_prose_stays_readable() -> None:
    text = "HTTP 401 InvalidAuthentication: the access token was refused; app secret wrong"
    assert redact(text) == text


@pytest.fixture
def stalled() -> Iterator[int]:
    with stalled_port() as port:
        yield port


async def test_a_connect_timeout_naming_the_legacy_url_is_scrubbed(
    stalled: int, session: aiohttp.ClientSession
) -> None:
    """aiohttp's `ConnectionTimeoutError` names the URL, token in its query: the error
    keeps it as a cause (for the traceback) with the token scrubbed."""
    token = secrets.token_hex(16)
    url = URL(f"http://127.0.0.1:{stalled}/chat/get").with_query(chatid="c", access_token=token)
    with pytest.raises(TransportError) as caught:
        await exchange(
            session,
            "GET",
            url,
            data=None,
            headers={},
            timeout=aiohttp.ClientTimeout(total=5, sock_connect=0.2),
            legacy=True,
        )
    texts = list(exception_texts(caught.value))
    assert leaks(texts, [token]) == []
    assert isinstance(caught.value.__cause__, aiohttp.ConnectionTimeoutError)
    assert "access_token=<redacted>" in str(caught.value.__cause__)


def test_a_clean_cause_is_kept_as_it_is() -> None:
    error = aiohttp.ServerDisconnectedError("gone")
    assert scrubbed(error) is error


def test_a_cause_that_cannot_be_rebuilt_stands_in_as_text() -> None:
    class OddError(Exception):
        def __init__(self, url: str, extra: int) -> None:
            super().__init__(url)
            self.url = url

    value = secrets.token_hex(16)
    error = OddError(f"http://h/?access_token={value}", 1)
    error.__context__ = ValueError(f"access_token={value}")
    clean = scrubbed(error)
    assert clean is not None
    assert leaks(list(exception_texts(clean)), [value]) == []
    assert "OddError" in str(clean)

"""The token only travels where it should: verified TLS, no plain http off-host, no redirects."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import trustme

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkClient,
    GroupService,
    ResponseError,
    StaticTokenProvider,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import CannedReply, DingTalkEmulator

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])
CREATE_PATH = "/v1.0/im/group/create"
TOKEN_PATH = "/v1.0/oauth2/accessToken"


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def serving_context(authority: trustme.CA, host: str = "127.0.0.1") -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(host).configure_cert(context)
    return context


def trusting_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


@pytest.fixture
async def https_emulator(authority: trustme.CA) -> AsyncIterator[DingTalkEmulator]:
    """An HTTPS emulator whose certificate no default trust store knows."""
    async with DingTalkEmulator(ssl_context=serving_context(authority)) as emulator:
        yield emulator


# -- TLS -----------------------------------------------------------------------------


async def test_a_create_to_an_untrusted_certificate_fails_before_sending_anything(
    https_emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = GroupService(
        session, StaticTokenProvider(https_emulator.issue_token()), base_url=https_emulator.base_url
    )
    with pytest.raises(TransportError, match="TLS certificate verification failed") as caught:
        await groups.create(REQUEST)
    assert caught.value.verdict is Verdict.NOT_SENT
    assert https_emulator.calls("im.group.create") == 0


async def test_a_token_fetch_to_an_untrusted_certificate_never_sends_the_secret(
    https_emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    provider = AppTokenProvider(
        session,
        app_key=https_emulator.app_key,
        app_secret=https_emulator.app_secret,
        base_url=https_emulator.base_url,
    )
    with pytest.raises(TransportError, match="TLS certificate verification failed"):
        await provider.get_token()
    assert https_emulator.token_fetches == 0
    assert https_emulator.requests == []


async def test_the_client_verifies_tls_by_default_and_trusts_only_what_it_is_given(
    https_emulator: DingTalkEmulator, authority: trustme.CA
) -> None:
    credentials = {
        "app_key": https_emulator.app_key,
        "app_secret": https_emulator.app_secret,
        "base_url": https_emulator.base_url,
    }
    async with DingTalkClient(**credentials) as client:
        with pytest.raises(TransportError, match="TLS certificate verification failed"):
            await client.groups.create(REQUEST)
    assert https_emulator.token_fetches == 0
    async with DingTalkClient(**credentials, ssl_context=trusting_context(authority)) as client:
        result = await client.groups.create(REQUEST)
    assert [group.chatid for group in https_emulator.groups] == [result.chatid]


async def test_a_certificate_for_another_host_name_is_refused_even_from_a_trusted_ca(
    authority: trustme.CA,
) -> None:
    async with (
        DingTalkEmulator(ssl_context=serving_context(authority, "api.dingtalk.io")) as emulator,
        DingTalkClient(
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
            ssl_context=trusting_context(authority),
        ) as client,
    ):
        with pytest.raises(TransportError, match="TLS certificate verification failed"):
            await client.groups.create(REQUEST)
        assert emulator.token_fetches == 0


# -- plain http ------------------------------------------------------------------------

OFF_HOST = [
    "http://example.com",
    "http://10.0.0.7:8080",
    "http://127.0.0.1.nip.io",
    "http://localhost.example.com",
]
LOOPBACK = ["http://127.0.0.1:9", "http://127.8.9.10:9", "http://localhost:9", "http://[::1]:9"]
NOT_HTTP = ["ftp://api.dingtalk.io", "file:///etc/passwd", "api.dingtalk.io", "https://"]


def build_service(session: aiohttp.ClientSession, base_url: str | None, **options: Any) -> None:
    GroupService(session, StaticTokenProvider("t"), base_url=base_url, **options)


def build_provider(session: aiohttp.ClientSession, base_url: str | None, **options: Any) -> None:
    AppTokenProvider(session, app_key="k", app_secret="s", base_url=base_url, **options)


async def build_client(base_url: str | None, **options: Any) -> str:
    async with DingTalkClient(app_key="k", app_secret="s", base_url=base_url, **options) as client:
        return client.groups.base_url


Builder = Callable[..., None]
BUILDERS = [build_service, build_provider]


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("base_url", OFF_HOST)
async def test_plain_http_off_this_machine_is_refused(
    session: aiohttp.ClientSession, build: Builder, base_url: str
) -> None:
    with pytest.raises(ValueError, match="refusing plain http"):
        build(session, base_url)
    with pytest.raises(ValueError, match="refusing plain http"):
        await build_client(base_url)


@pytest.mark.parametrize("build", BUILDERS)
async def test_plain_http_from_the_environment_is_refused_too(
    session: aiohttp.ClientSession, build: Builder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DINGTALK_BASE_URL", "http://api.dingtalk.io")
    with pytest.raises(ValueError, match="refusing plain http"):
        build(session, None)


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("base_url", LOOPBACK)
async def test_plain_http_to_loopback_is_allowed(
    session: aiohttp.ClientSession, build: Builder, base_url: str
) -> None:
    build(session, base_url)
    assert (await build_client(base_url)).startswith(base_url)


@pytest.mark.parametrize("build", BUILDERS)
async def test_plain_http_off_host_is_allowed_only_when_asked_for(
    session: aiohttp.ClientSession, build: Builder
) -> None:
    build(session, "http://proxy.internal", allow_http=True)
    assert (await build_client("http://proxy.internal", allow_http=True)).startswith(
        "http://proxy.internal"
    )


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("base_url", NOT_HTTP)
async def test_a_base_url_that_is_not_http_is_refused(
    session: aiohttp.ClientSession, build: Builder, base_url: str
) -> None:
    with pytest.raises(ValueError, match="http"):
        build(session, base_url)


# -- redirects -------------------------------------------------------------------------

REDIRECTS = [301, 302, 303, 307, 308]


@pytest.fixture
async def elsewhere() -> AsyncIterator[DingTalkEmulator]:
    """A second server a redirect points at; it must never hear from the client."""
    async with DingTalkEmulator() as emulator:
        yield emulator


@pytest.mark.parametrize("status", REDIRECTS)
async def test_a_redirected_create_is_not_followed_with_the_token(
    emulator: DingTalkEmulator,
    elsewhere: DingTalkEmulator,
    session: aiohttp.ClientSession,
    status: int,
) -> None:
    token = emulator.issue_token()
    groups = GroupService(session, StaticTokenProvider(token), base_url=emulator.base_url)
    emulator.reply_next(
        status=status, headers={"Location": elsewhere.base_url + CREATE_PATH}, api="im.group.create"
    )
    with pytest.raises(ResponseError, match=r"redirect to http://127\.0\.0\.1 refused") as caught:
        await groups.create(REQUEST)
    assert caught.value.status == status
    assert elsewhere.requests == []
    assert elsewhere.calls("im.group.create") == 0
    assert token not in str(caught.value)


@pytest.mark.parametrize("status", REDIRECTS)
async def test_a_redirected_token_request_is_not_followed_with_the_secret(
    emulator: DingTalkEmulator,
    elsewhere: DingTalkEmulator,
    session: aiohttp.ClientSession,
    status: int,
) -> None:
    provider = AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    )
    emulator.faults_for("oauth2.accessToken").schedule_reply(
        CannedReply(status=status, headers={"Location": elsewhere.base_url + TOKEN_PATH})
    )
    with pytest.raises(ResponseError, match="redirect"):
        await provider.get_token()
    assert elsewhere.token_fetches == 0
    assert elsewhere.requests == []


async def test_a_relative_redirect_is_refused_as_well(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = GroupService(
        session, StaticTokenProvider(emulator.issue_token()), base_url=emulator.base_url
    )
    emulator.reply_next(
        status=307, headers={"Location": "/v1.0/im/group/create?again=1"}, api="im.group.create"
    )
    with pytest.raises(ResponseError, match="redirect to a relative location refused"):
        await groups.create(REQUEST)
    assert emulator.calls("im.group.create") == 1


@pytest.mark.parametrize("make", ["DingTalkClient", "SuiteClient"])
async def test_a_client_refuses_anything_but_an_ssl_context(make: str) -> None:
    """No switch turns verification off: `ssl_context=False` (aiohttp's way) is refused."""
    import dingtalk_im_async

    credentials = (
        {"app_key": "k", "app_secret": "s"}
        if make == "DingTalkClient"
        else {"suite_key": "k", "suite_secret": "s"}
    )
    with pytest.raises(TypeError, match="verification cannot be off"):
        getattr(dingtalk_im_async, make)(**credentials, ssl_context=False)

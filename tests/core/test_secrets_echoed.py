"""A reply that repeats the request (an error page printing the URL, an `errmsg` quoting the
query, a body echoing the headers) never puts the token or the app secret into an error:
not its `excerpt`, `message`, `body`, `str()`, `repr()`, `args`, nor any exception chained
to it or the traceback a logger prints. Real HTTP to a server of the test's own that echoes
(tests/support/echo_server.py), on both hosts, with the token from each kind of provider.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import aiohttp
import pytest
from aiohttp import web

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkError,
    GroupService,
    StaticTokenProvider,
    TokenProvider,
)
from tests.support.echo_server import EchoServer, Request, echo_server, json_reply
from tests.support.secret_scan import exception_texts, leaks

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


class OwnProvider:
    """A token provider of the user's own: nothing of ours registers its token."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def get_token(self) -> str:
        return self._token

    async def invalidate(self, token: str) -> None:
        pass


def html(status: int, text: str) -> web.Response:
    return web.Response(
        status=status, text=f"<html><body>{text}</body></html>", content_type="text/html"
    )


#: Replies to the legacy read (`GET /oapi/chat/get?chatid=...&access_token=...`).
LEGACY_ECHOES: dict[str, Callable[[Request], web.Response]] = {
    "404 page printing the URL": lambda seen: html(404, f"404 Not Found: GET {seen.target}"),
    "errmsg quoting the request": lambda seen: json_reply(
        200, {"errcode": 40035, "errmsg": f"bad request {seen.target}"}
    ),
    "errmsg with the query as sub_msg": lambda seen: json_reply(
        200, {"errcode": 88, "sub_code": "40014", "sub_msg": seen.target, "errmsg": "x"}
    ),
    "envelope without errcode": lambda seen: json_reply(200, {"request": seen.target}),
    "secret straddling the excerpt's cut": lambda seen: html(502, straddling(seen.target)),
    "headers and target in a gateway page": lambda seen: html(502, seen.everything),
}

#: Replies to a v1.0 call (`POST /v1.0/im/...`, token in `x-acs-dingtalk-access-token`).
V1_ECHOES: dict[str, Callable[[Request], web.Response]] = {
    "headers in a gateway page": lambda seen: html(502, seen.everything),
    "headers in an error message": lambda seen: json_reply(
        400, {"code": "parameter.invalid", "message": f"bad header\n{seen.headers}"}
    ),
    "the bare token in a message": lambda seen: json_reply(
        403, {"code": "Forbidden.Unknown", "message": f"token {token_of(seen)} not allowed"}
    ),
    "the token as the request id header": lambda seen: json_reply(
        400, {"code": "parameter.invalid", "message": "no"}, **{"x-acs-request-id": token_of(seen)}
    ),
    "the token as a JSON field of the body": lambda seen: json_reply(
        400, {"code": "parameter.invalid", "message": "no", "accessToken": token_of(seen)}
    ),
    "a success that does not fit the docs": lambda seen: json_reply(
        200, {"chatid": {"echo": seen.everything}, "openConversationId": [seen.headers]}
    ),
}


def straddling(target: str) -> str:
    """`target` padded so the token in it starts 10 characters before an excerpt's cut (200)."""
    start = target.index("access_token=") + len("access_token=")
    return "x" * (190 - len("<html><body>") - start) + target


def token_of(seen: Request) -> str:
    for line in seen.headers.splitlines():
        name, _, value = line.partition(": ")
        if name.lower() == "x-acs-dingtalk-access-token":
            return value
    raise AssertionError("no token header")


def provider_for(kind: str, server: EchoServer, session: aiohttp.ClientSession) -> TokenProvider:
    if kind == "app":
        return AppTokenProvider(
            session, app_key="key", app_secret=server_secret(server), base_url=server.base_url
        )
    if kind == "static":
        return StaticTokenProvider(server.token)
    return OwnProvider(server.token)


def server_secret(server: EchoServer) -> str:
    return "app-secret-" + server.token[::-1]


def texts_of(error: DingTalkError) -> list[str]:
    fields = ("excerpt", "message", "body", "reply", "request_id", "reason", "code")
    return [*exception_texts(error), *(repr(getattr(error, name, None)) for name in fields)]


async def failure(call: Callable[[], object]) -> DingTalkError:
    with pytest.raises(DingTalkError) as caught:
        await call()  # type: ignore[misc]
    return caught.value


@pytest.mark.parametrize("kind", ["app", "static", "own"])
@pytest.mark.parametrize("echo", list(LEGACY_ECHOES), ids=list(LEGACY_ECHOES))
async def test_a_legacy_reply_echoing_the_url_does_not_leak_the_token(
    echo: str, kind: str, session: aiohttp.ClientSession
) -> None:
    token = secrets.token_hex(16)
    async with echo_server(token) as server:
        server.echo = LEGACY_ECHOES[echo]
        groups = GroupService(
            session,
            provider_for(kind, server, session),
            base_url=server.base_url,
            oapi_base_url=server.oapi_base_url,
        )
        error = await failure(lambda: groups.get("chat" + "0" * 32))
    assert f"access_token={token}" in server.seen[0].target  # it really was in the URL
    texts = texts_of(error)
    assert leaks(texts, [token, token[:12], token[-12:], server_secret(server)]) == []
    assert any("<redacted>" in text for text in texts)  # the echo is there, scrubbed


@pytest.mark.parametrize("kind", ["app", "static", "own"])
@pytest.mark.parametrize("echo", list(V1_ECHOES), ids=list(V1_ECHOES))
async def test_a_v1_reply_echoing_the_headers_does_not_leak_the_token(
    echo: str, kind: str, session: aiohttp.ClientSession
) -> None:
    token = secrets.token_urlsafe(24)
    async with echo_server(token) as server:
        server.echo = V1_ECHOES[echo]
        groups = GroupService(
            session,
            provider_for(kind, server, session),
            base_url=server.base_url,
            oapi_base_url=server.oapi_base_url,
        )
        error = await failure(lambda: groups.create(REQUEST))
    assert token in server.seen[0].headers
    assert leaks(texts_of(error), [token, token[:12], server_secret(server)]) == []


async def test_a_token_endpoint_echoing_the_app_secret_does_not_leak_it(
    session: aiohttp.ClientSession,
) -> None:
    token = secrets.token_hex(16)
    async with echo_server(token) as server:
        server.token_echo = lambda seen: json_reply(
            400, {"code": "Forbidden.Unknown", "message": f"refused {seen.body}"}
        )
        provider = AppTokenProvider(
            session, app_key="key", app_secret=server_secret(server), base_url=server.base_url
        )
        groups = GroupService(session, provider, base_url=server.base_url)
        error = await failure(lambda: groups.create(REQUEST))
    assert "appSecret" in str(error)  # the echo is there...
    assert leaks(texts_of(error), [server_secret(server)]) == []  # ...without the secret

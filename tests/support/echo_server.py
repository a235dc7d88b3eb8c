"""A tiny HTTP server on 127.0.0.1 that repeats the request back in its reply, as a careless
gateway or an error page does: the request target (a legacy URL holds the token in its
query), the request headers (the v1.0 token header) and the body, in whichever reply
shape the test picks.

It also issues tokens (`POST /v1.0/oauth2/accessToken`), so an `AppTokenProvider` or the
CLI can run against it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from attrs import define, field

__all__ = ["Echo", "EchoServer", "Request", "echo_server", "json_reply"]


@define(frozen=True)
class Request:
    """What the server saw, as text: the target, the headers (one `name: value` a line),
    the body."""

    target: str
    headers: str
    body: str

    @property
    def everything(self) -> str:
        return f"{self.target}\n{self.headers}\n\n{self.body}"


#: Builds the reply to a request from what the server saw.
Echo = Callable[[Request], web.Response]


@define
class EchoServer:
    token: str
    echo: Echo = field(default=None)  # type: ignore[assignment]
    #: Replaces the token endpoint's answer when set (it sees the app key and secret).
    token_echo: Echo | None = None
    port: int = 0
    seen: list[Request] = field(factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def oapi_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/oapi"

    async def handle(self, request: web.Request) -> web.Response:
        seen = Request(
            target=request.path_qs,
            headers="\n".join(f"{name}: {value}" for name, value in request.headers.items()),
            body=(await request.read()).decode("utf-8", "replace"),
        )
        if request.path == "/v1.0/oauth2/accessToken":
            if self.token_echo is not None:
                return self.token_echo(seen)
            return web.json_response({"accessToken": self.token, "expireIn": 7200})
        self.seen.append(seen)
        return self.echo(seen)


@asynccontextmanager
async def echo_server(token: str) -> AsyncIterator[EchoServer]:
    """Serve on a free port of 127.0.0.1 until the block ends; `server.echo` picks the reply."""
    server = EchoServer(token=token)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield server
    finally:
        await runner.cleanup()


def json_reply(status: int, body: object, **headers: str) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )

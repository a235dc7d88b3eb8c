"""Test-only routes served through the emulator's real gateway, and raw calls to them.

They stand for the endpoints later issues add (a v1.0 API with a path
parameter, a legacy oapi GET and a legacy `/topapi/` POST), so the pipeline
is tested on every host family before those handlers exist.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from aiohttp import web

from dingtalk_im_async.emulator._replies import json_reply, oapi_error, oapi_reply
from dingtalk_im_async.endpoints import Host
from dingtalk_im_async.testing import Call, DingTalkEmulator, Route
from tests.support.raw_http import Reply

ECHO_API = "im.echo"
OAPI_ECHO_API = "oapi.chat.echo"
TOPAPI_ECHO_API = "oapi.topapi.chat.echo"


async def echo(call: Call) -> web.Response:
    """Says back what the handler was given."""
    return json_reply(
        200,
        {"body": call.body, "query": dict(call.query), "params": dict(call.params)},
    )


async def oapi_echo(call: Call) -> web.Response:
    """A legacy GET: the group named by `chatid` in the store, else errcode 40016."""
    group = call.store.by_chatid(call.query.get("chatid", ""))
    if group is None:
        return oapi_error(40016, "不合法的chatid")
    return oapi_reply(chat_info={"name": group.name, "chatid": group.chatid})


ECHO = Route(
    method="POST",
    path="/v1.0/im/echo/{chatId}",
    handler=echo,
    permission="qyapi_chat_manage",
    api=ECHO_API,
)
OAPI_ECHO = Route(
    method="GET", path="/chat/echo", host=Host.OAPI, handler=oapi_echo, permission="qyapi_chat_read"
)
TOPAPI_ECHO = Route(method="POST", path="/topapi/chat/echo", host=Host.OAPI, handler=echo)
TEST_ROUTES = (ECHO, OAPI_ECHO, TOPAPI_ECHO)


def emulator_with_test_routes(**settings: Any) -> DingTalkEmulator:
    return DingTalkEmulator(extra_routes=TEST_ROUTES, **settings)


async def call_echo(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    *,
    token: str | None = "",
    chat_id: str = "chat1",
    body: Any = None,
) -> Reply:
    """POST the v1.0 echo route; `token=""` issues a valid one, None sends none."""
    token = emulator.issue_token() if token == "" else token
    headers = {} if token is None else {"x-acs-dingtalk-access-token": token}
    url = f"{emulator.base_url}/v1.0/im/echo/{chat_id}?x=1"
    async with session.post(url, json=body or {"k": "v"}, headers=headers) as response:
        return Reply(status=response.status, headers=response.headers, raw=await response.read())


async def call_oapi(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    path: str = "/chat/echo",
    *,
    token: str | None = "",
    method: str = "GET",
    **query: str,
) -> Reply:
    """Call a legacy route with the token as `access_token`; `token=""` issues a valid one."""
    token = emulator.issue_token() if token == "" else token
    params = dict(query) if token is None else {"access_token": token, **query}
    url = emulator.oapi_base_url + path
    async with session.request(
        method, url, params=params, json={} if method == "POST" else None
    ) as response:
        return Reply(status=response.status, headers=response.headers, raw=await response.read())


async def at_the_start_of_a_second() -> None:
    """Wait until just after a whole second of `time.monotonic()`: a QPS window has begun."""
    await asyncio.sleep(1.005 - time.monotonic() % 1)

"""What the multi-organisation tests share: one suite installed in two organisations, corp
tokens fetched over HTTP as a client fetches them, calls with a token, and a bare Stream
connection opened with the suite's key and secret."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from dingtalk_im_async.emulator.stream.gateway import OPEN_PATH
from dingtalk_im_async.testing import DingTalkEmulator

SUITE, SECRET = "suite-key-1", "suite-secret-1"
CORP_A, CORP_B = "ding-corp-a", "ding-corp-b"
TOKEN_HEADER = "x-acs-dingtalk-access-token"


def tenant_emulator(**settings: Any) -> DingTalkEmulator:
    """An emulator with the suite installed in both organisations."""
    return DingTalkEmulator(suites={SUITE: SECRET}, corp_ids=[CORP_A, CORP_B], **settings)


async def fetch_corp_token(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, corp_id: str, **changes: str
) -> tuple[int, dict[str, Any]]:
    """`POST /v1.0/oauth2/corpAccessToken` with the suite's credentials and current ticket."""
    body = {
        "suiteKey": SUITE,
        "suiteSecret": SECRET,
        "authCorpId": corp_id,
        "suiteTicket": emulator.suite_ticket(SUITE),
        **changes,
    }
    async with session.post(emulator.base_url + "/v1.0/oauth2/corpAccessToken", json=body) as r:
        return r.status, await r.json()


async def corp_token(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, corp_id: str
) -> str:
    status, body = await fetch_corp_token(session, emulator, corp_id)
    assert status == 200, body
    token: str = body["accessToken"]
    return token


async def call(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    path: str,
    token: str,
    body: dict[str, Any] | None = None,
    *,
    method: str = "POST",
) -> tuple[int, Any]:
    """A v1.0 call with `token` in the header; an `/oapi/...` path gets it in the query."""
    url = emulator.base_url + path
    if path.startswith("/oapi/"):
        async with session.request(
            method, url, params={"access_token": token, **(body or {})}
        ) as r:
            return r.status, await r.json(content_type=None)
    async with session.request(method, url, json=body, headers={TOKEN_HEADER: token}) as r:
        return r.status, await r.json(content_type=None)


async def create_scene_group(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, token: str, title: str = "群"
) -> str:
    status, made = await call(
        session,
        emulator,
        "/v1.0/im/sceneGroup/create",
        token,
        {"title": title, "template_id": "tpl", "owner_user_id": "boss", "user_ids": ["u1"]},
    )
    assert status == 200, made
    cid: str = made["open_conversation_id"]
    return cid


@contextlib.asynccontextmanager
async def stream_of(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    client_id: str = SUITE,
    client_secret: str = SECRET,
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A Stream connection opened with these credentials, subscribed to every event."""
    body = {
        "clientId": client_id,
        "clientSecret": client_secret,
        "subscriptions": [{"type": "EVENT", "topic": "*"}],
    }
    async with session.post(
        emulator.base_url + OPEN_PATH, json=body, headers={"Accept": "application/json"}
    ) as reply:
        opened = await reply.json()
        assert reply.status == 200, opened
    async with session.ws_connect(f"{opened['endpoint']}?ticket={opened['ticket']}") as ws:
        yield ws


async def next_event(ws: aiohttp.ClientWebSocketResponse, timeout: float = 3) -> dict[str, Any]:
    """The next EVENT frame, acknowledged, with its data decoded (`frame["data"]`)."""
    while True:
        message = await asyncio.wait_for(ws.receive(), timeout)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        frame: dict[str, Any] = json.loads(message.data)
        if frame["type"] != "EVENT":
            continue
        ack = {
            "code": 200,
            "headers": {
                "contentType": "application/json",
                "messageId": frame["headers"]["messageId"],
            },
            "message": "OK",
            "data": json.dumps({"status": "SUCCESS"}),
        }
        await ws.send_str(json.dumps(ack))
        frame["data"] = json.loads(frame["data"])
        return frame

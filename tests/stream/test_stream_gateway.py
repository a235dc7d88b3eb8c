"""The emulator's Stream gateway through a bare WebSocket: the frames and rules of DingTalk's
Stream protocol (https://opensource.dingtalk.com/developerpedia/docs/learn/stream/protocol)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async.emulator import ADMIN_EVENTS_PATH, ADMIN_MESSAGES_PATH
from dingtalk_im_async.emulator.stream.gateway import OPEN_PATH
from dingtalk_im_async.testing import DingTalkEmulator

SUBSCRIPTIONS = [
    {"type": "EVENT", "topic": "*"},
    {"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"},
    {"type": "SYSTEM", "topic": "ping"},  # the Go SDK sends these too
]


async def open_ticket(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, **changes: Any
) -> tuple[int, Any]:
    body = {
        "clientId": emulator.app_key,
        "clientSecret": emulator.app_secret,
        "subscriptions": SUBSCRIPTIONS,
        "ua": "test",
        "localIp": "10.0.0.1",
        **changes,
    }
    async with session.post(
        emulator.base_url + OPEN_PATH, json=body, headers={"Accept": "application/json"}
    ) as reply:
        return reply.status, await reply.json()


@pytest.fixture
async def websocket(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    _, opened = await open_ticket(emulator, session)
    async with session.ws_connect(f"{opened['endpoint']}?ticket={opened['ticket']}") as ws:
        yield ws


async def next_frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await asyncio.wait_for(ws.receive(), 3)
    assert message.type is aiohttp.WSMsgType.TEXT
    frame: dict[str, Any] = json.loads(message.data)
    return frame


async def ack(ws: aiohttp.ClientWebSocketResponse, frame: dict[str, Any], **fields: Any) -> None:
    body = {
        "code": 200,
        "headers": {"contentType": "application/json", "messageId": frame["headers"]["messageId"]},
        "message": "OK",
        "data": json.dumps({"response": None}),
        **fields,
    }
    await ws.send_str(json.dumps(body))


async def test_frames_have_string_headers_and_data_as_a_json_string(
    emulator: DingTalkEmulator, websocket: aiohttp.ClientWebSocketResponse
) -> None:
    sent = emulator.stream.inject_message("hi")
    event_id = emulator.stream.push_event(
        "chat_update_title", {"openConversationId": "c", "title": "t"}
    )
    callback, event = await next_frame(websocket), await next_frame(websocket)
    for frame in (callback, event):
        assert frame["specVersion"] == "1.0"
        assert isinstance(frame["data"], str)
        assert all(isinstance(value, str) for value in frame["headers"].values())
        assert {"appId", "connectionId", "contentType", "messageId", "time", "topic"} <= set(
            frame["headers"]
        )
    assert callback["type"] == "CALLBACK"
    assert callback["headers"]["topic"] == "/v1.0/im/bot/messages/get"
    assert json.loads(callback["data"]) == sent
    assert event["type"] == "EVENT"
    assert event["headers"]["topic"] == "*"
    assert event["headers"]["eventType"] == "chat_update_title"
    assert event["headers"]["eventId"] == event_id
    assert event["headers"]["eventBornTime"].isdigit()
    assert {"eventCorpId", "eventUnifiedAppId"} <= set(event["headers"])
    data = json.loads(event["data"])
    assert (data["title"], data["eventId"]) == ("t", event_id)
    assert isinstance(data["timeStamp"], int)


async def test_an_unacknowledged_frame_comes_again_with_a_new_message_id(
    emulator: DingTalkEmulator, websocket: aiohttp.ClientWebSocketResponse
) -> None:
    emulator.stream.settings.ack_timeout = 0.1
    emulator.stream.inject_message("hi")
    first = await next_frame(websocket)
    again = await next_frame(websocket)
    assert again["data"] == first["data"]
    assert again["headers"]["messageId"] != first["headers"]["messageId"]
    await ack(websocket, first)  # a late ack of the first copy settles the push
    await asyncio.sleep(0.05)
    assert emulator.stream.unacknowledged == 0


async def test_redeliveries_can_keep_the_message_id_and_are_given_up_at_the_cap(
    emulator: DingTalkEmulator, websocket: aiohttp.ClientWebSocketResponse
) -> None:
    settings = emulator.stream.settings
    settings.ack_timeout = 0.05
    settings.max_redeliveries = 2
    settings.new_message_id_on_redelivery = False
    emulator.stream.push_event("chat_quit", {"openConversationId": "c"})
    frames = [await next_frame(websocket) for _ in range(3)]
    assert len({frame["headers"]["messageId"] for frame in frames}) == 1
    await asyncio.sleep(0.2)
    assert emulator.stream.stats.given_up == 1
    assert emulator.stream.unacknowledged == 0


async def test_later_and_non_200_acks_are_redelivered(
    emulator: DingTalkEmulator, websocket: aiohttp.ClientWebSocketResponse
) -> None:
    emulator.stream.settings.later_delay = 0.05
    emulator.stream.push_event("chat_quit", {"openConversationId": "c"})
    first = await next_frame(websocket)
    await ack(websocket, first, data=json.dumps({"status": "LATER"}))
    second = await next_frame(websocket)
    await ack(websocket, second, code=500)
    third = await next_frame(websocket)
    await ack(websocket, third, data=json.dumps({"chatId": "echoed"}))  # the Python SDK's style
    await asyncio.sleep(0.05)
    assert emulator.stream.stats.failure_acks == 2
    assert emulator.stream.unacknowledged == 0


async def test_disconnect_at_the_configured_age_then_tcp_is_cut(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.stream.settings.disconnect_after = 0.1
    emulator.stream.settings.disconnect_grace = 0.2
    _, opened = await open_ticket(emulator, session)
    async with session.ws_connect(f"{opened['endpoint']}?ticket={opened['ticket']}") as ws:
        frame = await next_frame(ws)
        assert (frame["type"], frame["headers"]["topic"]) == ("SYSTEM", "disconnect")
        assert json.loads(frame["data"]) == {"reason": "persistent connection is timeout"}
        emulator.stream.inject_message("routed nowhere: the only connection is going away")
        closing = await asyncio.wait_for(ws.receive(), 2)
        assert closing.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    assert emulator.stream.unacknowledged == 1  # it waits for the next connection


async def test_pushes_are_spread_over_live_connections(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    counts = []
    opened = [(await open_ticket(emulator, session))[1] for _ in range(2)]
    sockets = [await session.ws_connect(f"{o['endpoint']}?ticket={o['ticket']}") for o in opened]
    try:
        for _ in range(40):
            emulator.stream.inject_message("x")
        await asyncio.sleep(0.2)
        for ws in sockets:
            received = 0
            while True:
                try:
                    await asyncio.wait_for(ws.receive(), 0.05)
                except asyncio.TimeoutError:
                    break
                received += 1
            counts.append(received)
    finally:
        for ws in sockets:
            await ws.close()
    assert sum(counts) == 40
    assert min(counts) > 0


async def test_connections_open_checks_credentials_and_wants_json(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    status, body = await open_ticket(emulator, session, clientSecret="wrong")
    assert (status, body["code"]) == (400, "invalidClientIdOrSecret")
    async with session.post(emulator.base_url + OPEN_PATH, json={}) as reply:
        assert reply.content_type == "application/xml"  # no Accept: application/json
    emulator.stream.settings.ticket_lifetime = 0
    _, opened = await open_ticket(emulator, session)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await session.ws_connect(f"{opened['endpoint']}?ticket={opened['ticket']}")
    assert refused.value.status == 403


async def test_admin_routes_push_from_another_process(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    websocket: aiohttp.ClientWebSocketResponse,
) -> None:
    async with session.post(
        emulator.base_url + ADMIN_MESSAGES_PATH, json={"text": "from curl", "senderStaffId": "bob"}
    ) as reply:
        msg_id = (await reply.json())["msgId"]
    async with session.post(
        emulator.base_url + ADMIN_EVENTS_PATH,
        json={"eventType": "chat_disband", "data": {"openConversationId": "c"}},
    ) as reply:
        event_id = (await reply.json())["eventId"]
    async with session.post(emulator.base_url + ADMIN_EVENTS_PATH, json={}) as reply:
        assert reply.status == 400
    message, event = await next_frame(websocket), await next_frame(websocket)
    data = json.loads(message["data"])
    assert (data["msgId"], data["text"]["content"], data["senderStaffId"]) == (
        msg_id,
        " from curl",
        "bob",
    )
    assert event["headers"]["eventId"] == event_id

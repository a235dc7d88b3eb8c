"""Fidelity: the official `dingtalk-stream` SDK (PyPI), pointed at the emulator, gets a bot message
and a group event, acknowledges both, and replies through the sessionWebhook.

The SDK runs in a process of its own: it reads DINGTALK_OPENAPI_ENDPOINT at
import, and its HTTP calls (`requests`) block the event loop they run in.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.stream_support import eventually

SCRIPT = Path(__file__).parents[1] / "support" / "official_stream_sdk.py"
PROXY_VARIABLES = {
    name for base in ("http", "https", "all") for name in (f"{base}_proxy", f"{base.upper()}_PROXY")
}


def sdk_environment(emulator: DingTalkEmulator) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in PROXY_VARIABLES}
    env.update(
        DINGTALK_OPENAPI_ENDPOINT=emulator.base_url,
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        STREAM_APP_KEY=emulator.app_key,
        STREAM_APP_SECRET=emulator.app_secret,
    )
    return env


async def read_record(process: asyncio.subprocess.Process) -> dict[str, Any]:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 10)
    assert line, "the SDK process ended"
    record: dict[str, Any] = json.loads(line)
    return record


async def test_the_official_sdk_receives_acknowledges_and_replies(
    emulator: DingTalkEmulator,
) -> None:
    gateway = emulator.stream
    gateway.settings.ping_interval = 0.2
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=sdk_environment(emulator),
    )
    try:
        await eventually(lambda: bool(gateway.connections), timeout=20)
        sent = gateway.inject_message("你好, SDK", sender_staff_id="alice")
        event_id = gateway.push_event(
            "chat_add_member",
            {"chatId": "chat1", "openConversationId": "cid1", "userId": ["bob"]},
        )
        records = [await read_record(process), await read_record(process)]
        await gateway.wait_until_acknowledged(timeout=10)
        await eventually(lambda: bool(gateway.webhook_posts), timeout=10)
        await eventually(lambda: any(ack.kind == "ping" for ack in gateway.acks), timeout=5)
    finally:
        process.terminate()
        await process.wait()
    by_kind = {record["kind"]: record for record in records}
    assert by_kind["message"] == {"kind": "message", "msgId": sent["msgId"], "text": " 你好, SDK"}
    assert by_kind["event"]["eventId"] == event_id
    assert by_kind["event"]["eventType"] == "chat_add_member"
    assert by_kind["event"]["data"]["userId"] == ["bob"]
    pushes = [ack for ack in gateway.acks if ack.kind == "push"]
    assert len(pushes) == 2  # one each, and nothing redelivered
    assert all(ack.code == 200 for ack in pushes)
    assert gateway.stats.redeliveries == 0
    ping = next(ack for ack in gateway.acks if ack.kind == "ping")
    assert ping.code == 200
    assert "opaque" in json.loads(ping.data)
    [reply] = gateway.webhook_posts
    assert reply.accepted
    assert reply.body["text"] == {"content": "got it"}
    assert reply.body["at"] == {"atUserIds": ["alice"]}
    [opened] = gateway.open_requests
    assert {"type": "EVENT", "topic": "*"} in opened["subscriptions"]
    assert {"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"} in opened["subscriptions"]
    assert opened["ua"].startswith("dingtalk-sdk-python/")

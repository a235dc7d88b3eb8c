"""A minimal Stream gateway for benchmarks/stream.py, in a process of its own.

    python _stream_gateway.py

Prints the port it listens on (127.0.0.1), then serves until stdin closes.
It does only what a client needs to see the protocol and nothing more, so
that its own cost limits the clients as little as possible:

- `POST /v1.0/gateway/connections/open` answers an endpoint and a ticket;
- `GET /connect` is the WebSocket; it sends the plan's frames, pre-encoded
  (about 1 KB bot messages, each with its own `messageId` and `msgId`), at
  most `window` unacknowledged, a new one only when an acknowledgement comes
  back (or, with a `rate`, on a schedule, the window still applying); a
  LATER answer is counted and the frame sent again at once;
- `POST /bench/plan` sets what the next connection gets (messages, window,
  rate, whether permessage-deflate is accepted); `GET /bench/last` reports
  the last connection: acknowledgements, LATER answers, compression.

Each frame's text content is the `time.monotonic_ns()` of its sending: the
clients run on the same machine, whose monotonic clock every process shares,
so a handler reads its push-to-handler latency off the message.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOPIC = "/v1.0/im/bot/messages/get"
_ID = "@@ID@@"
_SENT = "@@SENT@@"


def _frame_template() -> list[str]:
    """The frame's text cut at its placeholders: [head, id, mid, id, mid, sent, tail]."""
    data = {
        "conversationId": "cidq0WZ3bJ5KsQYd4Yq8bD3bW0kqq2yGZzK4hP9iMNKOoA=",
        "atUsers": [{"dingtalkId": "$:LWCP_v1:$h7hA0wLc1mVaRDJ2dM0cV5aY3Ss3T9Kx"}],
        "chatbotCorpId": "ding9f50b15bccd16741f2c783f7214b6d69",
        "chatbotUserId": "$:LWCP_v1:$h7hA0wLc1mVaRDJ2dM0cV5aY3Ss3T9Kx",
        "msgId": f"msg{_ID}",
        "senderNick": "Emulated User",
        "isAdmin": True,
        "senderStaffId": "user123",
        "sessionWebhookExpiredTime": 1790000000000,
        "createAt": 1789994600000,
        "senderCorpId": "ding9f50b15bccd16741f2c783f7214b6d69",
        "conversationType": "2",
        "senderId": "$:LWCP_v1:$Hx0ZSSe8gWz2nN6W7y1n5T3dm6DVvVn8",
        "conversationTitle": "Benchmark group",
        "isInAtList": True,
        "sessionWebhook": (
            "https://oapi.dingtalk.com/robot/sendBySession?session="
            "e7c2b2f0a8d14c3c9c9f0c3a1bd0f7a2e7c2b2f0a8d14c3c9c9f0c3a1bd0f7a2"
        ),
        "text": {"content": f" {_SENT}"},
        "robotCode": "dingzxhbqeqemmcvwbps",
        "msgtype": "text",
    }
    frame = {
        "specVersion": "1.0",
        "type": "CALLBACK",
        "headers": {
            "appId": "5f3ee9b1-7b0e-4b5b-9a55-2f1d6c1e8a10",
            "connectionId": "2f6c3b0e-1c1d-4b47-9d0a-9a0b7b7c0c31",
            "contentType": "application/json",
            "messageId": f"m{_ID}",
            "time": "1789994600000",
            "topic": BOT_TOPIC,
        },
        "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    }
    text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
    head, rest = text.split(f"m{_ID}", 1)  # the messageId comes first, in the headers
    middle, rest = rest.split(f"msg{_ID}", 1)
    middle2, tail = rest.split(_SENT, 1)
    return [head + "m", middle + "msg", middle2, tail]


class Gateway:
    """The plan for the next connection, and what the last one did."""

    def __init__(self) -> None:
        self.plan: dict[str, Any] = {"messages": 1000, "window": 64, "rate": 0, "compress": False}
        self.last: dict[str, Any] = {}
        self.port = 0
        self._parts = _frame_template()
        self.frame_bytes = len(self.frame(0, 0))

    def frame(self, number: int, sent_ns: int) -> str:
        head, middle, middle2, tail = self._parts
        n = str(number)
        return f"{head}{n}{middle}{n}{middle2}{sent_ns}{tail}"

    async def open(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {"endpoint": f"ws://127.0.0.1:{self.port}/connect", "ticket": "benchmark-ticket"}
        )

    async def set_plan(self, request: web.Request) -> web.Response:
        self.plan = {**self.plan, **(await request.json())}
        self.last = {}
        return web.json_response(self.plan)

    async def report(self, _request: web.Request) -> web.Response:
        return web.json_response(self.last)

    async def connect(self, request: web.Request) -> web.WebSocketResponse:
        plan = dict(self.plan)
        websocket = web.WebSocketResponse(
            compress=bool(plan["compress"]), max_msg_size=1 << 20, autoping=True
        )
        await websocket.prepare(request)
        record: dict[str, Any] = {
            "acks": 0,
            "later": 0,
            "compressed": bool(websocket.compress),
            "frame_bytes": self.frame_bytes,
            "done": False,
        }
        self.last = record
        try:
            await _serve(websocket, self, plan, record)
        finally:
            record["done"] = True
        return websocket


async def _serve(
    websocket: web.WebSocketResponse, gateway: Gateway, plan: dict[str, Any], record: dict[str, Any]
) -> None:
    """Send the plan's frames, at most `window` unacknowledged, until every one is acked."""
    total, window, rate = int(plan["messages"]), int(plan["window"]), float(plan["rate"])
    frame, now_ns, send = gateway.frame, time.monotonic_ns, websocket.send_str
    slots = asyncio.Semaphore(window) if rate else None
    state = {"sent": 0}

    async def send_next() -> None:
        number = state["sent"]
        state["sent"] = number + 1
        await send(frame(number, now_ns()))

    async def paced() -> None:
        assert slots is not None
        loop = asyncio.get_running_loop()
        due = loop.time()
        while state["sent"] < total:
            due += 1.0 / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await slots.acquire()
            await send_next()

    pacer = asyncio.ensure_future(paced()) if rate else None
    if not rate:
        for _ in range(min(window, total)):
            await send_next()
    acks = 0
    try:
        async for message in websocket:
            if message.type is not WSMsgType.TEXT:
                continue
            text = message.data
            if "LATER" in text:  # sent again at once: the client took nothing in
                record["later"] += 1
                number = int(json.loads(text)["headers"]["messageId"][1:])
                await send(frame(number, now_ns()))
                continue
            acks += 1
            record["acks"] = acks
            if slots is not None:
                slots.release()
            elif state["sent"] < total:
                await send_next()
            if acks >= total:
                break
        # The client closes once it has everything; wait for that, briefly.
        await asyncio.wait_for(websocket.receive(), 5)
    except (asyncio.TimeoutError, ConnectionError):
        pass
    finally:
        if pacer is not None:
            pacer.cancel()


async def _main() -> None:
    gateway = Gateway()
    app = web.Application()
    app.router.add_post("/v1.0/gateway/connections/open", gateway.open)
    app.router.add_get("/connect", gateway.connect)
    app.router.add_post("/bench/plan", gateway.set_plan)
    app.router.add_get("/bench/last", gateway.report)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    gateway.port = runner.addresses[0][1]
    print(gateway.port, flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(_main())

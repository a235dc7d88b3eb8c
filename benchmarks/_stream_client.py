"""One Stream client's run for benchmarks/stream.py, in a process of its own.

    python _stream_client.py KIND SETTINGS_JSON RESULT_JSON

KIND is one of:

- `bare`: a bare aiohttp loop: `json.loads` the frame and its `data`, and
  acknowledge with the `messageId` (`json.dumps` of the acknowledgement);
- `iterator`: `StreamClient`, `async for message in stream`;
- `handler`: `StreamClient`, a no-op `@stream.on_message` handler and `run()`;
- `sdk`: the official `dingtalk-stream` SDK with a no-op `ChatbotHandler`
  (its `process` returns OK without reading the message).

The package chose its JSON codec when it was imported, from the environment
the benchmark gave this process. The first `warm` messages warm up the
connection and every code path; CPU (`time.process_time()`, this process
only) and wall time count from there to the last of `count` more. With
`latency`, each delivered message's push-to-handler time is kept (the gateway
wrote its sending time into the text); with `checkpoints`, the process's
resident memory is read when that many messages have been delivered.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

_PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    """This process's resident memory now (Linux's /proc/self/statm)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE


class Meter:
    """Counts delivered messages, and measures between the warm-up's end and the last one."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.warm = int(settings["warm"])
        self.total = self.warm + int(settings["count"])
        self.latency = bool(settings.get("latency"))
        self.checkpoints = set(settings.get("checkpoints", ()))
        self.delivered = 0
        self.latencies_us: list[float] = []
        self.memory: dict[int, int] = {}
        self.done = asyncio.Event()
        self._cpu = self._wall = 0.0

    def tick(self, text: str | None) -> None:
        """One message reached the code that uses it; `text` carries its sending time."""
        self.delivered += 1
        n = self.delivered
        if self.latency and n > self.warm and text is not None:
            self.latencies_us.append((time.monotonic_ns() - int(text)) / 1000)
        if n == self.warm:
            self._cpu, self._wall = time.process_time(), time.perf_counter()
        if n in self.checkpoints:
            self.memory[n] = resident_bytes()
        if n == self.total:
            self._cpu = time.process_time() - self._cpu
            self._wall = time.perf_counter() - self._wall
            self.done.set()

    def result(self) -> dict[str, Any]:
        count = self.total - self.warm
        return {
            "messages": count,
            "cpu_us": self._cpu / count * 1e6,
            "rate": count / self._wall if self._wall else 0.0,
            "latencies_us": self.latencies_us,
            "memory": {str(k): v for k, v in sorted(self.memory.items())},
        }


async def run_bare(base_url: str, meter: Meter) -> dict[str, Any]:
    import aiohttp

    loads, dumps = json.loads, json.dumps
    latency = meter.latency
    async with aiohttp.ClientSession() as session:
        body = {"clientId": "k", "clientSecret": "s", "subscriptions": []}
        async with session.post(f"{base_url}/v1.0/gateway/connections/open", json=body) as reply:
            ticket = await reply.json()
        url = f"{ticket['endpoint']}?ticket={ticket['ticket']}"
        async with session.ws_connect(url) as websocket:
            async for message in websocket:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                frame = loads(message.data)
                data = loads(frame["data"])
                ack = {
                    "code": 200,
                    "headers": {
                        "contentType": "application/json",
                        "messageId": frame["headers"]["messageId"],
                    },
                    "message": "OK",
                    "data": '{"response": null}',
                }
                await websocket.send_str(dumps(ack))
                meter.tick(data["text"]["content"] if latency else None)
                if meter.done.is_set():
                    break
    return {}


def _stream_client(base_url: str) -> Any:
    from dingtalk_im_async.stream import StreamClient

    return StreamClient(
        app_key="benchmark-app",
        app_secret="benchmark-secret",
        base_url=base_url,
        events=False,
        allow_http=True,
    )


def _stream_stats(stream: Any) -> dict[str, Any]:
    from dingtalk_im_async import _json

    stats, intake = stream.stats, stream._intake
    return {
        "codec": "orjson" if _json.uses_orjson else "stdlib",
        "items": stats.items,
        "deferred": stats.deferred,
        # (`_seen` before issue 27, so that older checkouts can be measured too)
        "remembered_ids": len(getattr(intake, "seen", None) or intake._seen) if intake else None,
    }


async def run_iterator(base_url: str, meter: Meter) -> dict[str, Any]:
    latency = meter.latency
    async with _stream_client(base_url) as stream:
        async for message in stream:
            meter.tick(message.text.content if latency else None)
            if meter.done.is_set():
                break
        return _stream_stats(stream)


async def run_handler(base_url: str, meter: Meter) -> dict[str, Any]:
    stream = _stream_client(base_url)
    latency = meter.latency

    @stream.on_message
    async def hear(message: Any) -> None:
        meter.tick(message.text.content if latency else None)

    running = asyncio.ensure_future(stream.run())
    await meter.done.wait()
    await stream.close()
    await running
    return _stream_stats(stream)


async def run_sdk(base_url: str, meter: Meter) -> dict[str, Any]:
    import logging

    os.environ["DINGTALK_OPENAPI_ENDPOINT"] = base_url  # read when the SDK is imported
    import dingtalk_stream  # type: ignore[import-untyped]

    latency = meter.latency

    class NoOp(dingtalk_stream.ChatbotHandler):  # type: ignore[misc]
        async def process(self, callback: Any) -> tuple[int, str]:
            meter.tick(callback.data["text"]["content"] if latency else None)
            return dingtalk_stream.AckMessage.STATUS_OK, "OK"

    quiet = logging.getLogger("benchmark.sdk")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    client = dingtalk_stream.DingTalkStreamClient(dingtalk_stream.Credential("k", "s"), quiet)
    client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, NoOp())
    running = asyncio.ensure_future(client.start())
    await meter.done.wait()
    await asyncio.sleep(0)  # let the last acknowledgement go out
    if client.websocket is not None:
        await client.websocket.close()
    running.cancel()
    return {}


RUNS = {"bare": run_bare, "iterator": run_iterator, "handler": run_handler, "sdk": run_sdk}


async def main(kind: str, settings: dict[str, Any]) -> dict[str, Any]:
    meter = Meter(settings)
    extra = await RUNS[kind](settings["base_url"], meter)
    return {**meter.result(), **extra, "kind": kind}


if __name__ == "__main__":
    kind, settings_json, result_json = sys.argv[1], sys.argv[2], sys.argv[3]
    outcome = asyncio.run(main(kind, json.loads(settings_json)))
    Path(result_json).write_text(json.dumps(outcome))
    sys.stdout.flush()
    os._exit(0)  # the SDK's connection loop would linger

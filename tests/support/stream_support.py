"""Shared by the Stream tests: a quick gateway, a client bound to it, and ways to wait."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from dingtalk_im_async.stream import ReconnectPolicy, StreamClient, StreamItem, StreamSettings
from dingtalk_im_async.testing import DingTalkEmulator

#: Fast but otherwise production-like client settings for tests.
FAST = StreamSettings(
    reconnect=ReconnectPolicy(initial_delay=0.05, max_delay=0.4, stable_after=0.2),
    idle_timeout=None,
    heartbeat=5.0,
    drain_timeout=2.0,
    shutdown_grace=1.0,
)


def stream_client(emulator: DingTalkEmulator, **options: Any) -> StreamClient:
    """A `StreamClient` for the emulator's app (keyword options override the defaults)."""
    options.setdefault("settings", FAST)
    return StreamClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        **options,
    )


async def take(stream: StreamClient, count: int, *, timeout: float = 5.0) -> list[StreamItem]:
    """The next `count` items of the iterator."""

    async def collect() -> list[StreamItem]:
        items = []
        async for item in stream:
            items.append(item)
            if len(items) == count:
                break
        return items

    return await asyncio.wait_for(collect(), timeout)


async def eventually(check: Callable[[], bool], *, timeout: float = 5.0) -> None:
    """Wait until `check()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"still not true after {timeout}s")
        await asyncio.sleep(0.01)


async def settle(awaitable: Awaitable[Any]) -> None:
    """Await a task that may end with cancellation."""
    with contextlib.suppress(asyncio.CancelledError):
        await awaitable

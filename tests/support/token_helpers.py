"""Shared pieces of the token tests: a clock to move by hand, and waiting for background work."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import aiohttp

from dingtalk_im_async import AppTokenProvider, RetryPolicy, TokenCache
from dingtalk_im_async.testing import DingTalkEmulator

INSTANT_RETRIES = RetryPolicy(initial_wait=0, max_wait=0)


class FakeClock:
    """A monotonic clock and a wall clock that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.wall = 1_700_000_000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.wall

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.wall += seconds


def provider_for(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    *,
    clock: FakeClock | None = None,
    cache: TokenCache | None = None,
    **options: Any,
) -> AppTokenProvider:
    """An `AppTokenProvider` for the emulator's app, on `clock` if given."""
    if clock is not None:
        options.update(clock=clock.monotonic, wall_clock=clock.time)
    options.setdefault("retry", INSTANT_RETRIES)
    options.setdefault("app_secret", emulator.app_secret)
    return AppTokenProvider(
        session,
        app_key=emulator.app_key,
        base_url=emulator.base_url,
        cache=cache,
        **options,
    )


def token_reply(**fields: Any) -> bytes:
    """A token endpoint body with exactly these fields."""
    return json.dumps(fields).encode()


async def eventually(condition: Callable[[], bool], *, within: float = 5.0) -> None:
    """Wait until `condition()` holds (background work finished), failing after `within` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition still false after {within}s")
        await asyncio.sleep(0.01)


def pending_provider_tasks() -> list[asyncio.Task[Any]]:
    """Tasks an `AppTokenProvider` started that are still running."""
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done()
        and getattr(task.get_coro(), "__qualname__", "").startswith("AppTokenProvider.")
    ]

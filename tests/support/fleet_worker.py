"""One worker of a fleet, run as its own OS process by tests/bulk/test_bulk_fleet.py.

Usage: fleet_worker.py BASE_URL APP_KEY APP_SECRET REDIS_URL|local KEY|app RATE COUNT PREFIX

KEY `app` paces as the README shows: `RedisPacer.from_url(url, rate=..., app_key=...)`,
one key per app and API (`pacing.pacer_key`), the key `dingtalk-im bulk --redis-url` uses.
Prints "ready", waits for a line on stdin (so every worker starts together),
creates COUNT groups, then prints one JSON line: counts and when it sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Iterator

import aiohttp

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    GroupService,
    LocalPacer,
    Pacer,
    RedisPacer,
)


async def main(argv: list[str]) -> None:
    base_url, app_key, app_secret, redis_url, key, rate, count, prefix = argv
    sent: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        pacer: Pacer
        if redis_url == "local":
            pacer = LocalPacer(float(rate))
        else:
            shared = (
                RedisPacer.from_url(redis_url, rate=float(rate), app_key=app_key)
                if key == "app"
                else RedisPacer.from_url(redis_url, rate=float(rate), key=key)
            )
            pacer = await stack.enter_async_context(shared)
        session = await stack.enter_async_context(aiohttp.ClientSession())
        tokens = AppTokenProvider(
            session, app_key=app_key, app_secret=app_secret, base_url=base_url
        )
        groups = GroupService(session, tokens, base_url=base_url)
        await tokens.get_token()

        def requests() -> Iterator[CreateGroupRequest]:
            for number in range(int(count)):
                yield CreateGroupRequest(name=f"{prefix}{number}", owner="o", useridlist=["u"])

        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        ok = failed = 0
        async with groups.create_many(
            requests(), concurrency=5, rate_limit=pacer, rate_limited_retries=0
        ) as run:
            async for outcome in run:
                sent.append(time.monotonic())
                ok += outcome.ok
                failed += not outcome.ok
    print(json.dumps({"ok": ok, "failed": failed, "first": min(sent), "last": max(sent)}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))

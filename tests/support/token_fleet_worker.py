"""One process of the fleet test: creates groups with tokens shared through Redis.

Usage: `python token_fleet_worker.py BASE_URL APP_KEY REDIS_URL NAMESPACE`, with the
app secret in `$DINGTALK_APP_SECRET` (kept off the command line). Prints `ready`,
then for each `create N` line on stdin runs N concurrent creates and prints
`created N`; exits at end of input.
"""

from __future__ import annotations

import asyncio
import os
import sys

import aiohttp

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    GroupService,
    RedisTokenCache,
    RetryPolicy,
)

REQUEST = CreateGroupRequest(name="fleet", owner="o", useridlist=["u"])


async def main(base_url: str, app_key: str, redis_url: str, namespace: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        RedisTokenCache.from_url(redis_url, namespace=namespace) as cache,
        AppTokenProvider(
            session,
            app_key=app_key,
            app_secret=os.environ["DINGTALK_APP_SECRET"],
            base_url=base_url,
            cache=cache,
        ) as provider,
    ):
        groups = GroupService(
            session, provider, base_url=base_url, retry=RetryPolicy(initial_wait=0, max_wait=0)
        )
        print("ready", flush=True)
        while line := await asyncio.to_thread(sys.stdin.readline):
            command, count = line.split()
            assert command == "create", line
            await asyncio.gather(*(groups.create(REQUEST) for _ in range(int(count))))
            print(f"created {count}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))

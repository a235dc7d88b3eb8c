"""One process of the tenant fleet (benchmarks/tenant_fleet.py): calls for many organisations
through one `SuiteClient`, tokens and tickets shared through Redis.

Usage: `python _tenant_worker.py BASE_URL REDIS_URL NAMESPACE SUITE_KEY GROUPS_JSON [stream]`,
the suite secret in `$DINGTALK_SUITE_SECRET` (kept off the command line). `GROUPS_JSON`
maps each corp id to the openConversationId of its scene group. With `stream`, the process
also takes the suite's Stream events (tickets, installs) into the shared store. Prints
`ready`, then for each `calls SEED COUNT` line on stdin reads COUNT groups of organisations
drawn with SEED, each with its own organisation's client, and prints one JSON line of
figures; exits at end of input.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import random
import sys
from pathlib import Path

from dingtalk_im_async import RedisTokenCache, RetryPolicy, SuiteClient
from dingtalk_im_async.errors import DingTalkError
from dingtalk_im_async.stream import StreamClient
from dingtalk_im_async.tenants import RedisSuiteTicketStore

CONCURRENCY = 64


class Replays(logging.Handler):
    """Counts the transport's "replaying once with a fresh token" lines, and the warnings
    (by their words before the first parenthesis: no ids, no secrets)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0
        self.warnings: collections.Counter[str] = collections.Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if "replaying once" in record.getMessage():
            self.count += 1
        if record.levelno >= logging.WARNING:
            self.warnings[record.getMessage().split("(")[0][:80]] += 1


async def main(
    base_url: str, redis_url: str, namespace: str, suite_key: str, groups_file: str, *rest: str
) -> None:
    groups: dict[str, str] = json.loads(
        await asyncio.to_thread(Path(groups_file).read_text, encoding="utf-8")
    )
    corps = sorted(groups)
    replays = Replays()
    logger = logging.getLogger("dingtalk_im_async")
    logger.addHandler(replays)
    logger.setLevel(logging.INFO)
    secret = os.environ["DINGTALK_SUITE_SECRET"]
    async with (
        RedisTokenCache.from_url(redis_url, namespace=namespace) as cache,
        RedisSuiteTicketStore.from_url(
            redis_url, suite_key=suite_key, namespace=namespace
        ) as tickets,
        SuiteClient(
            suite_key=suite_key,
            suite_secret=secret,
            tickets=tickets,
            cache=cache,
            base_url=base_url,
            allow_http=True,
            rate_limit=None,
            retry=RetryPolicy(initial_wait=0, max_wait=0),
        ) as suite,
    ):
        stream = None
        if "stream" in rest:
            stream = StreamClient(
                app_key=suite_key,
                app_secret=secret,
                base_url=base_url,
                allow_http=True,
                messages=False,
            )
            stream.on_event(suite.events)
            await stream.start()
            listening = asyncio.ensure_future(stream.run())
        print("ready", flush=True)
        try:
            while line := await asyncio.to_thread(sys.stdin.readline):
                command, seed, count = line.split()
                assert command == "calls", line
                drawn = random.Random(int(seed)).choices(corps, k=int(count))
                print(json.dumps(await calls(suite, groups, drawn, replays)), flush=True)
        finally:
            if stream is not None:
                await stream.close()
                await asyncio.gather(listening, return_exceptions=True)


async def calls(
    suite: SuiteClient, groups: dict[str, str], corps: list[str], replays: Replays
) -> dict[str, object]:
    gate = asyncio.Semaphore(CONCURRENCY)
    failures: collections.Counter[str] = collections.Counter()
    wrong: list[str] = []
    before = replays.count
    replays.warnings.clear()

    async def one(corp_id: str) -> None:
        async with gate:
            try:
                info = await suite.for_corp(corp_id).scene_groups.get(groups[corp_id])
            except DingTalkError as error:
                failures[f"{type(error).__name__}: {error}"[:160]] += 1
                return
            if (info.open_conversation_id, info.title) != (groups[corp_id], corp_id):
                wrong.append(corp_id)

    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(one(corp) for corp in corps))
    return {
        "calls": len(corps),
        "seconds": loop.time() - started,
        "failures": dict(failures),
        "wrong_group": len(wrong),
        "replays": replays.count - before,
        "warnings": dict(replays.warnings),
    }


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))

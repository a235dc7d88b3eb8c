"""One instance of a bot in the Stream fleet test: a `StreamClient` with Redis de-duplication.

Usage: `python stream_fleet_worker.py BASE_URL APP_KEY REDIS_URL NAMESPACE DIR CLAIM_TTL`,
the app secret in `$DINGTALK_APP_SECRET` (kept off the command line). Prints `ready`
once connected. Each message's handler appends `done <msgId> <text> <pid>` to
`DIR/<pid>.log` when it succeeds. A text starting with `fail` fails the first time
any instance handles it (a marker file in DIR says it did); one starting with
`block` hangs the first time (printing `blocking <pid>`, for the test to SIGKILL
this process mid-handler). Runs until stdin closes.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from pathlib import Path

from dingtalk_im_async.fleet_stream import RedisStreamDedup
from dingtalk_im_async.stream import (
    BotMessage,
    ReconnectPolicy,
    StreamClient,
    StreamSettings,
)

SETTINGS = StreamSettings(
    reconnect=ReconnectPolicy(initial_delay=0.05, max_delay=0.4, stable_after=0.2),
    idle_timeout=None,
    heartbeat=5.0,
    drain_timeout=2.0,
    shutdown_grace=1.0,
    handler_concurrency=4,
)


def first_time(directory: Path, kind: str, msg_id: str) -> bool:
    """True for the first instance to get here for this message (an atomic file create)."""
    try:
        name = f"{kind}-{hashlib.sha256(msg_id.encode()).hexdigest()}"  # msgIds hold "/"
        fd = os.open(directory / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True


async def main(
    base_url: str, app_key: str, redis_url: str, namespace: str, folder: str, claim_ttl: str
) -> None:
    directory = Path(folder)
    log = directory / f"{os.getpid()}.log"
    dedup = RedisStreamDedup.from_url(
        redis_url, app_key=app_key, namespace=namespace, claim_ttl=float(claim_ttl)
    )
    stream = StreamClient(
        app_key=app_key,
        app_secret=os.environ["DINGTALK_APP_SECRET"],
        base_url=base_url,
        settings=SETTINGS,
        fleet_dedup=dedup,
    )

    @stream.on_message
    async def handle(message: BotMessage) -> None:
        text = message.text.content.strip() if message.text else ""
        await asyncio.sleep(0.02)  # some work, so that handlers overlap redeliveries
        if text.startswith("fail") and first_time(directory, "failed", message.msg_id):
            raise RuntimeError(f"{text}: failing once on purpose")
        if text.startswith("block") and first_time(directory, "blocked", message.msg_id):
            print(f"blocking {os.getpid()}", flush=True)
            await asyncio.sleep(3600)  # killed here
        with log.open("a", encoding="utf-8") as out:
            out.write(f"done {message.msg_id} {text} {os.getpid()}\n")

    async with dedup:
        await stream.start()
        print("ready", flush=True)
        running = asyncio.ensure_future(stream.run())
        await asyncio.to_thread(sys.stdin.read)  # until the test closes stdin
        await stream.close()
        await running


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))

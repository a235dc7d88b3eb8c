"""Several instances of one bot, on one gateway and one Redis: each message handled once.

Three OS processes run a `StreamClient` with `RedisStreamDedup`
(tests/support/stream_fleet_worker.py) on the emulator's gateway, which spreads
pushes over their connections and redelivers what is not acknowledged, to any
of them. Messages are duplicated, acknowledgements lost, some handlers fail
once, and one instance is SIGKILLed mid-handler: every message must end up
handled successfully exactly once, none lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from dingtalk_im_async.fleet_stream import RedisStreamDedup
from dingtalk_im_async.stream import BotMessage, Claim
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.stream_support import eventually, settle, stream_client

WORKER = Path(__file__).parents[1] / "support" / "stream_fleet_worker.py"
PROCESSES = 3
MESSAGES = 60
CLAIM_TTL = 2.0
#: Generous: a loaded 2-core machine may take seconds to start a Python process.
STEP_TIMEOUT = 60.0


class Fleet:
    def __init__(self, processes: list[asyncio.subprocess.Process], folder: Path) -> None:
        self.processes = processes
        self.folder = folder

    def handled(self) -> list[tuple[str, str, str]]:
        """(msgId, text, pid) of every successful handler call, over all processes."""
        lines = []
        for log in self.folder.glob("*.log"):
            for line in log.read_text(encoding="utf-8").splitlines():
                _, msg_id, text, pid = line.split(" ")
                lines.append((msg_id, text, pid))
        return lines

    async def read_line(self, process: asyncio.subprocess.Process) -> str:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), STEP_TIMEOUT)
        return line.decode().strip()


@pytest.fixture
async def fleet(emulator: DingTalkEmulator, redis_url: str, tmp_path: Path) -> AsyncIterator[Fleet]:
    namespace = f"test-stream-fleet-{uuid.uuid4().hex}"
    env = {**os.environ, "DINGTALK_APP_SECRET": emulator.app_secret}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            emulator.base_url,
            emulator.app_key,
            redis_url,
            namespace,
            str(tmp_path),
            str(CLAIM_TTL),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        for _ in range(PROCESSES)
    ]
    fleet = Fleet(processes, tmp_path)
    try:
        assert [await fleet.read_line(p) for p in processes] == ["ready"] * PROCESSES
        yield fleet
    finally:
        for process in processes:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()


async def test_a_fleet_handles_each_message_once_through_redeliveries_failures_and_a_kill(
    emulator: DingTalkEmulator, fleet: Fleet
) -> None:
    emulator.configure_stream(
        ack_timeout=1.5,
        later_delay=0.3,
        max_redeliveries=100,
        duplicate_rate=0.3,
        ack_loss_rate=0.2,
    )
    await eventually(lambda: len(emulator.stream.connections) == PROCESSES, timeout=STEP_TIMEOUT)
    pushed: dict[str, str] = {}

    async def push(texts: list[str]) -> None:
        for text in texts:
            pushed[(await emulator.push_message(text))["msgId"]] = text

    def handled_all() -> bool:
        return {msg_id for msg_id, _, _ in fleet.handled()} == set(pushed)

    half = MESSAGES // 2
    await push([f"fail-{n}" if n % 10 == 3 else f"plain-{n}" for n in range(half)])
    await eventually(handled_all, timeout=STEP_TIMEOUT)
    await eventually(lambda: emulator.stream.unacknowledged == 0, timeout=STEP_TIMEOUT)
    # The instance that takes "block" hangs in its handler: kill it there, no goodbye. (Not
    # amid a burst: an item whose handler had just succeeded there, not yet recorded in
    # Redis, would rightly run again elsewhere: at least once.)
    await push(["block"])
    blocking = await asyncio.wait_for(_blocking_pid(fleet), STEP_TIMEOUT)
    os.kill(blocking, signal.SIGKILL)
    await push([f"fail-{n}" if n % 10 == 3 else f"plain-{n}" for n in range(half, MESSAGES)])

    await eventually(handled_all, timeout=STEP_TIMEOUT)
    await eventually(lambda: emulator.stream.unacknowledged == 0, timeout=STEP_TIMEOUT)
    await asyncio.sleep(2 * 1.5)  # any late redelivery would be handled again by now

    handled = fleet.handled()
    counts = Counter(msg_id for msg_id, _, _ in handled)
    twice = {msg_id for msg_id, n in counts.items() if n != 1}
    assert [line for line in handled if line[0] in twice] == [], f"killed: {blocking}"
    assert {msg_id: text for msg_id, text, _ in handled} == pushed
    by_pid = Counter(pid for _, _, pid in handled)
    assert len(by_pid) >= 2, by_pid  # the gateway spread them over the instances
    block_id = next(msg_id for msg_id, text in pushed.items() if text == "block")
    (block_pid,) = {pid for msg_id, _, pid in handled if msg_id == block_id}
    assert int(block_pid) != blocking  # handled by another instance after the kill
    stats = await emulator.stream_stats()
    assert stats.redeliveries > 0
    assert stats.duplicates > 0
    assert stats.acks_lost > 0
    assert stats.given_up == 0


async def _blocking_pid(fleet: Fleet) -> int:
    """The pid a worker prints when its handler hangs on purpose."""
    readers = {
        asyncio.ensure_future(fleet.read_line(process)): process for process in fleet.processes
    }
    try:
        while readers:
            done, _ = await asyncio.wait(readers, return_when=asyncio.FIRST_COMPLETED)
            for reader in done:
                line = reader.result()
                if line.startswith("blocking "):
                    return int(line.split()[1])
                readers.pop(reader)
        raise AssertionError("no worker blocked")
    finally:
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


# -- the Redis record itself, and what happens without Redis ---------------------------


async def test_claims_and_seen_keys_expire_and_belong_to_their_token(redis_url: str) -> None:
    namespace = f"test-stream-dedup-{uuid.uuid4().hex}"
    redis = Redis.from_url(redis_url)
    async with (
        redis,
        RedisStreamDedup(
            redis, app_key="app", namespace=namespace, claim_ttl=5, seen_ttl=60
        ) as dedup,
    ):
        assert await dedup.claim("msg:1", "a") is Claim.CLAIMED
        assert await dedup.claim("msg:1", "b") is Claim.BUSY
        assert 0 < await redis.pttl(dedup.claim_key("msg:1")) <= 5000
        await dedup.release("msg:1", "b")  # not b's claim: it stays
        assert await dedup.claim("msg:1", "c") is Claim.BUSY
        await dedup.release("msg:1", "a")
        assert await dedup.claim("msg:1", "c") is Claim.CLAIMED
        await redis.pexpire(dedup.claim_key("msg:1"), 100)
        await dedup.refresh("msg:1", "c")
        assert await redis.pttl(dedup.claim_key("msg:1")) > 1000
        await dedup.done("msg:1", "c")
        assert await redis.exists(dedup.claim_key("msg:1")) == 0
        assert 0 < await redis.pttl(dedup.seen_key("msg:1")) <= 60_000
        assert await dedup.claim("msg:1", "d") is Claim.SEEN
        assert dedup.seen_key("msg:1") == f"{namespace}:stream-seen:app:msg:1"


async def test_without_redis_every_message_is_still_handled(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis down: at least once, never lost; a warning (no secret) and a count per item."""
    dead = "redis://:hunter2-password@127.0.0.1:1/0"
    handled: list[str] = []
    async with RedisStreamDedup.from_url(dead, app_key=emulator.app_key, timeout=0.2) as dedup:
        stream = stream_client(emulator, fleet_dedup=dedup)

        @stream.on_message
        async def hear(message: BotMessage) -> None:
            handled.append(message.msg_id)

        with caplog.at_level(logging.WARNING, logger="dingtalk_im_async.stream"):
            running = asyncio.ensure_future(stream.run())
            await eventually(lambda: stream.connected)
            pushed = [(await emulator.push_message(f"m{n}"))["msgId"] for n in range(5)]
            await eventually(lambda: sorted(handled) == sorted(pushed))
            await emulator.stream.wait_until_acknowledged()
            await stream.close()
            await settle(running)
    assert stream.stats.fleet_unavailable == 5
    warnings = [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 5
    assert not any("hunter2" in line or emulator.app_secret in line for line in caplog.messages)


async def test_a_failed_handler_is_redelivered_and_handled_again(
    emulator: DingTalkEmulator, redis_url: str
) -> None:
    """One instance: the failure is answered LATER, the claim released, the redelivery runs."""
    emulator.configure_stream(later_delay=0.1)
    calls: list[str] = []
    namespace = f"test-stream-dedup-{uuid.uuid4().hex}"
    async with RedisStreamDedup.from_url(
        redis_url, app_key=emulator.app_key, namespace=namespace
    ) as dedup:
        stream = stream_client(emulator, fleet_dedup=dedup)

        @stream.on_message
        async def hear(message: BotMessage) -> None:
            calls.append(message.msg_id)
            if len(calls) == 1:
                raise RuntimeError("once")

        running = asyncio.ensure_future(stream.run())
        await eventually(lambda: stream.connected)
        msg_id = (await emulator.push_message("again"))["msgId"]
        await emulator.stream.wait_until_acknowledged()
        await stream.close()
        await settle(running)
        assert await dedup.claim(f"msg:{msg_id}", "later") is Claim.SEEN
    assert calls == [msg_id, msg_id]
    assert stream.stats.handler_errors == 1


async def test_fleet_dedup_needs_handlers_and_checks_its_arguments(
    emulator: DingTalkEmulator, redis_url: str
) -> None:
    with pytest.raises(TypeError, match="FleetDedup"):
        stream_client(emulator, fleet_dedup=object())
    for bad in (
        {"app_key": ""},
        {"app_key": "a", "claim_ttl": 0},
        {"app_key": "a", "seen_ttl": -1},
    ):
        with pytest.raises(ValueError, match="must be"):
            RedisStreamDedup.from_url(redis_url, **bad)
    async with RedisStreamDedup.from_url(redis_url, app_key=emulator.app_key) as dedup:
        stream = stream_client(emulator, fleet_dedup=dedup)
        with pytest.raises(RuntimeError, match="fleet_dedup needs handlers"):
            stream.__aiter__()
        assert "hunter" not in repr(dedup)


async def test_a_long_handler_keeps_its_claim(emulator: DingTalkEmulator, redis_url: str) -> None:
    """The claim is refreshed while the handler runs, so no other instance takes the item."""
    namespace = f"test-stream-dedup-{uuid.uuid4().hex}"
    redis = Redis.from_url(redis_url)
    claims_seen: list[int] = []
    async with (
        redis,
        RedisStreamDedup(
            redis, app_key=emulator.app_key, namespace=namespace, claim_ttl=0.3
        ) as dedup,
    ):
        stream = stream_client(emulator, fleet_dedup=dedup)

        @stream.on_message
        async def hear(message: BotMessage) -> None:
            for _ in range(6):  # 1.2 s: four claim lifetimes
                await asyncio.sleep(0.2)
                claims_seen.append(await redis.exists(dedup.claim_key(f"msg:{message.msg_id}")))

        running = asyncio.ensure_future(stream.run())
        await eventually(lambda: stream.connected)
        msg_id = (await emulator.push_message("long"))["msgId"]
        await emulator.stream.wait_until_acknowledged()
        await stream.close()
        await settle(running)
        assert await dedup.claim(f"msg:{msg_id}", "other") is Claim.SEEN
    assert claims_seen == [1] * 6

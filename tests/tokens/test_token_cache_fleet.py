"""Several OS processes sharing one Redis fetch the token once per expiry and revocation."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dingtalk_im_async.testing import DingTalkEmulator

WORKER = Path(__file__).parents[1] / "support" / "token_fleet_worker.py"
PROCESSES = 4
CREATES_PER_PROCESS = 25
#: Generous: a loaded 2-core machine may take seconds to import aiohttp and redis.
STEP_TIMEOUT = 60.0


class Fleet:
    """Worker processes started with `asyncio.create_subprocess_exec`, driven over stdin."""

    def __init__(self, processes: list[asyncio.subprocess.Process]) -> None:
        self.processes = processes

    async def expect_all(self, line: str) -> None:
        async def one(process: asyncio.subprocess.Process) -> None:
            assert process.stdout is not None
            got = await process.stdout.readline()
            assert got.decode().strip() == line, got

        await asyncio.wait_for(asyncio.gather(*map(one, self.processes)), STEP_TIMEOUT)

    async def run(self, command: str, reply: str) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(f"{command}\n".encode())
        await asyncio.gather(*(p.stdin.drain() for p in self.processes if p.stdin))
        await self.expect_all(reply)

    async def finish(self) -> list[int]:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.close()
        return await asyncio.wait_for(
            asyncio.gather(*(p.wait() for p in self.processes)), STEP_TIMEOUT
        )


@pytest.fixture
async def fleet(emulator: DingTalkEmulator, redis_url: str) -> AsyncIterator[Fleet]:
    namespace = f"test-fleet-{uuid.uuid4().hex}"
    env = {**os.environ, "DINGTALK_APP_SECRET": emulator.app_secret}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            emulator.base_url,
            emulator.app_key,
            redis_url,
            namespace,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        for _ in range(PROCESSES)
    ]
    try:
        yield Fleet(processes)
    finally:
        for process in processes:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()


async def test_a_fleet_of_processes_fetches_once_then_once_after_revocation(
    fleet: Fleet, emulator: DingTalkEmulator
) -> None:
    await fleet.expect_all("ready")
    assert emulator.token_fetches == 0
    await fleet.run(f"create {CREATES_PER_PROCESS}", f"created {CREATES_PER_PROCESS}")
    assert len(emulator.groups) == PROCESSES * CREATES_PER_PROCESS
    assert emulator.token_fetches == 1

    emulator.revoke_tokens()
    await fleet.run(f"create {CREATES_PER_PROCESS}", f"created {CREATES_PER_PROCESS}")
    assert len(emulator.groups) == 2 * PROCESSES * CREATES_PER_PROCESS
    assert emulator.token_fetches == 2
    assert await fleet.finish() == [0] * PROCESSES

"""A `RedisPacer` shared through a real redis-server keeps a fleet of processes under one rate."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async import (
    CreateGroupRequest,
    GroupService,
    MissingExtraError,
    RedisPacer,
    pacer_key,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.cli_subprocess import finish, start_cli

WORKER = Path(__file__).parents[1] / "support" / "fleet_worker.py"
WORKERS = 3
RATE = 20
PER_WORKER = 15


async def start_workers(
    emulator: DingTalkEmulator, pacing: str, key: str, count: int = WORKERS
) -> list[asyncio.subprocess.Process]:
    """Start `count` workers and wait until each has loaded; they wait for "go"."""
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            emulator.base_url,
            emulator.app_key,
            emulator.app_secret,
            pacing,
            key,
            str(RATE),
            str(PER_WORKER),
            f"w{number}-",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for number in range(count)
    ]
    for worker in workers:
        assert worker.stdout is not None
        ready = await asyncio.wait_for(worker.stdout.readline(), timeout=60)
        assert ready.strip() == b"ready"
    return workers


async def run_fleet(emulator: DingTalkEmulator, pacing: str) -> list[dict[str, Any]]:
    """Start the workers, let them all finish loading, then start them together."""
    workers = await start_workers(emulator, pacing, f"test-fleet:{uuid.uuid4().hex}")
    try:
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write(b"go\n")
            await worker.stdin.drain()
        outputs = [await asyncio.wait_for(worker.communicate(), timeout=60) for worker in workers]
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    assert [worker.returncode for worker in workers] == [0] * WORKERS
    return [json.loads(stdout) for stdout, _ in outputs]


def assert_overlapping(reports: list[dict[str, Any]]) -> None:
    """The workers really ran at the same time (else one rate each would pass trivially)."""
    assert max(report["first"] for report in reports) < min(report["last"] for report in reports)


async def test_processes_sharing_a_redis_pacer_stay_under_the_rate(redis_url: str) -> None:
    async with DingTalkEmulator(qps_limit=RATE) as emulator:
        reports = await run_fleet(emulator, redis_url)
    assert_overlapping(reports)
    assert sum(report["ok"] for report in reports) == WORKERS * PER_WORKER
    assert emulator.rate_limited == 0
    assert len(emulator.groups) == WORKERS * PER_WORKER
    assert max(emulator.windows("im.group.create").values()) <= RATE


async def test_processes_pacing_alone_exceed_the_rate_together() -> None:
    """The control: with a pacer each, three workers send three times the rate."""
    async with DingTalkEmulator(qps_limit=RATE) as emulator:
        reports = await run_fleet(emulator, "local")
    assert_overlapping(reports)
    assert emulator.rate_limited > 0
    assert max(emulator.windows("im.group.create").values()) > RATE


async def test_pacers_on_one_key_share_the_rate_in_one_process(
    redis_url: str, session: aiohttp.ClientSession
) -> None:
    key = f"test-pacer:{uuid.uuid4().hex}"
    async with (
        DingTalkEmulator(qps_limit=30) as emulator,
        RedisPacer.from_url(redis_url, rate=30, key=key) as first,
        RedisPacer.from_url(redis_url, rate=30, key=key) as second,
    ):
        groups = GroupService(
            session,
            app_provider(emulator, session),
            base_url=emulator.base_url,
            retry=INSTANT_RETRIES,
        )

        async def create(pacer: RedisPacer, offset: int) -> int:
            requests = (
                CreateGroupRequest(name=f"g{offset + n}", owner="o", useridlist=["u"])
                for n in range(30)
            )
            async with groups.create_many(requests, pacer=pacer) as run:
                return sum([outcome.ok async for outcome in run])

        assert await asyncio.gather(create(first, 0), create(second, 30)) == [30, 30]
    assert emulator.rate_limited == 0
    assert max(emulator.windows("im.group.create").values()) <= 30


async def test_a_script_paced_as_the_readme_shows_and_the_cli_share_one_budget(
    redis_url: str, tmp_path: Path
) -> None:
    """README's `RedisPacer.from_url(url, rate=20, app_key=...)` and `dingtalk-im bulk
    --redis-url` derive the same key (`pacing.pacer_key`), so together they stay at 20/s."""
    app_key = f"dingshared{uuid.uuid4().hex[:8]}"
    inputs = tmp_path / "groups.csv"
    inputs.write_text(
        "name,owner,useridlist\n" + "".join(f"cli-{n},o,u\n" for n in range(30)),
        encoding="utf-8",
    )
    async with DingTalkEmulator(qps_limit=RATE, app_key=app_key) as emulator:
        [script] = await start_workers(emulator, redis_url, "app", count=1)
        assert script.stdin is not None
        script.stdin.write(b"go\n")
        await script.stdin.drain()
        cli = await start_cli(
            emulator,
            ["bulk", str(inputs), "--redis-url", redis_url, "--rate", str(RATE)],
        )
        done = await finish(cli)
        stdout, _ = await asyncio.wait_for(script.communicate(), timeout=60)
    assert done.code == 0, done.output
    assert json.loads(stdout)["ok"] == PER_WORKER
    assert len(emulator.groups) == 30 + PER_WORKER
    assert emulator.rate_limited == 0
    assert max(emulator.windows("im.group.create").values()) <= RATE
    assert pacer_key(app_key, "im.group.create") == (
        f"dingtalk-im-async:pace:{app_key}:im.group.create"
    )


def test_redis_pacer_arguments_are_checked(redis_url: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        RedisPacer.from_url(redis_url, rate=0, key="k")
    with pytest.raises(ValueError, match="key"):
        RedisPacer.from_url(redis_url, rate=1, key="")
    with pytest.raises(ValueError, match="app_key"):
        RedisPacer.from_url(redis_url, rate=1)


def test_redis_pacer_without_redis_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)  # as if the extra were not installed
    with pytest.raises(MissingExtraError, match=r"dingtalk-im-async\[redis\]"):
        RedisPacer.from_url("redis://127.0.0.1:1/0", rate=20, key="k")

"""Cancelling a bulk run at any point: no task left, the service usable, no torn results line."""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from dingtalk_im_async import BulkOutcome, CreateGroupRequest, CreateGroupResult, GroupService
from dingtalk_im_async.cli._run_header import is_run_header
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.cli_subprocess import finish, run_cli, start_cli
from tests.support.leak_checks import client_tasks, no_client_tasks_left
from tests.support.token_helpers import eventually

INPUTS = 30
#: Cancel after 0, 13, 26, ... event-loop steps, until a whole run fits (within this bound).
STEP = 13
MAX_STEPS = 5_000


def request(name: str) -> CreateGroupRequest:
    return CreateGroupRequest(name=name, owner="manager4220", useridlist=["u1"])


async def test_cancelling_a_bulk_run_at_any_step_leaves_no_task_and_the_service_usable(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    """Each run meets 500s (retried), 429s (put back after a pause), a revocation (replayed
    after a second token fetch) and delays; its consumer is cancelled after a growing number
    of event-loop steps, until one run completes before its cancellation."""
    cancelled = 0
    for steps in range(0, MAX_STEPS, STEP):
        emulator.faults_for("im.group.create").clear()
        emulator.faults_for("im.group.create").set_rates(
            {Fault.SYSTEM_ERROR: 0.2, Fault.SYSTEM_BUSY: 0.1, Fault.SLOW: 0.1},
            seed=steps,
            latency=0.002,
        )
        emulator.faults_for("im.group.create").every(Fault.TOKEN_REVOKED, 7)
        provider = app_provider(emulator, session)
        groups = GroupService(session, provider, base_url=emulator.base_url, retry=INSTANT_RETRIES)
        seen: list[BulkOutcome[CreateGroupRequest, CreateGroupResult]] = []

        async def consume(
            groups: GroupService = groups,
            steps: int = steps,
            seen: list[BulkOutcome[CreateGroupRequest, CreateGroupResult]] = seen,
        ) -> None:
            inputs = (request(f"b{steps}-{index}") for index in range(INPUTS))
            async with groups.create_many(
                inputs, concurrency=4, rate_limit=None, rate_limited_backoff=0.01
            ) as run:
                async for outcome in run:
                    seen.append(outcome)  # noqa: PERF401 (one by one: a cancelled run's count)

        consumer = asyncio.create_task(consume())
        for _ in range(steps):
            await asyncio.sleep(0)
        completed = consumer.done()
        if completed:
            consumer.result()
            assert len(seen) == INPUTS
        else:
            consumer.cancel()
            with pytest.raises(asyncio.CancelledError):
                await consumer
            cancelled += 1
        await no_client_tasks_left()  # only a token fetch others could share may outlive it
        made = Counter(group.request["name"] for group in emulator.groups)
        assert all(count == 1 for count in made.values())
        for outcome in seen:
            if outcome.result is not None:
                assert made[outcome.request.name] == 1
        emulator.faults_for("im.group.create").clear()
        after = await groups.create(request(f"after-{steps}"))
        named = [g.chatid for g in emulator.groups if g.request["name"] == f"after-{steps}"]
        assert named == [after.chatid]
        await provider.close()
        assert client_tasks() == []
        if completed:
            break
    assert completed, f"no run finished within {MAX_STEPS} steps"
    assert cancelled >= 10


# -- the CLI: results are whole lines whatever stops the run -----------------------------

ROWS = 60


def write_csv(path: Path) -> Path:
    rows = "".join(f"cut{number},manager4220,u1\n" for number in range(ROWS))
    path.write_text("name,owner,useridlist\n" + rows, encoding="utf-8")
    return path


def whole_records(path: Path) -> list[dict[str, object]]:
    """Every record of a results file (past its run header), each of which must be complete
    JSON ending in a newline."""
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), "the last record is torn"
    lines = [json.loads(line) for line in raw.decode().splitlines()]
    return [line for line in lines if not is_run_header(line)]


async def results_reach(path: Path, count: int) -> None:
    """Wait for `count` records, the run header (the first line) not counted."""
    await eventually(
        lambda: path.exists() and path.read_bytes().count(b"\n") >= count + 1, within=30
    )


@pytest.mark.parametrize(
    ("signals", "after"),
    [
        pytest.param([signal.SIGKILL], 1, id="killed after the first record"),
        pytest.param([signal.SIGINT, signal.SIGINT], 12, id="Ctrl-C twice: abandon"),
    ],
)
async def test_an_interrupted_bulk_run_leaves_whole_lines_and_resume_finishes_it(
    tmp_path: Path,
    emulator: DingTalkEmulator,
    signals: list[signal.Signals],
    after: int,
) -> None:
    source = write_csv(tmp_path / "in.csv")
    results = tmp_path / "out.jsonl"
    emulator.faults_for("im.group.create").set_rates({Fault.SLOW: 0.5}, seed=5, latency=(0.1, 0.3))
    args = ["bulk", str(source), "--results", str(results), "--rate", "0", "--concurrency", "5"]
    process = await start_cli(emulator, args)
    await results_reach(results, after)
    for signum in signals:
        process.send_signal(signum)
        await asyncio.sleep(0.05)
    await finish(process)
    interrupted = whole_records(results)
    assert after <= len(interrupted) < ROWS

    emulator.faults_for("im.group.create").clear()
    await asyncio.sleep(0.4)  # calls the first run left behind finish on the server
    resumed = await run_cli(emulator, [*args, "--resume"])
    assert resumed.code in (0, 1), resumed.output  # 1: some outcomes stay unknown
    final = {record["line"]: record for record in whole_records(results)}
    assert sorted(final) == list(range(2, ROWS + 2)), "one record per input"
    assert {record["status"] for record in final.values()} <= {"created", "unknown"}
    made = Counter(group.request["name"] for group in emulator.groups)
    assert max(made.values()) == 1, "no input was created twice"
    created = {record["name"] for record in final.values() if record["status"] == "created"}
    assert created <= set(made)

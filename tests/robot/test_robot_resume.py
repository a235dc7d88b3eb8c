"""A bulk announcement (examples/announce.py, a real process) killed with SIGKILL while
messages are in flight, then run again: every group holds the message exactly once,
counted on the emulator. Also the quota stop and a refusal, resumed."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from dingtalk_im_async import GroupService
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import cli_env
from tests.support.examples_support import EXAMPLES
from tests.support.robot_support import SEND_API, new_group

GROUPS = 60
CONCURRENCY = 10
#: Each send is held this long by the emulator, so the run's calls pile up in flight.
HELD_SECONDS = 0.4


async def start_announce(
    emulator: DingTalkEmulator, groups_file: Path, *extra: str
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "announce.py"),
        str(groups_file),
        "--concurrency",
        str(CONCURRENCY),
        "--rate",
        "0",
        *extra,
        env=cli_env(emulator),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def finish(process: asyncio.subprocess.Process) -> tuple[int, str]:
    stdout, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, stdout.decode()


def summary_figures(output: str) -> dict[str, int]:
    """The counts of the run's summary, e.g. {"sent now": 30, "unknown": 10, ...}."""
    return {
        name: int(count)
        for name, count in re.findall(r"^  ([a-z ]+?) +(\d+)", output, re.MULTILINE)
    }


def posts(emulator: DingTalkEmulator) -> Counter[str]:
    return Counter({group.open_conversation_id: len(group.messages) for group in emulator.store})


def sends_in_flight(emulator: DingTalkEmulator) -> int:
    return sum(1 for entry in emulator.requests if entry.api == SEND_API and entry.status is None)


async def groups_file(groups: GroupService, path: Path) -> Path:
    made = [await new_group(groups, f"群{number:03d}") for number in range(GROUPS)]
    return write_lines(path, [group.open_conversation_id for group in made])


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


async def test_sigkill_mid_announcement_then_resume_posts_each_message_once(
    groups: GroupService, emulator: DingTalkEmulator, tmp_path: Path
) -> None:
    source = await groups_file(groups, tmp_path / "groups.txt")
    emulator.delay_next(GROUPS, seconds=HELD_SECONDS, api=SEND_API)
    process = await start_announce(emulator, source)
    deadline = time.monotonic() + 30
    # Kill once some messages are posted and every slot of the run is a call the emulator
    # holds: messages are then in flight, whose outcome the process never learns.
    while sum(posts(emulator).values()) < 15 or sends_in_flight(emulator) < CONCURRENCY:
        assert time.monotonic() < deadline, "the run never had all its calls in flight"
        assert process.returncode is None
        await asyncio.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    assert process.returncode == -signal.SIGKILL
    while sends_in_flight(emulator):  # the calls the emulator held are carried out
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    first_run = sum(posts(emulator).values())
    assert 15 <= first_run < GROUPS
    emulator.faults_for(SEND_API).clear()

    code, output = await finish(await start_announce(emulator, source))
    counts = posts(emulator)
    assert set(counts.values()) == {1}, [group for group, count in counts.items() if count != 1]
    assert len(counts) == GROUPS
    assert emulator.calls(SEND_API) == GROUPS  # no message was even attempted twice
    # The messages in flight at the kill are in their groups, but the journal cannot know:
    # the second run lists them as unknown instead of sending them again.
    figures = summary_figures(output)
    assert figures["sent now"] == GROUPS - first_run
    assert figures["already sent"] + figures["unknown"] == first_run
    assert figures["unknown"] >= CONCURRENCY  # at least the calls in flight
    assert code == 1
    print(output)


async def test_a_run_stopped_by_the_quota_or_refused_finishes_next_time(
    groups: GroupService, emulator: DingTalkEmulator, tmp_path: Path
) -> None:
    source = await groups_file(groups, tmp_path / "groups.txt")
    emulator.configure(monthly_call_quota=emulator.quota_used + 25)  # 25 calls left this month
    first = source.read_text(encoding="utf-8").split()[0]
    stored = emulator.store.by_open_conversation_id(first)
    assert stored is not None
    stored.robots.clear()  # the robot is not in the first group yet
    code, output = await finish(await start_announce(emulator, source, "--concurrency", "1"))
    print(output)
    assert code == 1
    assert "stopped: the organisation's monthly API call quota is spent" in output
    assert "invalidParameter.robotCode.empty" in output
    assert sum(posts(emulator).values()) == 24  # 25 calls: one refused, 24 posted

    emulator.quota_used = 0  # next month, with the robot added
    stored.robots.add(emulator.robot_code)
    code, output = await finish(await start_announce(emulator, source))
    print(output)
    assert code == 0
    assert set(posts(emulator).values()) == {1}
    assert summary_figures(output)["already sent"] == 24
    journal = [
        json.loads(line)
        for line in (tmp_path / "groups.txt.journal").read_text(encoding="utf-8").splitlines()
    ]
    assert {entry["status"] for entry in journal} == {"sending", "sent", "refused", "not_sent"}

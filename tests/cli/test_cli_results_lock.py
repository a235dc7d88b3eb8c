"""One run per results file: a second `dingtalk-im bulk` on the same results refuses (exit 2),
naming the file and the holder; a run killed outright leaves no lock that blocks the next."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

from dingtalk_im_async.testing import DingTalkEmulator
from tests.cli.test_cli_resume import created_names, wait_for, write_csv
from tests.support.cli_subprocess import finish, run_cli, start_cli
from tests.support.results_file import outcome_records

COUNT = 30


async def test_a_second_resume_on_the_same_results_refuses_and_names_the_holder(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 5)
    results = tmp_path / "in.csv.results.jsonl"
    first = await run_cli(emulator, ["bulk", str(source)])  # an earlier run: the first 5
    assert first.code == 0, first.output
    write_csv(source, COUNT)

    holder = await start_cli(emulator, ["bulk", str(source), "--resume", "--rate", "4"])
    await wait_for(lambda: len(emulator.groups) >= 7)
    second = await run_cli(emulator, ["bulk", str(source), "--resume", "--rate", "4"])
    finished = await finish(holder)

    assert second.code == 2, second.output
    assert str(results) in second.output
    assert f"pid {holder.pid} on " in second.output
    assert "Traceback" not in second.output
    assert finished.code == 0, finished.output
    assert created_names(emulator) == Counter(f"g{n}" for n in range(COUNT))
    assert sorted(record["line"] for record in outcome_records(results)) == list(
        range(2, COUNT + 2)
    )
    assert not (tmp_path / "in.csv.results.jsonl.lock").exists()


async def test_a_run_killed_outright_does_not_block_the_next(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", COUNT)
    killed = await start_cli(emulator, ["bulk", str(source), "--rate", "10"])
    await wait_for(lambda: len(emulator.groups) >= 3)
    killed.send_signal(signal.SIGKILL)
    await finish(killed)
    assert (tmp_path / "in.csv.results.jsonl.lock").exists()  # left behind, but not locked

    before = len(emulator.groups)
    resumed = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert resumed.code in (0, 1), resumed.output
    assert "in use" not in resumed.output
    assert len(emulator.groups) > before
    assert max(created_names(emulator).values()) == 1

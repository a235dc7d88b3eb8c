"""`dingtalk-im bulk --resume`: an interrupted or crashed run reruns without duplicates."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from dingtalk_im_async.cli import main
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.support.cli_subprocess import finish, run_cli, start_cli
from tests.support.results_file import outcome_records

HEADER = "name,owner,useridlist\n"
NO_CREDENTIALS = {"DINGTALK_APP_KEY": None, "DINGTALK_APP_SECRET": None, "DINGTALK_BASE_URL": None}
COUNT = 40


def write_csv(path: Path, count: int = COUNT) -> Path:
    path.write_text(HEADER + "".join(f"g{n},m,u\n" for n in range(count)), encoding="utf-8")
    return path


def results_of(path: Path) -> list[dict[str, Any]]:
    return outcome_records(path)


def created_names(emulator: DingTalkEmulator) -> Counter[str]:
    return Counter(group.request["name"] for group in emulator.groups)


async def wait_for(condition: Any, timeout: float = 30) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 (the emulator has no event to wait on)
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def interrupt_with_calls_in_flight(
    emulator: DingTalkEmulator, source: Path, signum: int
) -> int:
    """Start a run; once 10 groups exist, hold the next 5 calls (all of --concurrency 5) in
    the emulator for a moment, and send `signum` while they are in flight."""
    process = await start_cli(emulator, ["bulk", str(source), "--concurrency", "5"])
    await wait_for(lambda: len(emulator.groups) >= 10)
    emulator.delay_next(5, seconds=0.5, api="im.group.create")
    calls = emulator.calls("im.group.create")
    await wait_for(lambda: emulator.calls("im.group.create") >= calls + 5)
    process.send_signal(signum)
    finished = await finish(process)
    return finished.code


async def test_ctrl_c_finishes_the_calls_in_flight_then_resume_creates_the_rest(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv")
    code = await interrupt_with_calls_in_flight(emulator, source, signal.SIGINT)
    assert code == 130
    first = results_of(tmp_path / "in.csv.results.jsonl")
    assert {record["status"] for record in first} == {"created"}, "in-flight calls were awaited"
    assert len(first) == len(emulator.groups) < COUNT
    assert not (tmp_path / "in.csv.results.jsonl.sending").exists()

    resumed = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert resumed.code == 0, resumed.output
    assert f"Skipped {len(first)} inputs" in resumed.output
    assert created_names(emulator) == Counter(f"g{n}" for n in range(COUNT))
    final = results_of(tmp_path / "in.csv.results.jsonl")
    assert sorted(record["line"] for record in final) == list(range(2, COUNT + 2))


async def test_a_crash_mid_run_never_leads_to_a_duplicate(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv")
    code = await interrupt_with_calls_in_flight(emulator, source, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert (tmp_path / "in.csv.results.jsonl.sending").exists()
    await wait_for(lambda: len(emulator.groups) >= 15)  # the held calls complete server-side

    resumed = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert resumed.code == 1, "inputs whose outcome is unknown are not counted as done"
    final = {record["line"]: record for record in results_of(tmp_path / "in.csv.results.jsonl")}
    assert sorted(final) == list(range(2, COUNT + 2)), "one record per input"
    unknown = [line for line, record in final.items() if record["status"] == "unknown"]
    assert len(unknown) == 5, "exactly the five calls in flight at the crash"
    assert created_names(emulator) == Counter(f"g{n}" for n in range(COUNT)), "no duplicates"
    assert "unknown outcome" in resumed.output


async def test_resume_sends_failed_inputs_again_but_not_created_ones(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 6)
    emulator.fail_next(2, status=500, code="system.error", api="im.group.create")
    emulator.fail_next(
        1, status=400, code="parameter.invalid", message="bad", api="im.group.create"
    )
    first = await run_cli(emulator, ["bulk", str(source), "--concurrency", "1"])
    assert first.code == 1
    statuses = Counter(record["status"] for record in results_of(tmp_path / "in.csv.results.jsonl"))
    assert statuses == {"created": 5, "failed": 1}

    again = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert again.code == 0, again.output
    final = results_of(tmp_path / "in.csv.results.jsonl")
    assert sorted(record["line"] for record in final) == list(range(2, 8))
    assert {record["status"] for record in final} == {"created"}
    assert created_names(emulator) == Counter(f"g{n}" for n in range(6))


async def test_an_undocumented_success_reply_is_unknown_and_never_resent(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 3)
    emulator.faults_for("im.group.create").schedule(
        Fault.TRUNCATED_JSON
    )  # the group is created, the reply is cut
    first = await run_cli(emulator, ["bulk", str(source), "--concurrency", "1"])
    assert first.code == 1
    statuses = Counter(record["status"] for record in results_of(tmp_path / "in.csv.results.jsonl"))
    assert statuses == {"created": 2, "unknown": 1}

    again = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert created_names(emulator) == Counter(f"g{n}" for n in range(3)), "no duplicate"
    assert again.code == 1, again.output


async def test_a_torn_record_and_the_journal_keep_resume_safe(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    """As a crash leaves them: line 2 recorded, line 3 sent but its record torn in half."""
    source = write_csv(tmp_path / "in.csv", 4)
    results = tmp_path / "in.csv.results.jsonl"
    results.write_text(
        '{"line": 2, "name": "g0", "status": "created", "openConversationId": "cidA==",'
        ' "chatid": "chatA", "conversationTag": 2}\n'
        '{"line": 3, "name": "g1", "status": "crea',
        encoding="utf-8",
    )
    (tmp_path / "in.csv.results.jsonl.sending").write_text(
        '{"line": 2, "name": "g0"}\n{"line": 3, "name": "g1"}\n', encoding="utf-8"
    )
    resumed = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert resumed.code == 1
    final = {record["line"]: record["status"] for record in results_of(results)}
    assert final == {2: "created", 3: "unknown", 4: "created", 5: "created"}
    assert created_names(emulator) == Counter(["g2", "g3"])

    retried = await run_cli(emulator, ["bulk", str(source), "--resume", "--retry-unknown"])
    assert retried.code == 0, retried.output
    assert created_names(emulator) == Counter(["g1", "g2", "g3"])


async def test_an_earlier_run_is_not_overwritten_by_accident(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 2)
    assert (await run_cli(emulator, ["bulk", str(source)])).code == 0
    refused = await run_cli(emulator, ["bulk", str(source)])
    assert refused.code == 2
    assert "--resume" in refused.output
    assert len(emulator.groups) == 2
    assert (await run_cli(emulator, ["bulk", str(source), "--overwrite"])).code == 0
    assert len(emulator.groups) == 4


async def test_resume_refuses_to_guess_when_the_input_changed(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 3)
    assert (await run_cli(emulator, ["bulk", str(source)])).code == 0
    source.write_text(HEADER + "g0,m,u\ninserted,m,u\ng1,m,u\ng2,m,u\n", encoding="utf-8")
    resumed = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert resumed.code == 2
    assert "line 3: recorded 'g1', now 'inserted'" in resumed.output
    assert created_names(emulator) == Counter(["g0", "g1", "g2"]), "nothing sent twice"
    source.write_text(HEADER + "g0,m,u\ng1,m,u\ng2,m,u\nappended,m,u\n", encoding="utf-8")
    appended = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert appended.code == 0, appended.output
    assert created_names(emulator) == Counter(["g0", "g1", "g2", "appended"])


def test_resume_in_process_skips_created_and_journaled_lines(tmp_path: Path) -> None:
    """The same bookkeeping without a subprocess: a failed line is fixed, then resumed."""
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "g0,m,u\ng1,m,\ng2,m,u\n", encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(main, ["bulk", str(source), "--emulator"], env=NO_CREDENTIALS)
    assert first.exit_code == 1
    source.write_text(HEADER + "g0,m,u\ng1,m,u\ng2,m,u\ng3,m,u\n", encoding="utf-8")
    journal = tmp_path / "in.csv.results.jsonl.sending"
    journal.write_text('{"line": 5, "name": "g3"}\n', encoding="utf-8")
    resumed = runner.invoke(
        main, ["bulk", str(source), "--emulator", "--resume"], env=NO_CREDENTIALS
    )
    assert resumed.exit_code == 1, resumed.output
    assert "Skipped 2 inputs created by an earlier run" in resumed.output
    assert "1 inputs have an unknown outcome" in resumed.output
    final = {r["line"]: r["status"] for r in results_of(tmp_path / "in.csv.results.jsonl")}
    assert final == {2: "created", 3: "created", 4: "created", 5: "unknown"}
    assert not journal.exists()

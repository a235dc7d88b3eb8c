"""`dingtalk-im bulk`: CSV and JSON Lines in, one results record per input out, bad lines
reported by number while the rest run, pacing, and the exit code."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from dingtalk_im_async.cli import main
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import run_cli
from tests.support.results_file import outcome_records

ROOT = Path(__file__).resolve().parents[2]
NO_CREDENTIALS = {"DINGTALK_APP_KEY": None, "DINGTALK_APP_SECRET": None, "DINGTALK_BASE_URL": None}
HEADER = "name,owner,useridlist,conversationTag,searchable\n"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=NO_CREDENTIALS)
    return result.exit_code, result.output


def write_csv(path: Path, count: int, *, header: str = HEADER) -> Path:
    rows = "".join(f"group {n},owner{n},u{n};v{n},2,1\n" for n in range(count))
    path.write_text(header + rows, encoding="utf-8")
    return path


def results_of(path: Path) -> list[dict[str, Any]]:
    return outcome_records(path)


def test_the_shipped_example_runs_against_the_emulator(tmp_path: Path) -> None:
    example = shutil.copy(ROOT / "examples" / "groups.csv", tmp_path / "groups.csv")
    code, output = invoke("bulk", str(example), "--emulator")
    assert code == 0, output
    records = results_of(tmp_path / "groups.csv.results.jsonl")
    inputs = (ROOT / "examples" / "groups.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(records) == len(inputs)
    assert {record["status"] for record in records} == {"created"}
    assert sorted(record["line"] for record in records) == list(range(2, len(inputs) + 2))
    assert f"Created {len(inputs)} groups" in output


def test_results_record_line_name_and_ids(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 5)
    results = tmp_path / "out" / "custom.jsonl"
    results.parent.mkdir()
    code, output = invoke("bulk", str(source), "--emulator", "--results", str(results))
    assert code == 0, output
    records = sorted(results_of(results), key=lambda record: record["line"])
    assert [record["line"] for record in records] == [2, 3, 4, 5, 6]
    assert [record["name"] for record in records] == [f"group {n}" for n in range(5)]
    for record in records:
        assert record["openConversationId"].startswith("cid")
        assert record["chatid"].startswith("chat")
        assert record["conversationTag"] == 2
    assert not (tmp_path / "in.csv.results.jsonl").exists()


async def test_csv_fields_reach_the_wire(tmp_path: Path, emulator: DingTalkEmulator) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "name,owner,owner_type,useridlist,conversation_tag,extidlist,icon,"
        "mentionAllAuthority,show_history_type,validationType,searchable,"
        "chatBannedType,management_type\n"
        "项目群,m1,emp,u1; u2 ;u3,2,e1,@media,1,1,0,1,0,1\n"
        "plain,m2,,u9,,,,,,,,,\n",
        encoding="utf-8",
    )
    finished = await run_cli(emulator, ["bulk", str(source), "--concurrency", "1"])
    assert finished.code == 0, finished.output
    bodies = {group.request["name"]: group.request for group in emulator.groups}
    assert bodies["项目群"] == {
        "name": "项目群",
        "owner": "m1",
        "ownerType": "emp",
        "useridlist": ["u1", "u2", "u3"],
        "conversationTag": 2,
        "extidlist": ["e1"],
        "icon": "@media",
        "managementOptions": {
            "mentionAllAuthority": 1,
            "showHistoryType": 1,
            "validationType": 0,
            "searchable": 1,
            "chatBannedType": 0,
            "managementType": 1,
        },
    }
    assert bodies["plain"] == {"name": "plain", "owner": "m2", "useridlist": ["u9"]}


async def test_json_lines_take_wire_or_snake_names(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"name": "wire", "owner": "m", "ownerType": "ext", "useridlist": ["u"],
         "managementOptions": {"searchable": 1, "chatBannedType": 1}},
        {"name": "snake", "owner": "m", "owner_type": "emp", "useridlist": ["u"],
         "management_options": {"show_history_type": 1}, "conversation_tag": 2},
    ]  # fmt: skip
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    finished = await run_cli(emulator, ["bulk", str(source)])
    assert finished.code == 0, finished.output
    bodies = {group.request["name"]: group.request for group in emulator.groups}
    assert bodies["wire"]["ownerType"] == "ext"
    assert bodies["wire"]["managementOptions"] == {"searchable": 1, "chatBannedType": 1}
    assert bodies["snake"]["managementOptions"] == {"showHistoryType": 1}
    assert bodies["snake"]["conversationTag"] == 2


def test_bad_lines_are_reported_by_number_and_the_rest_run(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        HEADER
        + "good 1,m,u,2,1\n"  # line 2
        + "this name is far too long for dingtalk,m,u,2,1\n"  # line 3
        + "good 2,m,u,2,1\n"  # line 4
        + "no users,m,,2,1\n"  # line 5
        + "short,m\n"  # line 6
        + "\n"  # line 7: blank, skipped
        + "bad tag,m,u,5,1\n"  # line 8
        + "good 3,m,u,2,1\n",  # line 9
        encoding="utf-8",
    )
    code, output = invoke("bulk", str(source), "--emulator")
    assert code == 1
    records = {record["line"]: record for record in results_of(tmp_path / "in.csv.results.jsonl")}
    assert sorted(records) == [2, 3, 4, 5, 6, 8, 9]
    assert {line for line, r in records.items() if r["status"] == "created"} == {2, 4, 9}
    for line in (3, 5, 6, 8):
        assert records[line]["status"] == "invalid"
        assert f"line {line}:" in output
    assert "name" in records[3]["message"]
    assert "useridlist" in records[5]["message"]
    assert "conversation_tag" in records[8]["message"]


def test_bad_json_lines_are_reported_by_number(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"name": "a", "owner": "m", "useridlist": ["u"]}\n'
        "{not json\n"
        "[1, 2]\n"
        '{"name": "b", "owner": "m", "useridlist": ["u"], "colour": "red"}\n'
        '{"name": "c", "owner": "m", "useridlist": ["u"]}\n',
        encoding="utf-8",
    )
    code, output = invoke("bulk", str(source), "--emulator")
    assert code == 1
    records = {record["line"]: record for record in results_of(tmp_path / "in.jsonl.results.jsonl")}
    assert {line: r["status"] for line, r in records.items()} == {
        1: "created",
        2: "invalid",
        3: "invalid",
        4: "invalid",
        5: "created",
    }
    assert "colour" in records[4]["message"]
    assert "line 2:" in output


def test_an_unknown_column_stops_before_anything_runs(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 2, header="nmae,owner,useridlist,conversationTag,x\n")
    code, output = invoke("bulk", str(source), "--emulator")
    assert code == 2
    assert "'nmae'" in output
    assert "known:" in output
    assert not (tmp_path / "in.csv.results.jsonl").exists()


def test_an_unknown_suffix_asks_for_the_format(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text(HEADER + "g,m,u,2,1\n", encoding="utf-8")
    code, output = invoke("bulk", str(source), "--emulator")
    assert code == 2
    assert "--format" in output
    code, output = invoke("bulk", str(source), "--emulator", "--format", "csv")
    assert code == 0, output


async def test_api_failures_are_recorded_and_exit_non_zero(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 3)
    emulator.fail_next(
        1,
        status=400,
        code="permession.checkFailed",
        message="群主不在应用可见性内",
        api="im.group.create",
    )
    finished = await run_cli(emulator, ["bulk", str(source), "--concurrency", "1"])
    assert finished.code == 1
    records = {record["line"]: record for record in results_of(tmp_path / "in.csv.results.jsonl")}
    assert records[2]["status"] == "failed"
    assert records[2]["code"] == "permession.checkFailed"
    assert records[2]["message"] == "群主不在应用可见性内"
    assert records[2]["httpStatus"] == 400
    assert records[3]["status"] == records[4]["status"] == "created"
    assert "line 2: permession.checkFailed" in finished.output


async def test_the_cli_paces_to_the_rate(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 60)
    async with DingTalkEmulator(qps_limit=40) as emulator:
        finished = await run_cli(
            emulator, ["bulk", str(source), "--rate", "40", "--rate-limited-retries", "0"]
        )
    assert finished.code == 0, finished.output
    assert emulator.rate_limited == 0
    assert len(emulator.windows("im.group.create")) >= 2
    assert max(emulator.windows("im.group.create").values()) <= 40


def test_without_credentials_it_says_how_to_give_them(tmp_path: Path) -> None:
    code, output = invoke("bulk", str(write_csv(tmp_path / "in.csv", 1)))
    assert code == 2
    assert "DINGTALK_APP_KEY" in output
    assert "--emulator" in output
    assert not (tmp_path / "in.csv.results.jsonl").exists()


def test_the_readme_main_job_runs_as_written(tmp_path: Path) -> None:
    """The README's first command ends with a `dingtalk-im` call; run exactly that."""
    first_command = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[2]
    args = shlex.split(first_command.split(".venv/bin/dingtalk-im", 1)[1])
    assert args[0] == "bulk"
    assert "--emulator" in args
    source = ROOT / args[1]
    assert source.is_file()
    results = tmp_path / "results.jsonl"
    code, output = invoke(*args[:1], str(source), *args[2:], "--results", str(results))
    assert code == 0, output
    assert "Created 24 groups" in output
    assert len(results_of(results)) == 24

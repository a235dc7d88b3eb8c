"""One run's results feed the next: create the groups of examples/groups.csv, then update,
set admins and announce from the create's results file (`--from-results`, `--set`); and
the sample inputs of every operation under examples/ run as they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import run_cli
from tests.support.examples_support import EXAMPLES


def records(path: Path) -> list[dict[str, Any]]:
    """The outcome records of a results file (its first line is the run's header)."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [record for record in lines if "line" in record]


async def create_the_example_groups(emulator: DingTalkEmulator, tmp_path: Path) -> Path:
    results = tmp_path / "groups.results.jsonl"
    created = await run_cli(
        emulator,
        ["bulk", str(EXAMPLES / "groups.csv"), "--results", str(results), "--rate", "0"],
    )
    assert created.code == 0, created.output
    return results


async def test_update_admins_and_send_from_a_creates_results(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    created = await create_the_example_groups(emulator, tmp_path)
    chatids = [record["chatid"] for record in records(created)]
    steps = [
        ("update", ["--set", "add_useridlist=alice;bob"], "Updated 24 groups"),
        ("sub-admins", ["--set", "userIds=alice", "--set", "role=2"], "Changed 24 groups' admins"),
        (
            "send",
            ["--set", "msgKey=sampleText", "--set", 'msgParam={"content":"欢迎"}'],
            "Sent 24 messages",
        ),
    ]
    for operation, presets, summary in steps:
        results = tmp_path / f"{operation}.results.jsonl"
        done = await run_cli(
            emulator,
            [
                "bulk",
                str(created),
                "--from-results",
                "--operation",
                operation,
                *presets,
                "--results",
                str(results),
                "--rate",
                "0",
            ],
        )
        assert done.code == 0, done.output
        assert f"{summary} in " in done.output
        assert {record["status"] for record in records(results)} == {"ok"}
    for chatid in chatids:
        group = emulator.store.by_chatid(chatid)
        assert group is not None
        assert {"alice", "bob"} <= set(group.members)
        assert group.sub_admins == {"alice"}
        assert [message.msg_param for message in group.messages] == [{"content": "欢迎"}]


async def test_records_the_earlier_run_did_not_finish_are_invalid_and_named(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    group = await emulator.add_group(name="g", owner="m", members=["u"])
    earlier = tmp_path / "earlier.results.jsonl"
    earlier.write_text(
        json.dumps({"line": 2, "name": "g", "status": "created", "chatid": group.chatid})
        + "\n"
        + json.dumps({"line": 3, "name": "h", "status": "failed", "code": "x", "message": "y"})
        + "\n",
        encoding="utf-8",
    )
    done = await run_cli(
        emulator,
        ["bulk", str(earlier), "--from-results", "--operation", "update", "--set", "name=新名"],
    )
    assert done.code == 1, done.output
    assert "line 2: the earlier run did not finish it (status failed)" in done.output
    assert "1 updated, 0 failed, 1 invalid, 0 unknown" in done.output
    assert group.name == "新名"


async def test_a_key_given_by_the_record_and_by_set_is_refused_for_that_record(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    group = await emulator.add_group(name="g", owner="m", members=["u"])
    source = tmp_path / "rename.csv"
    source.write_text(f"chatid,name\n{group.chatid},a\n", encoding="utf-8")
    done = await run_cli(
        emulator, ["bulk", str(source), "--operation", "update", "--set", "name=b"]
    )
    assert done.code == 1, done.output
    assert "line 2: name: given twice" in done.output
    assert group.name == "g"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--set", "nope=1"], "expected KEY=VALUE with one of these keys"),
        (["--set", "role=two"], "role: expected a whole number"),
        (["--from-results", "--operation", "create"], "create takes nothing from results"),
    ],
)
async def test_a_bad_set_or_from_results_is_a_usage_error(
    tmp_path: Path, emulator: DingTalkEmulator, arguments: list[str], message: str
) -> None:
    source = tmp_path / "admins.csv"
    source.write_text("openConversationId,userIds,role\ncid1,u,2\n", encoding="utf-8")
    operation = [] if "--operation" in arguments else ["--operation", "sub-admins"]
    done = await run_cli(emulator, ["bulk", str(source), *operation, *arguments])
    assert done.code == 2, done.output
    assert message in done.output
    assert emulator.calls("im.subAdministrators") == 0


#: The sample input of each operation, and the groups its placeholder ids stand for.
SAMPLES = {
    "updates.csv": "update",
    "sub-admins.csv": "sub-admins",
    "messages.jsonl": "send",
}


@pytest.mark.parametrize(("name", "operation"), SAMPLES.items())
async def test_the_sample_input_of_each_operation_runs_as_it_is(
    tmp_path: Path, emulator: DingTalkEmulator, name: str, operation: str
) -> None:
    for project in ("apollo", "borealis", "cassini"):
        await emulator.add_group(
            name=project,
            owner="manager4220",
            members=["user001", "user002", "user003", "user004", "user006"],
            chatid=f"chat{project:0>32}",
            open_conversation_id=f"cid{project:0>22}==",
        )
    results = tmp_path / "results.jsonl"
    done = await run_cli(
        emulator,
        ["bulk", str(EXAMPLES / name), "--operation", operation, "--results", str(results)],
    )
    assert done.code == 0, done.output
    assert [record["status"] for record in records(results)] == ["ok"] * 3

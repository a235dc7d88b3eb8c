"""`dingtalk-im bulk --operation scene-group-...` as a real process: the run header, dedup keys
from the run id and the line, and a run killed with SIGKILL and resumed that ends with
exactly one group per input, the unknown outcomes included."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from collections import Counter
from pathlib import Path
from typing import Any

from dingtalk_im_async import SceneGroupService
from dingtalk_im_async.cli._operations import OPERATIONS, SCENE_GROUP_OPERATIONS
from dingtalk_im_async.cli._run_header import read_run
from dingtalk_im_async.testing import DingTalkEmulator
from tests.scenegroups.conftest import create_request
from tests.support.cli_subprocess import finish, run_cli, start_cli
from tests.support.results_file import outcome_records
from tests.support.stream_support import eventually

CREATE_API = "im.sceneGroup.create"
HEADER = "title,template_id,owner_user_id,user_ids\n"
COUNT = 30
TWINS = (6, 7)  # two identical rows (lines 6 and 7): two groups all the same


def write_rows(path: Path, count: int = COUNT) -> Path:
    rows = [f"群{n},tpl,boss,u{n};v{n}\n" for n in range(count)]
    if count > TWINS[1] - 2:
        rows[TWINS[1] - 2] = rows[TWINS[0] - 2]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def scene_create(source: Path, *more: str) -> list[str]:
    return ["bulk", str(source), "--operation", "scene-group-create", *more]


async def test_scene_group_operations_are_bulk_operations() -> None:
    assert {op.name for op in SCENE_GROUP_OPERATIONS} == {
        "scene-group-create",
        "scene-group-update",
        "scene-group-add-members",
        "scene-group-remove-members",
        "scene-group-disband",
    }
    assert all(OPERATIONS[op.name] is op for op in SCENE_GROUP_OPERATIONS)
    assert all(op.repeat_safe for op in SCENE_GROUP_OPERATIONS)
    assert OPERATIONS["scene-group-create"].dedup_key == "uuid"
    assert not OPERATIONS["create"].repeat_safe  # group/create has no dedup key


async def test_a_run_records_its_id_first_and_derives_keys_from_it_and_the_line(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_rows(tmp_path / "in.csv", 8)
    done = await run_cli(emulator, scene_create(source))
    assert done.code == 0, done.output
    results = tmp_path / "in.csv.results.jsonl"
    first_line = json.loads(results.read_text(encoding="utf-8").splitlines()[0])
    assert set(first_line) == {"run"}
    run_id = first_line["run"]["id"]
    assert re.fullmatch(r"[0-9a-f]{32}", run_id)
    records = outcome_records(results)
    assert sorted(record["line"] for record in records) == list(range(2, 10))
    scenes = await emulator.list_scene_groups()
    assert {scene.uuid for scene in scenes} == {f"dt-{run_id}-{line}" for line in range(2, 10)}
    assert len({record["open_conversation_id"] for record in records}) == 8  # twins: two groups

    again = await run_cli(emulator, [*scene_create(source), "--overwrite"])
    assert again.code == 0, again.output
    assert read_run(results) is not None
    assert read_run(results) != {"id": run_id}  # a new run, new keys
    assert len(await emulator.list_scene_groups()) == 16


async def test_killed_mid_run_and_resumed_ends_with_one_group_per_input(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    """SIGKILL with creates in flight: their outcome is unknown (the groups are made after
    the process died). `--resume` sends them again with the same keys, derived from the run
    id in the results file and their lines, and the emulator finds the groups they made."""
    source = write_rows(tmp_path / "in.csv")
    results = tmp_path / "in.csv.results.jsonl"
    process = await start_cli(emulator, scene_create(source, "--concurrency", "5"))
    await eventually(lambda: emulator.calls(CREATE_API) >= 10, timeout=30)
    emulator.delay_next(5, seconds=1, api=CREATE_API)  # the next five are in flight...
    calls = emulator.calls(CREATE_API)
    await eventually(lambda: emulator.calls(CREATE_API) >= calls + 5, timeout=30)
    process.send_signal(signal.SIGKILL)  # ...when the process dies
    killed = await finish(process)
    assert killed.code == -signal.SIGKILL
    run = read_run(results)
    assert run is not None
    journal = results.with_name(results.name + ".sending")
    in_flight = {json.loads(line)["line"] for line in journal.read_text().splitlines()}
    in_flight -= {record["line"] for record in outcome_records(results)}
    assert len(in_flight) >= 5
    await asyncio.sleep(1.3)  # the held creates finish on the server: their groups exist
    assert len(await emulator.list_scene_groups()) < COUNT  # the run was cut short

    resumed = await run_cli(emulator, [*scene_create(source), "--resume"])
    assert resumed.code == 0, resumed.output
    assert read_run(results) == run  # the same run, so the same keys
    records = outcome_records(results)
    assert sorted(record["line"] for record in records) == list(range(2, COUNT + 2))
    assert Counter(record["status"] for record in records) == {"ok": COUNT}
    scenes = await emulator.list_scene_groups()
    assert len(scenes) == COUNT, "exactly one group per input"
    by_uuid = {scene.uuid: scene.open_conversation_id for scene in scenes}
    for record in records:  # each input's record names the group its key made
        assert by_uuid[f"dt-{run['id']}-{record['line']}"] == record["open_conversation_id"]
    twins = [scene for scene in scenes if scene.group.name == f"群{TWINS[0] - 2}"]
    assert len(twins) == 2
    assert emulator.calls(CREATE_API) > COUNT  # the unknown ones really were sent again


async def test_resuming_a_file_without_a_run_header_does_not_resend_unknown_creates(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    """A results file from before run headers: the keys its sends carried cannot be derived
    again, so an unknown outcome stays unknown (as for any create), and the file gets a
    header for the run that continues it."""
    source = write_rows(tmp_path / "in.csv", 2)
    results = tmp_path / "in.csv.results.jsonl"
    old = {"line": 2, "name": "群0", "status": "unknown", "code": "Abandoned", "message": "m"}
    results.write_text(json.dumps(old, ensure_ascii=False) + "\n", encoding="utf-8")
    resumed = await run_cli(emulator, [*scene_create(source), "--resume"])
    assert resumed.code == 1, resumed.output  # the unknown one is reported, not resent
    assert [scene.group.name for scene in await emulator.list_scene_groups()] == ["群1"]
    assert read_run(results) is not None


async def test_update_members_and_disband_in_bulk(
    tmp_path: Path, emulator: DingTalkEmulator, scene_groups: SceneGroupService
) -> None:
    made = [await scene_groups.create(create_request(f"群{n}")) for n in range(3)]
    ids = [group.open_conversation_id for group in made]

    async def run_op(operation: str, rows: list[dict[str, Any]]) -> None:
        source = tmp_path / f"{operation}.jsonl"
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        source.write_text(text, encoding="utf-8")
        done = await run_cli(emulator, ["bulk", str(source), "--operation", operation])
        assert done.code == 0, done.output
        records = outcome_records(source.with_name(source.name + ".results.jsonl"))
        assert {record["status"] for record in records} == {"ok"}

    await run_op(
        "scene-group-update", [{"open_conversation_id": cid, "title": "改名"} for cid in ids]
    )
    added = [{"open_conversation_id": cid, "user_ids": ["x", "y"]} for cid in ids]
    await run_op("scene-group-add-members", added)
    removed = [{"open_conversation_id": cid, "user_ids": "x"} for cid in ids]
    await run_op("scene-group-remove-members", removed)
    await run_op("scene-group-disband", [{"openConversationId": cid} for cid in ids[:2]])
    scenes = {
        scene.open_conversation_id: scene.group for scene in await emulator.list_scene_groups()
    }
    assert {group.name for group in scenes.values()} == {"改名"}
    for group in scenes.values():
        assert group.members[-1] == "y"
        assert "x" not in group.members
    assert [scenes[cid].disbanded for cid in ids] == [True, True, False]

"""`dingtalk-im bulk --operation ...`: any operation from a file, with the same journal,
results, verdicts and `--resume` as create, checked on the emulator's side."""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

from dingtalk_im_async import CreateGroupRequest, CreateGroupResult, GroupService
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.conftest import app_provider
from tests.support.cli_subprocess import finish, run_cli, start_cli
from tests.support.results_file import outcome_records
from tests.support.token_helpers import eventually

SEND_API = "robot.groupMessages.send"
UPDATE_API = "im.group.update"


def records(path: Path) -> list[dict[str, Any]]:
    return outcome_records(path)


async def make_groups(emulator: DingTalkEmulator, count: int) -> list[CreateGroupResult]:
    async with aiohttp.ClientSession() as session:
        groups = GroupService(
            session, app_provider(emulator, session), base_url=emulator.base_url, rate_limit=None
        )
        return [
            await groups.create(CreateGroupRequest(name=f"g{n}", owner="m", useridlist=["u"]))
            for n in range(count)
        ]


async def test_bulk_update_adds_people_to_every_group_and_resends_unknown_ones(
    tmp_path: Path,
) -> None:
    async with DingTalkEmulator() as emulator:
        created = await make_groups(emulator, 8)
        source = tmp_path / "add.csv"
        source.write_text(
            "chatid,add_useridlist\n" + "".join(f"{g.chatid},alice;bob\n" for g in created),
            encoding="utf-8",
        )
        # Applied, then the reply is lost: unknown, and an update is safe to repeat.
        emulator.faults_for(UPDATE_API).schedule(Fault.DROPPED_MID_RESPONSE, 2)
        done = await run_cli(
            emulator, ["bulk", str(source), "--operation", "update", "--rate", "0"]
        )
        assert done.code == 0, done.output
        assert "update: 8 inputs done" in done.output
        results = records(source.with_name("add.csv.results.jsonl"))
        assert {record["status"] for record in results} == {"ok"}
        assert [record["name"] for record in sorted(results, key=lambda r: r["line"])] == [
            g.chatid for g in created
        ]
        for group in created:
            stored = emulator.store.by_chatid(group.chatid)
            assert stored is not None
            assert Counter(stored.members) == Counter(["m", "u", "alice", "bob"])
        assert emulator.calls(UPDATE_API) == 10  # 8, and the 2 whose reply was lost, again


async def test_bulk_update_resume_sends_unknown_outcomes_again(tmp_path: Path) -> None:
    async with DingTalkEmulator() as emulator:
        created = await make_groups(emulator, 3)
        source = tmp_path / "rename.jsonl"
        source.write_text(
            "".join(
                json.dumps({"chatid": g.chatid, "name": f"renamed-{n}"}) + "\n"
                for n, g in enumerate(created)
            ),
            encoding="utf-8",
        )
        emulator.faults_for(UPDATE_API).schedule(Fault.DROPPED_MID_RESPONSE, 2)
        first = await run_cli(
            emulator,
            ["bulk", str(source), "--operation", "update", "--rate-limited-retries", "0"],
        )
        assert first.code == 1, first.output
        results = source.with_name("rename.jsonl.results.jsonl")
        assert sorted(r["status"] for r in records(results)) == ["ok", "unknown", "unknown"]
        assert "--resume sends them again" in first.output
        again = await run_cli(emulator, ["bulk", str(source), "--operation", "update", "--resume"])
        assert again.code == 0, again.output
        assert sorted(r["status"] for r in records(results)) == ["ok", "ok", "ok"]
        names = [emulator.store.by_chatid(g.chatid).name for g in created]  # type: ignore[union-attr]
        assert names == ["renamed-0", "renamed-1", "renamed-2"]


async def test_bulk_sub_admins_from_a_file(tmp_path: Path) -> None:
    async with DingTalkEmulator() as emulator:
        created = await make_groups(emulator, 2)
        source = tmp_path / "admins.jsonl"
        source.write_text(
            "".join(
                json.dumps(
                    {"openConversationId": g.open_conversation_id, "userIds": ["u"], "role": 2}
                )
                + "\n"
                for g in created
            ),
            encoding="utf-8",
        )
        done = await run_cli(emulator, ["bulk", str(source), "--operation", "sub-admins"])
        assert done.code == 0, done.output
        for group in created:
            stored = emulator.store.by_chatid(group.chatid)
            assert stored is not None
            assert "u" in stored.sub_admins


async def test_an_unknown_column_for_the_operation_is_one_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("chatid,useridlist\nchat1,u\n", encoding="utf-8")
    async with DingTalkEmulator() as emulator:
        done = await run_cli(emulator, ["bulk", str(source), "--operation", "update"])
    assert done.code == 2
    assert "unknown column(s) 'useridlist' for update" in done.output
    assert emulator.calls(UPDATE_API) == 0


async def test_an_announcement_killed_mid_run_and_resumed_posts_each_message_once(
    tmp_path: Path,
) -> None:
    """SIGKILL with sends in flight, then `--resume`: no group holds its message twice, and
    every group holds it once unless its send's outcome is unknown (reported, not resent)."""
    async with DingTalkEmulator() as emulator:
        created = await make_groups(emulator, 30)
        source = tmp_path / "announce.jsonl"
        message = json.dumps({"content": "今晚 22:00 维护"})
        source.write_text(
            "".join(
                json.dumps(
                    {
                        "openConversationId": g.open_conversation_id,
                        "msgKey": "sampleText",
                        "msgParam": message,
                    }
                )
                + "\n"
                for g in created
            ),
            encoding="utf-8",
        )
        process = await start_cli(
            emulator, ["bulk", str(source), "--operation", "send", "--concurrency", "5"]
        )
        await eventually(lambda: emulator.calls(SEND_API) >= 10)
        emulator.delay_next(5, seconds=2, api=SEND_API)  # the next calls are in flight...
        calls = emulator.calls(SEND_API)
        await eventually(lambda: emulator.calls(SEND_API) >= calls + 5)
        process.send_signal(signal.SIGKILL)  # ...when the process dies
        killed = await finish(process)
        assert killed.code == -signal.SIGKILL
        await asyncio.sleep(2.2)  # the held calls finish on the server: their messages post
        resumed = await run_cli(emulator, ["bulk", str(source), "--operation", "send", "--resume"])
        results = records(source.with_name("announce.jsonl.results.jsonl"))
    statuses = Counter(record["status"] for record in results)
    per_group = {
        g.open_conversation_id: len(emulator.store.by_chatid(g.chatid).messages)  # type: ignore[union-attr]
        for g in created
    }
    assert max(per_group.values()) == 1  # never twice
    unknown = {r["name"] for r in results if r["status"] == "unknown"}
    assert statuses["ok"] + statuses["unknown"] == 30
    assert all(per_group[cid] == 1 for cid in per_group if cid not in unknown)
    assert resumed.code == 1  # the unknown ones are reported, not resent

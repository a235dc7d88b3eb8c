"""`dingtalk-im emulator --state FILE`, `--robot`, `--api-qps-limit` and the dashboard URL,
run as a real process and stopped with a signal."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import aiohttp
import pytest

from dingtalk_im_async import CreateGroupRequest
from tests.cli.test_cli_emulator import service_for
from tests.support.emulator_process import COMMAND, emulator_process

SAVED_GROUP = {
    "chatid": "chatsaved",
    "openConversationId": "cidsaved+/==",
    "name": "saved",
    "owner": "manager4220",
    "members": ["manager4220", "u1"],
    "subAdmins": ["u1"],
    "robots": ["state-bot"],
    "messages": [
        {
            "processQueryKey": "key1",
            "robotCode": "state-bot",
            "msgKey": "sampleText",
            "msgParam": {"content": "hello"},
            "readBy": ["u1"],
        }
    ],
}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_state_file_is_loaded_and_saved_on_exit(
    tmp_path: Path, session: aiohttp.ClientSession, signum: int
) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"groups": [SAVED_GROUP]}))
    async with emulator_process(
        "--port",
        "0",
        "--state",
        str(state),
        "--robot",
        "state-bot",
        "--api-qps-limit",
        "im.group.create=40",
    ) as running:
        base = running.banner["DINGTALK_BASE_URL"]
        async with session.get(f"{base}/_emulator/groups") as reply:
            [loaded] = (await reply.json())["groups"]
        assert loaded["openConversationId"] == "cidsaved+/=="
        assert loaded["subAdmins"] == ["u1"]
        assert loaded["messages"][0]["readBy"] == ["u1"]
        assert loaded["messages"][0]["unreadBy"] == ["manager4220"]
        async with session.get(f"{base}/_emulator/credentials") as reply:
            assert (await reply.json())["robotCode"] == "state-bot"
        async with session.get(f"{base}/_emulator/qps") as reply:
            assert (await reply.json())["perApi"] == {"im.group.create": 40}
        tokens, groups = service_for(session, running.banner)
        async with tokens:
            created = await groups.create(
                CreateGroupRequest(name="new", owner="manager4220", useridlist=["u2"])
            )
        code, rest = await running.stop(signum)
    assert code == 128 + signum  # how every dingtalk-im command ends on a signal
    assert f"Saved 2 groups to {state}" in rest
    saved = json.loads(state.read_text())["groups"]
    assert [group["name"] for group in saved] == ["saved", "new"]
    assert saved[0] == {**saved[0], **{k: v for k, v in SAVED_GROUP.items() if k != "messages"}}
    assert saved[1]["openConversationId"] == created.open_conversation_id
    assert saved[1]["robots"] == ["state-bot"]


async def test_banner_names_the_dashboard_and_admin_api() -> None:
    process = await asyncio.create_subprocess_exec(
        str(COMMAND), "emulator", "--port", "0", stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        lines = []
        while not lines or "Ctrl-C" not in lines[-1]:
            lines.append((await asyncio.wait_for(process.stdout.readline(), 30)).decode())
        text = "".join(lines)
        base = next(line.split("=", 1)[1].strip() for line in lines if "DINGTALK_BASE_URL" in line)
        assert f"Dashboard: {base}/\n" in text
        assert f"Admin API: {base}/_emulator/" in text
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()


async def test_a_malformed_state_file_is_a_usage_error(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"groups": [{"name": 1}]}')
    process = await asyncio.create_subprocess_exec(
        str(COMMAND),
        "emulator",
        "--port",
        "0",
        "--state",
        str(state),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "is not an emulator state file" in err.decode()
    assert state.read_text() == '{"groups": [{"name": 1}]}'


def test_saved_groups_load_back_as_they_were(tmp_path: Path) -> None:
    """The state file round trip in process: every group field and message survives."""
    from dingtalk_im_async.emulator.state import load_state, save_state
    from dingtalk_im_async.testing import GroupStore

    state = tmp_path / "state.json"
    assert load_state(GroupStore(), state) == 0  # no file yet: no groups
    state.write_text(json.dumps({"groups": [SAVED_GROUP]}))
    store = GroupStore()
    assert load_state(store, state) == 1
    group = store.by_chatid("chatsaved")
    assert group is not None
    group.options["searchable"] = 1
    found = store.message("key1")
    assert found is not None
    assert found[1].read_by == ["u1"]
    assert save_state(store, state) == 1
    again = GroupStore()
    load_state(again, state)
    reloaded = again.by_open_conversation_id("cidsaved+/==")
    assert reloaded is not None
    assert (reloaded.sub_admins, reloaded.robots, reloaded.options["searchable"]) == (
        {"u1"},
        {"state-bot"},
        1,
    )
    state.write_text("[]")
    with pytest.raises(ValueError, match="not an emulator state file"):
        load_state(GroupStore(), state)

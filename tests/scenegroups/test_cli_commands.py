"""`dingtalk-im scene-group ...` as a real process against the emulator: a scene group's whole
life from the command line, the dedup key `create` always sends, refusals with their verdict,
bad input refused before any I/O."""

from __future__ import annotations

import json

from dingtalk_im_async.emulator.scenegroups.mute import robot_user_id
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import run_cli


async def scene(emulator: DingTalkEmulator, *args: str) -> str:
    done = await run_cli(emulator, ["scene-group", *args])
    assert done.code == 0, done.output
    return done.output


async def test_a_scene_groups_life_from_the_command_line(emulator: DingTalkEmulator) -> None:
    made = json.loads(
        await scene(
            emulator,
            "create", "--title", "项目群", "--template", "tpl", "--owner", "boss",
            "--user", "alice", "--user", "bob", "--set", "chat_banned_type=1", "--json",
        )
    )  # fmt: skip
    cid, uuid = made["open_conversation_id"], made["uuid"]
    assert len(uuid) == 32
    again = await scene(
        emulator,
        "create", "--title", "项目群", "--template", "tpl", "--owner", "boss", "--uuid", uuid,
    )  # fmt: skip
    assert f"uuid {uuid}" in again
    assert cid in again  # the same group: no second one
    assert len(await emulator.list_scene_groups()) == 1

    await scene(emulator, "add-members", cid, "--user", "carol", "--union-id", "ext1")
    await scene(emulator, "nick", cid, "--user", "alice", "--nick", "小艾")
    await scene(emulator, "add-admins", cid, "--user", "bob")
    await scene(emulator, "update", cid, "--title", "新名字", "--set", "searchable=1")
    listed = await scene(emulator, "members", cid, "--page-size", "2")
    assert listed.splitlines() == ["boss", "alice  小艾", "bob", "carol", "ext1  (unionId)"]
    muted = await scene(emulator, "mute", cid, "--user", "carol", "--minutes", "5")
    assert "muted for 5 min" in muted
    settings = await scene(emulator, "mute-settings", cid, "--user", "carol")
    assert "everyone muted  True" in settings
    assert "carol muted  True" in settings
    await scene(emulator, "unmute", cid, "--user", "carol")
    robot = await scene(emulator, "template-robot", cid, "--robot", emulator.robot_code, "--json")
    assert json.loads(robot) == {"userId": robot_user_id(emulator.robot_code)}
    assert "disbanded" in await scene(emulator, "disband", cid)
    info = json.loads(await scene(emulator, "info", cid, "--json"))
    assert (info["title"], info["status"], info["templateId"]) == ("新名字", 2, "tpl")
    [stored] = await emulator.list_scene_groups()
    assert stored.group.sub_admins == {"bob"}
    assert stored.options == {"chat_banned_type": 1, "searchable": 1}


async def test_a_refusal_prints_its_verdict_and_bad_input_sends_nothing(
    emulator: DingTalkEmulator,
) -> None:
    refused = await run_cli(emulator, ["scene-group", "info", "cidnope"])
    assert refused.code == 1
    assert "cidEncryptError" in refused.output
    assert "verdict: rejected" in refused.output
    calls = len(emulator.requests)
    bad = await run_cli(
        emulator,
        ["scene-group", "create", "--title", "x" * 31, "--template", "t", "--owner", "o"],
    )
    assert bad.code == 2
    assert "title" in bad.output
    setting = await run_cli(emulator, ["scene-group", "update", "cid1", "--set", "nope=1"])
    assert setting.code == 2
    assert "NAME=0 or NAME=1" in setting.output
    assert len(emulator.requests) == calls

"""`dingtalk-im create-group`: every request field, credentials, errors, no secrets printed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dingtalk_im_async.cli import main
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import run_cli

NO_CREDENTIALS = {"DINGTALK_APP_KEY": None, "DINGTALK_APP_SECRET": None, "DINGTALK_BASE_URL": None}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=NO_CREDENTIALS)
    return result.exit_code, result.output


def test_create_group_against_the_built_in_emulator() -> None:
    code, output = invoke(
        "create-group", "--name", "测试群", "--owner", "m1", "--user", "u1", "--emulator"
    )
    assert code == 0, output
    assert "openConversationId  cid" in output
    assert "chatid" in output


def test_create_group_prints_json_on_request() -> None:
    code, output = invoke(
        "create-group", "--name", "n", "--owner", "m", "--user", "u", "--json", "--emulator"
    )
    assert code == 0, output
    reply = json.loads(output)
    assert reply["openConversationId"].startswith("cid")
    assert reply["conversationTag"] == 2


async def test_every_option_reaches_the_request_body(emulator: DingTalkEmulator) -> None:
    finished = await run_cli(
        emulator,
        [
            "create-group",
            "--name", "测试群",
            "--owner", "manager4220",
            "--owner-type", "emp",
            "--user", "u1",
            "--user", "u2",
            "--conversation-tag", "2",
            "--ext-user", "union1",
            "--icon", "@mediaId",
            "--mention-all-authority", "1",
            "--show-history-type", "1",
            "--validation-type", "0",
            "--searchable", "1",
            "--chat-banned-type", "0",
            "--management-type", "1",
        ],
    )  # fmt: skip
    assert finished.code == 0, finished.output
    (group,) = emulator.groups
    assert group.request == {
        "name": "测试群",
        "owner": "manager4220",
        "ownerType": "emp",
        "useridlist": ["u1", "u2"],
        "conversationTag": 2,
        "extidlist": ["union1"],
        "icon": "@mediaId",
        "managementOptions": {
            "mentionAllAuthority": 1,
            "showHistoryType": 1,
            "validationType": 0,
            "searchable": 1,
            "chatBannedType": 0,
            "managementType": 1,
        },
    }
    assert group.open_conversation_id in finished.output


def test_without_credentials_it_says_how_to_give_them() -> None:
    code, output = invoke("create-group", "--name", "n", "--owner", "m", "--user", "u")
    assert code == 2
    for hint in ("DINGTALK_APP_KEY", "DINGTALK_APP_SECRET", "--app-key", "--emulator"):
        assert hint in output


def test_an_invalid_request_is_refused_before_any_io() -> None:
    code, output = invoke(
        "create-group", "--name", "x" * 21, "--owner", "m", "--user", "u", "--emulator"
    )
    assert code == 2
    assert "name: must be 1 to 20 characters" in output


@pytest.mark.parametrize("flag", ["--searchable", "--conversation-tag", "--owner-type"])
def test_option_values_outside_the_spec_are_refused(flag: str) -> None:
    code, output = invoke(
        "create-group", "--name", "n", "--owner", "m", "--user", "u", flag, "7", "--emulator"
    )
    assert code == 2
    assert flag in output


async def test_an_api_error_exits_non_zero_with_its_code(emulator: DingTalkEmulator) -> None:
    emulator.fail_next(
        1, status=400, code="parameter.invalid", message="输入参数错误", api="im.group.create"
    )
    finished = await run_cli(
        emulator, ["create-group", "--name", "n", "--owner", "m", "--user", "u"]
    )
    assert finished.code == 1
    assert "parameter.invalid" in finished.output


async def test_a_wrong_secret_is_reported_but_never_printed(emulator: DingTalkEmulator) -> None:
    secret = "wrong-secret-7f3a9c"
    finished = await run_cli(
        emulator,
        ["create-group", "--name", "n", "--owner", "m", "--user", "u", "--app-secret", secret],
    )
    assert finished.code == 1
    assert "invalidClientIdOrSecret" in finished.output
    assert secret not in finished.output
    assert emulator.app_secret not in finished.output


async def test_base_url_comes_from_the_environment(emulator: DingTalkEmulator) -> None:
    finished = await run_cli(
        emulator,
        ["create-group", "--name", "n", "--owner", "m", "--user", "u"],
        DINGTALK_BASE_URL="http://127.0.0.1:1",
    )
    assert finished.code == 1
    assert "could not connect" in finished.output
    assert emulator.calls("im.group.create") == 0

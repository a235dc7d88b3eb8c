"""`dingtalk-im send` and the bulk `send` operation: one message into one group, with the
outcome said in words, and nothing sent for a bad command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dingtalk_im_async import DingTalkClient, GroupMessage, GroupService, SendResult, Text
from dingtalk_im_async._core.wire import from_wire
from dingtalk_im_async.cli import main
from dingtalk_im_async.cli._operations import OPERATIONS, SEND_MESSAGE, Operation, register
from dingtalk_im_async.cli._rows import RowError, request_from_row
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import run_cli
from tests.support.robot_support import SEND_API, new_group, stored

NO_CREDENTIALS = {"DINGTALK_APP_KEY": None, "DINGTALK_APP_SECRET": None, "DINGTALK_BASE_URL": None}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=NO_CREDENTIALS)
    return result.exit_code, result.output


def test_send_against_the_built_in_emulator() -> None:
    code, output = invoke("send", "--group", "cidDemo==", "--text", "大家好", "--emulator")
    assert code == 0, output
    assert output.startswith("processQueryKey  ")
    code, output = invoke(
        "send",
        "--group",
        "cidDemo==",
        "--markdown",
        "**hi**",
        "--title",
        "t",
        "--json",
        "--emulator",
    )
    assert code == 0, output
    assert set(json.loads(output)) == {"processQueryKey"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "exactly one of --text, --markdown, --msg-key"),
        (["--text", "a", "--markdown", "b"], "exactly one of"),
        (["--markdown", "b"], "--markdown needs --title"),
        (["--msg-key", "sampleText"], "--msg-key and --msg-param go together"),
        (["--msg-key", "sampleText", "--msg-param", "{"], "--msg-param is not JSON"),
        (["--msg-key", "sampleLink", "--msg-param", "{}"], "msg_param.title: missing"),
        (["--text", "   "], "content: must not be empty"),
        (["--text", "字" * 5000], "at most 15000"),
    ],
)
def test_bad_messages_are_usage_errors(args: list[str], expected: str) -> None:
    code, output = invoke("send", "--group", "cidDemo==", *args, "--emulator")
    assert code == 2
    assert expected in output


async def test_the_message_lands_in_the_group(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    finished = await run_cli(
        emulator,
        [
            "send",
            "--group",
            group.open_conversation_id,
            "--msg-key",
            "sampleActionCard",
            "--msg-param",
            '{"title":"欢迎","text":"**欢迎**","singleTitle":"看看","singleURL":"https://x"}',
        ],
    )
    assert finished.code == 0, finished.output
    [posted] = stored(emulator, group).messages
    assert finished.output.split() == ["processQueryKey", posted.process_query_key]
    assert posted.msg_key == "sampleActionCard"
    assert emulator.app_secret not in finished.output


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        ("no robot", [], "Add the app's robot to the group"),
        ("", ["--robot-code", "dingsomeoneelse"], "robotCode.auth"),
        ("unknown", [], "MAY have been posted"),
    ],
)
async def test_failures_say_whether_the_message_was_posted(
    groups: GroupService, emulator: DingTalkEmulator, setup: str, args: list[str], expected: str
) -> None:
    group = await new_group(groups)
    if setup == "no robot":
        stored(emulator, group).robots.clear()
    if setup == "unknown":
        emulator.fail_next(status=400, code="unknown.send.result", message="未知", api=SEND_API)
    finished = await run_cli(
        emulator, ["send", "--group", group.open_conversation_id, "--text", "hi", *args]
    )
    assert finished.code == 1
    assert expected in finished.output
    if setup != "unknown":
        assert "nothing was posted" in finished.output
    assert stored(emulator, group).messages == []


async def test_the_bulk_send_operation_reads_records_and_posts(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    assert OPERATIONS["send"] is SEND_MESSAGE
    group = await new_group(groups)
    record = {
        "openConversationId": group.open_conversation_id,
        "msgKey": "sampleText",
        "msgParam": '{"content":"通知"}',
    }
    request = from_wire(SEND_MESSAGE.request_type, record)
    assert SEND_MESSAGE.label(request) == group.open_conversation_id
    async with DingTalkClient(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    ) as client:
        result = await SEND_MESSAGE.method(client)(request)
    assert isinstance(result, SendResult)
    assert stored(emulator, group).messages[0].msg_param == {"content": "通知"}


@pytest.mark.parametrize(
    ("row", "separator"),
    [
        (
            {
                "openConversationId": "cid1",
                "msgKey": "sampleText",
                "msgParam": '{"content":"通知"}',
            },
            ";",
        ),
        (
            {
                "open_conversation_id": "cid1",
                "msg_key": "sampleText",
                "msg_param": {"content": "通知"},
            },
            None,
        ),
    ],
)
def test_rows_become_group_messages(row: dict[str, object], separator: str | None) -> None:
    """CSV cells (msgParam a JSON string) and JSON Lines objects, through the generic reader."""
    message = request_from_row(GroupMessage, row, separator=separator, known=SEND_MESSAGE.columns)
    assert message == GroupMessage(open_conversation_id="cid1", message=Text("通知"))
    assert set(SEND_MESSAGE.required_columns or ()) <= set(SEND_MESSAGE.columns or {})


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"openConversationId": "c", "msgKey": "sampleText"}, "msg_param: missing"),
        ({"openConversationId": "c", "msgKey": "sampleText", "msgParam": "{}"}, "content"),
        ({"openConversationId": "c", "message": "hi"}, "message: not a field"),
    ],
)
def test_bad_rows_say_why(row: dict[str, object], reason: str) -> None:
    with pytest.raises(RowError, match=reason):
        request_from_row(GroupMessage, row, separator=";", known=SEND_MESSAGE.columns)


def test_an_operation_name_is_taken_once() -> None:
    with pytest.raises(ValueError, match="'send'"):
        register(
            Operation(
                name="send",
                request_type=dict,
                method=lambda client: client.robot.send,
                label=str,
                words=SEND_MESSAGE.words,
            )
        )

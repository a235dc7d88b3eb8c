"""Each bulk operation speaks its own words: the progress bar's counts and the summary agree,
an invalid record is counted apart from a refused call, and an interrupted run says how
to finish its own operation."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from pathlib import Path

import pytest

from dingtalk_im_async.cli._operations import OPERATIONS
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import finish, run_cli, start_cli

SEND_API = "robot.groupMessages.send"


async def two_groups(emulator: DingTalkEmulator) -> list[tuple[str, str]]:
    """(chatid, openConversationId) of two groups with the app's robot in them."""
    made = [await emulator.add_group(name=f"g{n}", owner="m", members=["u"]) for n in range(2)]
    return [(group.chatid, group.open_conversation_id) for group in made]


def inputs(operation: str, groups: list[tuple[str, str]]) -> str:
    """Two good records, one refused by DingTalk (an unknown group), one that cannot become a
    request: JSON Lines for the given operation."""
    good = {
        "create": lambda _chatid, _cid: {"name": "team", "owner": "m", "useridlist": ["u"]},
        "update": lambda chatid, _cid: {"chatid": chatid, "name": "renamed"},
        "sub-admins": lambda _chatid, cid: {"openConversationId": cid, "userIds": ["u"], "role": 2},
        "send": lambda _chatid, cid: {
            "openConversationId": cid,
            "msgKey": "sampleText",
            "msgParam": {"content": "hi"},
        },
    }[operation]
    records = [good(*group) for group in groups]
    refused = good("chat0unknown", "cid0unknown==")
    if operation == "create":
        refused["conversationTag"] = 0  # a normal group: the app is not whitelisted
    records.append(refused)
    records.append({"unknownKey": 1})
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


@pytest.mark.parametrize(
    ("operation", "summary", "bar"),
    [
        ("create", "Created 2 groups", "2 created"),
        ("update", "Updated 2 groups", "2 updated"),
        ("sub-admins", "Changed 2 groups' admins", "2 changed"),
        ("send", "Sent 2 messages", "2 sent"),
    ],
)
async def test_the_bar_and_the_summary_count_in_the_operations_words(
    tmp_path: Path, emulator: DingTalkEmulator, operation: str, summary: str, bar: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(inputs(operation, await two_groups(emulator)), encoding="utf-8")
    done = await run_cli(emulator, ["bulk", str(source), "--operation", operation, "--rate", "0"])
    assert done.code == 1, done.output
    counts = f"{bar}, 1 failed, 1 invalid, 0 unknown"
    assert re.search(rf"^{re.escape(counts)}$", done.output, flags=re.MULTILINE), done.output
    assert f"{summary} in " in done.output
    assert "; 1 failed, 1 invalid, 0 unknown." in done.output
    if operation != "create":
        assert "created" not in done.output


def test_every_operation_has_its_words() -> None:
    for operation in OPERATIONS.values():
        words = operation.words
        assert all((words.verb, words.past, words.noun, words.nouns)), operation.name
        assert words.count(1) == f"1 {words.noun}"
        assert words.count(3) == f"3 {words.nouns}"


async def test_an_interrupted_send_says_how_to_send_the_rest(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    groups = await two_groups(emulator)
    source = tmp_path / "announce.jsonl"
    message = {"msgKey": "sampleText", "msgParam": {"content": "hi"}}
    source.write_text(
        "".join(
            json.dumps({"openConversationId": groups[n % 2][1], **message}) + "\n"
            for n in range(20)
        ),
        encoding="utf-8",
    )
    emulator.delay_next(2, seconds=1.0, api=SEND_API)
    process = await start_cli(
        emulator, ["bulk", str(source), "--operation", "send", "--concurrency", "2"]
    )
    while emulator.calls(SEND_API) < 2:  # noqa: ASYNC110 - polling a counter
        await asyncio.sleep(0.01)
    process.send_signal(signal.SIGINT)
    done = await finish(process)
    assert done.code == 130, done.output
    assert "rerun with --resume to send the rest, no duplicates." in done.output
    assert "create" not in done.output

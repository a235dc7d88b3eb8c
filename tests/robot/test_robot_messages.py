"""Typed robot messages: each kind's msgKey and JSON-string msgParam, and every rule checked
before any I/O (the 15,000-byte limit included)."""

from __future__ import annotations

import json
from typing import Any

import cattrs
import pytest

from dingtalk_im_async import (
    MSG_PARAM_MAX_BYTES,
    ActionCard,
    Button,
    ButtonCard,
    File,
    GroupMessage,
    GroupService,
    Image,
    Link,
    Markdown,
    RawMessage,
    RequestValidationError,
    RobotMessage,
    RobotService,
    Text,
    Verdict,
)
from dingtalk_im_async._wire import from_wire, to_wire
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.robot_support import SEND_API, new_group, robot, stored

__all__ = ["robot"]

BUTTONS = [Button(f"选项{n}", f"https://example.com/{n}") for n in range(1, 6)]

KINDS: list[tuple[RobotMessage, str, dict[str, Any]]] = [
    (Text("钉钉，让进步发生"), "sampleText", {"content": "钉钉，让进步发生"}),
    (
        Markdown("周报", "## 本周\n- 完成"),
        "sampleMarkdown",
        {"title": "周报", "text": "## 本周\n- 完成"},
    ),
    (Image("@lADPmediaid"), "sampleImageMsg", {"photoURL": "@lADPmediaid"}),
    (
        Link(title="T", text="S", message_url="https://m", pic_url="https://p"),
        "sampleLink",
        {"title": "T", "text": "S", "messageUrl": "https://m", "picUrl": "https://p"},
    ),
    (
        ActionCard(title="T", text="**x**", single_title="阅读全文", single_url="https://u"),
        "sampleActionCard",
        {"title": "T", "text": "**x**", "singleTitle": "阅读全文", "singleURL": "https://u"},
    ),
    (
        ButtonCard(title="T", text="x", buttons=BUTTONS[:2], side_by_side=True),
        "sampleActionCard6",
        {
            "title": "T",
            "text": "x",
            "buttonTitle1": "选项1",
            "buttonUrl1": "https://example.com/1",
            "buttonTitle2": "选项2",
            "buttonUrl2": "https://example.com/2",
        },
    ),
    (
        File(media_id="@media", file_name="报告.PDF", file_type="PDF"),
        "sampleFile",
        {"mediaId": "@media", "fileName": "报告.PDF", "fileType": "pdf"},
    ),
    (
        RawMessage(key="sampleAudio", param={"mediaId": "@a", "duration": "3000"}),
        "sampleAudio",
        {"mediaId": "@a", "duration": "3000"},
    ),
]


@pytest.mark.parametrize(("message", "key", "param"), KINDS)
def test_each_kind_has_dingtalks_key_and_fields(
    message: RobotMessage, key: str, param: dict[str, Any]
) -> None:
    assert message.msg_key == key
    assert message.msg_param() == param
    body = to_wire(GroupMessage(open_conversation_id="cid1", message=message))
    assert body == {
        "openConversationId": "cid1",
        "msgKey": key,
        "msgParam": json.dumps(param, ensure_ascii=False, separators=(",", ":")),
    }
    assert isinstance(body["msgParam"], str)  # a JSON string, not an object


@pytest.mark.parametrize("count", [2, 3, 4, 5])
def test_stacked_buttons_pick_the_variant_by_their_number(count: int) -> None:
    card = ButtonCard(title="T", text="x", buttons=BUTTONS[:count])
    assert card.msg_key == f"sampleActionCard{count}"
    param = card.msg_param()
    assert [param[f"actionTitle{n}"] for n in range(1, count + 1)] == [
        f"选项{n}" for n in range(1, count + 1)
    ]
    assert param[f"actionURL{count}"] == f"https://example.com/{count}"
    assert f"actionTitle{count + 1}" not in param


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Text(""), "content"),
        (lambda: Text(42), "content"),
        (lambda: Markdown("t", "   "), "text"),
        (lambda: Image(None), "photo_url"),
        (lambda: Link(title="t", text="s", message_url="u", pic_url=""), "pic_url"),
        (lambda: ActionCard(title="t", text="x", single_title="b", single_url=""), "single_url"),
        (lambda: ButtonCard(title="t", text="x", buttons=BUTTONS[:1]), "buttons"),
        (lambda: ButtonCard(title="t", text="x", buttons=BUTTONS + BUTTONS[:1]), "buttons"),
        (
            lambda: ButtonCard(title="t", text="x", buttons=BUTTONS[:3], side_by_side=True),
            "buttons",
        ),
        (lambda: ButtonCard(title="t", text="x", buttons=["not a button"] * 2), "buttons[0]"),
        (lambda: Button("", "u"), "button.title"),
        (lambda: File(media_id="m", file_name="a.exe", file_type="exe"), "file_type"),
        (lambda: RawMessage(key="", param={}), "msg_key"),
        (lambda: RawMessage(key="k", param=["x"]), "msg_param"),
        (lambda: RawMessage(key="k", param={1: "x"}), "msg_param"),
        (lambda: RawMessage(key="k", param={"x": object()}), "msg_param"),
        (lambda: Text("lone \ud800 surrogate"), "content"),
        (lambda: RawMessage(key="k", param={"x": "lone \ud800"}), "msg_param"),
        (lambda: GroupMessage(open_conversation_id="", message=Text("x")), "open_conversation_id"),
        (lambda: GroupMessage(open_conversation_id="cid", message="hello"), "message"),
        (
            lambda: GroupMessage(open_conversation_id="cid", message=Text("x"), robot_code=""),
            "robot_code",
        ),
    ],
)
def test_bad_messages_are_refused_when_built(build: Any, field: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        build()
    assert caught.value.field == field
    assert caught.value.verdict is Verdict.NOT_SENT


def test_the_limit_is_15000_bytes_of_the_encoded_param_in_utf8() -> None:
    overhead = len('{"content":""}')
    Text("x" * (MSG_PARAM_MAX_BYTES - overhead))  # exactly at the limit
    with pytest.raises(RequestValidationError, match="15001 bytes"):
        Text("x" * (MSG_PARAM_MAX_BYTES - overhead + 1))
    # 3 bytes per character in UTF-8: 5,000 characters are 15,000 bytes, over with the keys
    with pytest.raises(RequestValidationError, match="at most 15000"):
        Text("字" * 5000)
    with pytest.raises(RequestValidationError, match="msg_param"):
        RawMessage(key="sampleText", param={"content": "字" * 5000})
    with pytest.raises(RequestValidationError):
        Markdown("title", "y" * MSG_PARAM_MAX_BYTES)


async def test_a_message_over_the_limit_never_reaches_dingtalk(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    oversized = RawMessage(key="sampleText", param={"content": "x"})
    oversized.param["content"] = "字" * 5000  # mutated after it was checked
    with pytest.raises(RequestValidationError, match="at most 15000"):
        await robot.send(
            GroupMessage(open_conversation_id=group.open_conversation_id, message=oversized)
        )
    assert emulator.calls(SEND_API) == 0
    assert stored(emulator, group).messages == []


def test_a_send_body_reads_back_as_the_typed_message() -> None:
    for message, _key, _param in KINDS:
        sent = GroupMessage(open_conversation_id="cid1", message=message, robot_code="dingbot")
        assert from_wire(GroupMessage, to_wire(sent)) == sent
    for count in (2, 3, 4, 5):
        card = GroupMessage(
            open_conversation_id="c",
            message=ButtonCard(title="t", text="x", buttons=BUTTONS[:count]),
        )
        assert from_wire(GroupMessage, to_wire(card)) == card


def test_extra_fields_of_a_documented_kind_are_kept_after_checking() -> None:
    record = {
        "openConversationId": "c",
        "msgKey": "sampleText",
        "msgParam": '{"content":"hi","x":1}',
    }
    message = from_wire(GroupMessage, record)
    assert message.message == RawMessage(key="sampleText", param={"content": "hi", "x": 1})
    with pytest.raises(RequestValidationError, match="content"):
        from_wire(GroupMessage, {**record, "msgParam": '{"content":"","x":1}'})


def test_input_records_may_use_snake_case_names_and_an_object_param() -> None:
    message = from_wire(
        GroupMessage,
        {"open_conversation_id": "cid1", "msg_key": "sampleText", "msg_param": {"content": "hi"}},
    )
    assert message == GroupMessage(open_conversation_id="cid1", message=Text("hi"))
    raw = from_wire(
        GroupMessage, {"openConversationId": "c", "msgKey": "sampleVideo", "msgParam": '{"a":1}'}
    )
    assert raw.message == RawMessage(key="sampleVideo", param={"a": 1})


@pytest.mark.parametrize(
    ("record", "error", "match"),
    [
        ({"openConversationId": "c", "msgKey": "sampleText"}, ValueError, "msg_param: missing"),
        (
            {"openConversationId": "c", "msgKey": "sampleText", "msgParam": "{"},
            ValueError,
            "not JSON",
        ),
        (
            {"openConversationId": "c", "msgKey": "sampleText", "msgParam": "{}"},
            RequestValidationError,
            "msg_param.content: missing",
        ),
        (
            {
                "openConversationId": "c",
                "msgKey": "sampleActionCard3",
                "msgParam": {"title": "t", "text": "x"},
            },
            RequestValidationError,
            "msg_param.actionTitle1: missing",
        ),
        ({"chatid": "c", "msgKey": "k", "msgParam": "{}"}, ValueError, "unknown field 'chatid'"),
        (
            {
                "openConversationId": "c",
                "open_conversation_id": "d",
                "msgKey": "k",
                "msgParam": "{}",
            },
            ValueError,
            "given twice",
        ),
        ({"openConversationId": "c", "msgKey": 1, "msgParam": "{}"}, TypeError, "msg_key"),
        (["not", "an", "object"], TypeError, "expected an object"),
    ],
)
def test_bad_input_records_say_what_is_wrong(
    record: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises((error, cattrs.BaseValidationError)) as caught:
        from_wire(GroupMessage, record)
    assert match in str(caught.value) or any(
        match in str(inner) for inner in getattr(caught.value, "exceptions", ())
    )

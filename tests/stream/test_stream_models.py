"""Decoding what DingTalk sends: the documented samples, unknown kinds, broken frames."""

from __future__ import annotations

import json
import logging
import random

import pytest

from dingtalk_im_async.stream import (
    AtUser,
    BotMessage,
    GroupDisbandedEvent,
    MemberQuitEvent,
    MembersAddedEvent,
    MembersRemovedEvent,
    OwnerChangedEvent,
    ReconnectPolicy,
    TitleChangedEvent,
    UnknownEvent,
)
from dingtalk_im_async.stream._backoff import Backoff
from dingtalk_im_async.stream._codec import DecodeError
from dingtalk_im_async.stream._decode import decode_item
from dingtalk_im_async.stream._dedup import SeenIds
from dingtalk_im_async.stream._frames import FrameError, parse_frame

#: The bot message sample of DingTalk's Stream protocol page.
BOT_SAMPLE = {
    "conversationId": "cidAsXSBLnA==",
    "atUsers": [{"dingtalkId": "$:LWCP_v1:$4abc"}],
    "chatbotCorpId": "ding9f50b15bccd16741",
    "chatbotUserId": "$:LWCP_v1:$bot",
    "msgId": "msgLICYe3F4lRWBTS4PAhLqWQ==",
    "senderNick": "用户",
    "isAdmin": True,
    "senderStaffId": "166503541698",
    "sessionWebhookExpiredTime": 1690367502152,
    "createAt": 1690362101894,
    "senderCorpId": "ding9f50b15bccd16741",
    "conversationType": "2",
    "senderId": "$:LWCP_v1:$sender",
    "conversationTitle": "测试群",
    "isInAtList": True,
    "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=76da2b6e",
    "text": {"content": " 测试数据"},
    "robotCode": "dingrobot",
    "msgtype": "text",
    "senderPlatform": "Mac",  # seen live; not modelled, and ignored
}


def frame(frame_type: str, data: object, **headers: str) -> str:
    base = {"messageId": "m1", "topic": "*", "time": "1690362102194", **headers}
    return json.dumps({"specVersion": "1.0", "type": frame_type, "headers": base, "data": data})


def event_frame(event_type: str, data: dict[str, object]) -> str:
    return frame(
        "EVENT",
        json.dumps(data),
        eventType=event_type,
        eventId="ev1",
        eventBornTime="1732094488746",
        eventCorpId="dingcorp",
        eventUnifiedAppId="app1",
    )


def test_the_documented_bot_message_decodes_with_every_field() -> None:
    item = decode_item(parse_frame(frame("CALLBACK", json.dumps(BOT_SAMPLE))))
    assert isinstance(item, BotMessage)
    assert item.msg_id == BOT_SAMPLE["msgId"]
    assert item.open_conversation_id == "cidAsXSBLnA=="
    assert item.is_group
    assert item.plain_text == "测试数据"
    assert item.at_users == (AtUser(dingtalk_id="$:LWCP_v1:$4abc"),)
    assert item.is_in_at_list
    assert (item.sender_staff_id, item.sender_nick, item.is_admin) == ("166503541698", "用户", True)
    assert item.session_webhook_expired_time == 1690367502152
    assert not item.webhook_usable()  # 2023: long over
    assert item.webhook_usable(now=1690362101.894)
    assert "76da2b6e" not in repr(item)  # the session is a capability: masked


GROUP_EVENTS = [
    (
        "chat_add_member",
        {"userId": ["user456"], "unionId": ["3rBU"], "chatId": "chat28", "operator": "1020"},
        MembersAddedEvent,
        {"user_ids": ("user456",), "union_ids": ("3rBU",), "chat_id": "chat28"},
    ),
    (
        "chat_remove_member",
        {"userId": ["u1", "u2"]},
        MembersRemovedEvent,
        {"user_ids": ("u1", "u2")},
    ),
    ("chat_quit", {"operator": "leaver"}, MemberQuitEvent, {"operator": "leaver"}),
    ("chat_update_owner", {"owner": "manager4220"}, OwnerChangedEvent, {"owner": "manager4220"}),
    (
        "chat_update_title",
        {"title": "red润改变世界1"},
        TitleChangedEvent,
        {"title": "red润改变世界1"},
    ),
    ("chat_disband", {"operator": "boss"}, GroupDisbandedEvent, {"operator": "boss"}),
]


@pytest.mark.parametrize(("event_type", "fields", "cls", "expected"), GROUP_EVENTS)
def test_each_documented_group_event_decodes_to_its_class(
    event_type: str, fields: dict[str, object], cls: type, expected: dict[str, object]
) -> None:
    data = {
        "timeStamp": 1608027106990,
        "corpId": "dinge8a5",
        "operatorUnionId": "iis6",
        "openConversationId": "cid9fmNLu/etdr0T7FmkCT+iA==",
        **fields,
    }
    item = decode_item(parse_frame(event_frame(event_type, data)))
    assert type(item) is cls
    assert item.event_id == "ev1"
    assert item.event_type == event_type
    assert item.event_born_time == 1732094488746  # a string header, read as a number
    assert item.open_conversation_id == "cid9fmNLu/etdr0T7FmkCT+iA=="
    assert item.time_stamp == 1608027106990
    for name, value in expected.items():
        assert getattr(item, name) == value


def test_an_unknown_event_type_is_kept_whole() -> None:
    item = decode_item(parse_frame(event_frame("robot_msg_recall", {"msgId": "x", "n": 1})))
    assert isinstance(item, UnknownEvent)
    assert item.event_type == "robot_msg_recall"
    assert item.data == {"msgId": "x", "n": 1}


def test_a_known_event_that_does_not_match_its_class_is_an_unknown_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    item = decode_item(parse_frame(event_frame("chat_update_title", {"title": 5})))
    assert isinstance(item, UnknownEvent)
    assert item.data == {"title": 5}
    assert "does not match TitleChangedEvent" in caplog.text
    assert "$.openConversationId" in caplog.text  # wire names, as the payload has them


def test_a_bot_message_with_wrong_types_cannot_be_read() -> None:
    with pytest.raises(DecodeError, match=r"\$\.msgId"):
        decode_item(parse_frame(frame("CALLBACK", json.dumps({**BOT_SAMPLE, "msgId": 5}))))


def test_frames_are_read_leniently_where_dingtalk_is_sloppy() -> None:
    parsed = parse_frame(
        json.dumps(
            {"type": "CALLBACK", "headers": {"time": 123, "messageId": "m"}, "data": {"a": 1}}
        )
    )
    assert parsed.headers["time"] == "123"
    assert json.loads(parsed.data) == {"a": 1}
    for broken in ("not json", "[]", json.dumps({"type": "EVENT"})):
        with pytest.raises(FrameError):
            parse_frame(broken)
    with pytest.raises(FrameError, match="not an object"):
        parse_frame(frame("CALLBACK", "[1]")).payload()


def test_seen_ids_forget_the_oldest_beyond_capacity_and_age() -> None:
    now = [0.0]
    seen = SeenIds(capacity=3, ttl=10.0, clock=lambda: now[0])
    for key in "abcd":
        seen.add(key)
    assert "a" not in seen
    assert all(key in seen for key in "bcd")
    assert len(seen) == 3
    now[0] = 10.5
    assert "d" not in seen
    seen.add("e")
    assert len(seen) == 1


def test_backoff_doubles_with_jitter_up_to_its_cap_and_resets_after_a_stable_connection() -> None:
    policy = ReconnectPolicy(initial_delay=0.5, max_delay=30.0, stable_after=1.0)
    backoff = Backoff(policy, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(10)]
    for n, delay in enumerate(delays):
        ceiling = min(30.0, 0.5 * 2**n)
        assert ceiling / 2 <= delay <= ceiling
    assert backoff.after_connection(uptime=0.2) >= 15.0  # short-lived: still backing off
    assert backoff.after_connection(uptime=5.0) == 0.0  # stable: at once
    assert backoff.next_delay() <= 0.5

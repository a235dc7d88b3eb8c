"""What the emulated Stream gateway puts in its frames: ids, bot messages, event data, frames.

Shapes follow the samples of DingTalk's Stream protocol
(https://opensource.dingtalk.com/developerpedia/docs/learn/stream/protocol): header values
are all strings, `data` is a JSON string, events carry their identity in
headers and repeat `eventId` in the data.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "bot_message_data",
    "connection_id",
    "encode",
    "event_data",
    "event_id",
    "frame_text",
    "message_id",
    "msg_id",
    "now_ms",
]

encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def now_ms() -> int:
    return int(time.time() * 1000)


def message_id() -> str:
    """A frame's `messageId`, shaped like `212ca9d7_974_1898c159aa6_1783b`."""
    raw = os.urandom(12).hex()
    return f"{raw[:8]}_{raw[8:11]}_{raw[11:22]}_{raw[22:]}"


def connection_id() -> str:
    raw = os.urandom(16).hex()
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def msg_id() -> str:
    """A bot message's `msgId`: `msg` and base64."""
    return "msg" + base64.b64encode(os.urandom(18)).decode()


def event_id() -> str:
    return os.urandom(16).hex()


def bot_message_data(
    *,
    text: str,
    msg_id: str,
    open_conversation_id: str,
    conversation_type: str,
    conversation_title: str | None,
    sender_staff_id: str,
    sender_nick: str,
    at_bot: bool,
    at_users: Sequence[str],
    robot_code: str,
    corp_id: str,
    webhook: str,
    webhook_expires_ms: int,
) -> dict[str, Any]:
    """A message to the bot as DingTalk sends it (`/v1.0/im/bot/messages/get`)."""
    created = now_ms()
    data: dict[str, Any] = {
        "conversationId": open_conversation_id,
        "atUsers": [{"dingtalkId": f"$:LWCP_v1:${user}", "staffId": user} for user in at_users],
        "chatbotCorpId": corp_id,
        "chatbotUserId": f"$:LWCP_v1:${robot_code}",
        "msgId": msg_id,
        "senderNick": sender_nick,
        "isAdmin": False,
        "senderStaffId": sender_staff_id,
        "sessionWebhookExpiredTime": webhook_expires_ms,
        "createAt": created,
        "senderCorpId": corp_id,
        "conversationType": conversation_type,
        "senderId": f"$:LWCP_v1:${sender_staff_id}",
        "isInAtList": at_bot,
        "sessionWebhook": webhook,
        "text": {"content": f" {text}" if at_bot else text},
        "robotCode": robot_code,
        "msgtype": "text",
    }
    if conversation_title is not None:
        data["conversationTitle"] = conversation_title
    return data


def event_data(
    event_type: str, fields: Mapping[str, Any], *, event_id: str, corp_id: str
) -> dict[str, Any]:
    """An event's data: the fields given, with `timeStamp`, `corpId` and `eventId` filled in."""
    data = {"timeStamp": now_ms(), "corpId": corp_id, **fields, "eventId": event_id}
    if event_type == "chat_add_member":
        data.setdefault("eventType", event_type)  # the documented sample repeats it
    return data


def frame_text(frame_type: str, headers: Mapping[str, str], data: str) -> str:
    return encode(
        {"specVersion": "1.0", "type": frame_type, "headers": dict(headers), "data": data}
    )

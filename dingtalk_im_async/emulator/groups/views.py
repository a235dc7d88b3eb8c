"""The admin API's JSON shape of a group and its messages, by DingTalk's camelCase keys.

The same shape is what `dingtalk-im emulator --state FILE` saves and loads, and
what `RemoteEmulator` reads back into `StoredGroup`s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..store import OPTION_KEYS, PostedMessage, StoredGroup

__all__ = ["group_from_view", "group_view", "message_view"]


def message_view(message: PostedMessage, members: list[str]) -> dict[str, Any]:
    return {
        "processQueryKey": message.process_query_key,
        "robotCode": message.robot_code,
        "msgKey": message.msg_key,
        "msgParam": message.msg_param,
        "coolAppCode": message.cool_app_code,
        "corpId": message.corp_id,
        "status": message.status,
        "readBy": list(message.read_by),
        "unreadBy": [user for user in members if user not in message.read_by],
    }


def group_view(group: StoredGroup) -> dict[str, Any]:
    """A group's whole current state; `group_from_view` reads it back."""
    return {
        "chatid": group.chatid,
        "openConversationId": group.open_conversation_id,
        "name": group.name,
        "owner": group.owner,
        "ownerType": group.owner_type,
        "members": list(group.members),
        "extMembers": list(group.ext_members),
        "subAdmins": sorted(group.sub_admins),
        "icon": group.icon,
        "options": dict(group.options),
        "conversationTag": group.conversation_tag,
        "status": group.status,
        "robots": sorted(group.robots),
        "createdAt": group.created_at,
        "corpId": group.corp_id,
        "messages": [message_view(message, group.members) for message in group.messages],
    }


def group_from_view(view: Mapping[str, Any]) -> tuple[StoredGroup, list[PostedMessage]]:
    """A group (and its messages, to `store.post`) from `group_view`'s shape; a missing or
    mistyped key is a KeyError / TypeError / ValueError."""
    group = StoredGroup(
        chatid=_text(view["chatid"]),
        open_conversation_id=_text(view["openConversationId"]),
        name=_text(view["name"]),
        owner=_text(view["owner"]),
        owner_type=_text(view.get("ownerType", "emp")),
        members=[_text(user) for user in view.get("members", [])],
        ext_members=[_text(user) for user in view.get("extMembers", [])],
        sub_admins={_text(user) for user in view.get("subAdmins", [])},
        icon=view.get("icon"),
        options=group_options(view.get("options", {})),
        conversation_tag=int(view.get("conversationTag", 2)),
        status=int(view.get("status", 1)),
        robots={_text(code) for code in view.get("robots", [])},
        created_at=float(view.get("createdAt", 0.0)),
        corp_id=view.get("corpId"),
    )
    messages = [
        PostedMessage(
            process_query_key=_text(item["processQueryKey"]),
            robot_code=_text(item["robotCode"]),
            msg_key=_text(item["msgKey"]),
            msg_param=dict(item.get("msgParam", {})),
            cool_app_code=item.get("coolAppCode"),
            corp_id=item.get("corpId"),
            status=_text(item.get("status", "SUCCESS")),
            read_by=[_text(user) for user in item.get("readBy", [])],
        )
        for item in view.get("messages", [])
    ]
    return group, messages


def group_options(options: Mapping[str, Any]) -> dict[str, int]:
    return {key: int(options.get(key, 0)) for key in OPTION_KEYS}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value

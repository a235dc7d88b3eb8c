"""The admin API's JSON shapes: groups, journal lines and counters, by camelCase key.

One place decides what leaves the emulator: journal lines come from
`LoggedRequest`, which never holds a token and has secrets masked; the
same group shape is what `--state FILE` saves and loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .records import LoggedRequest
from .store import OPTION_KEYS, PostedMessage, StoredGroup

if TYPE_CHECKING:
    from ._state import EmulatorState

__all__ = ["counters_view", "group_from_view", "group_view", "request_view"]


def message_view(message: PostedMessage, members: list[str]) -> dict[str, Any]:
    return {
        "processQueryKey": message.process_query_key,
        "robotCode": message.robot_code,
        "msgKey": message.msg_key,
        "msgParam": message.msg_param,
        "coolAppCode": message.cool_app_code,
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
    )
    messages = [
        PostedMessage(
            process_query_key=_text(item["processQueryKey"]),
            robot_code=_text(item["robotCode"]),
            msg_key=_text(item["msgKey"]),
            msg_param=dict(item.get("msgParam", {})),
            cool_app_code=item.get("coolAppCode"),
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


def is_failure(logged: LoggedRequest) -> bool:
    """A call that did not get a clean 2xx: refused, faulted or cut off."""
    return logged.status is None or logged.status >= 400 or logged.fault is not None


def request_view(index: int, logged: LoggedRequest) -> dict[str, Any]:
    """One journal line (the token is never in `LoggedRequest`; secrets are masked)."""
    return {
        "index": index,
        "method": logged.method,
        "path": logged.path,
        "api": logged.api,
        "hasToken": logged.has_token,
        "query": dict(logged.query),
        "body": logged.body,
        "status": logged.status,
        "fault": None if logged.fault is None else logged.fault.value,
        "failed": is_failure(logged),
        "receivedAt": logged.received_at,
        "elapsedMs": None if logged.elapsed is None else round(logged.elapsed * 1000, 3),
    }


def counters_view(emulator: EmulatorState) -> dict[str, Any]:
    """Per API: calls, QPS refusals, limit, faults injected and pending; and the totals."""
    apis = [
        {
            "api": api,
            "calls": traffic.calls,
            "rateLimited": traffic.rate_limited,
            "qpsLimit": emulator.qps_limit_for(api),
            "injected": {fault.value: count for fault, count in traffic.faults.injected.items()},
            "pending": traffic.faults.pending,
            "rates": {fault.value: rate for fault, rate in traffic.faults.rates.items()},
        }
        for api, traffic in sorted(emulator.traffic.items())
    ]
    return {
        "apis": apis,
        "totals": {
            "calls": sum(item["calls"] for item in apis),
            "rateLimited": emulator.rate_limited,
            "groups": len(emulator.store),
            "requests": len(emulator.requests),
            "failedRequests": sum(1 for logged in emulator.requests if is_failure(logged)),
            "quotaUsed": emulator.quota_used,
        },
    }

"""A group's life after create, as DingTalk documents it: update
(https://open.dingtalk.com/document/development/api-updategroup), chatid -> openConversationId
(https://open.dingtalk.com/document/development/obtain-group-openconversationid), sub-admins
(https://open.dingtalk.com/document/development/batch-setup-group-administrator) and the legacy read
(https://open.dingtalk.com/document/development/obtain-a-group-session).

Update (members, owner, name, icon, settings), chatid -> openConversationId,
sub-admins, and the legacy read, all on the shared group store, so `chat/get`
returns what updates did. Codes are the documented ones; where the docs name
none for a case, the choice is marked GUESS (and listed in docs/testing.md).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..._core.endpoint import Host
from .._replies import error_reply, json_reply, oapi_error, oapi_reply
from ..routes import Call, Route
from ..store import StoredGroup
from .create import GROUP_MANAGE_SCOPE
from .create_rules import UNSEEN_USER
from .lifecycle_rules import (
    SUB_ADMIN_LIMIT,
    UpdatePlan,
    check_update_body,
    plan_update,
    unseen_users,
)

__all__ = ["GROUP_READ_SCOPE", "ROUTES"]

#: The permission the group read APIs (convert, chat/get) need.
GROUP_READ_SCOPE = "qyapi_chat_read"
_UNKNOWN_CHATID = ("invalideChatId", "chatid不合法")
_DISBANDED = ("group.diaband", "群已经解散")


def _owner_unseen(call: Call, group: StoredGroup) -> bool:
    visible = call.settings.visible_users
    return visible is not None and group.owner_type == "emp" and group.owner not in visible


def _new_owner_unseen(body: dict[str, Any], visible: frozenset[str] | None) -> bool:
    owner = body.get("owner")
    emp = body.get("ownerType", "emp") == "emp"
    return visible is not None and emp and owner is not None and owner not in visible


async def update_group(call: Call) -> web.Response:
    """`POST /v1.0/im/group/update`: change members, owner, name, icon, settings at once."""
    body = call.body
    problem = check_update_body(body)
    if problem is not None:
        return error_reply(400, "parameter.invalid", f"输入参数错误: {problem}")
    group = call.store.by_chatid(body["chatid"])
    if group is None:  # GUESS: update names no code; convert's for the mistake
        return error_reply(400, *_UNKNOWN_CHATID)
    if group.disbanded:  # GUESS: sub-admins' code for a disbanded group
        return error_reply(400, *_DISBANDED)
    visible = call.settings.visible_users
    if unseen_users(body, visible):
        return error_reply(400, *UNSEEN_USER)
    if _new_owner_unseen(body, visible):
        return error_reply(400, "permession.checkFailed", "群主不在应用可见性内")
    plan = plan_update(group, body)
    if isinstance(plan, str):
        return error_reply(400, "parameter.invalid", f"输入参数错误: {plan}")
    _apply(call, group, body, plan)
    return json_reply(200, {"success": True})


def _apply(call: Call, group: StoredGroup, body: dict[str, Any], plan: UpdatePlan) -> None:
    """Change the stored group as `plan` says, then announce each kind of change."""
    renamed = "name" in body and body["name"] != group.name
    group.members = plan.members
    group.ext_members = plan.ext_members
    group.owner, group.owner_type = plan.owner, plan.owner_type
    group.sub_admins -= {*plan.removed, plan.owner}
    if renamed:
        group.name = str(body["name"])
    if "icon" in body:
        group.icon = str(body["icon"])
    options = body.get("managementOptions")
    if isinstance(options, dict):
        group.options.update({key: value for key, value in options.items() if key in group.options})
    store = call.store
    if plan.added or plan.ext_added:
        store.emit("chat_add_member", group, **_who(plan.added, plan.ext_added))
    if plan.removed or plan.ext_removed:
        store.emit("chat_remove_member", group, **_who(plan.removed, plan.ext_removed))
    if plan.owner_changed:
        store.emit("chat_update_owner", group, owner=plan.owner)
    if renamed:
        store.emit("chat_update_title", group, title=group.name)


def _who(user_ids: list[str], union_ids: list[str]) -> dict[str, list[str]]:
    """A member event's `userId` and, when external contacts changed, `unionId` lists."""
    return {"userId": user_ids, **({"unionId": union_ids} if union_ids else {})}


async def convert_to_open_conversation_id(call: Call) -> web.Response:
    """`POST /v1.0/im/chat/{chatId}/convertToOpenConversationId`: no body."""
    group = call.store.by_chatid(call.params["chatId"])
    if group is None:
        return error_reply(400, *_UNKNOWN_CHATID)
    if _owner_unseen(call, group):
        return error_reply(400, "permession.checkFailed", "群主不在应用可见性内")
    return json_reply(200, {"openConversationId": group.open_conversation_id})


async def sub_administrators(call: Call) -> web.Response:
    """`POST /v1.0/im/subAdministrators`: role 2 makes `userIds` admins, 3 members again.

    `success` is the string "true", as DingTalk sends it.
    """
    body = call.body if isinstance(call.body, dict) else {}
    cid = body.get("openConversationId")
    group = call.store.by_open_conversation_id(cid) if isinstance(cid, str) else None
    if group is None:
        return error_reply(400, "invalidParameter.openConversationId.invalid", "群会话id不合法")
    if group.disbanded:
        return error_reply(400, *_DISBANDED)
    role = body.get("role")
    if isinstance(role, bool) or role not in (2, 3):
        return error_reply(400, "invalidParamter.role", "role参数不合法")
    users = body.get("userIds")
    if not isinstance(users, list) or not users or not all(isinstance(u, str) for u in users):
        return error_reply(400, "invalid.staffid", "staffId不合法")
    if not all(u.strip() for u in users):
        return error_reply(400, "invalid.staffid", "staffId不合法")
    visible = call.settings.visible_users
    # GUESS: a user the app cannot see, or who is not in the group, is "not found".
    if any(u not in group.members or (visible is not None and u not in visible) for u in users):
        return error_reply(400, "staff.not.found", "员工不存在")
    if role == 2:
        admins = group.sub_admins | (set(users) - {group.owner})
        if len(admins) > SUB_ADMIN_LIMIT:
            return error_reply(400, "subadmin.exceed", "群管理员数量超过上限")
        group.sub_admins = admins
    else:
        group.sub_admins -= set(users)
    return json_reply(200, {"success": "true"})


async def get_chat(call: Call) -> web.Response:
    """`GET {oapi}/chat/get?chatid=...`: the group as updates left it, in `chat_info`."""
    group = call.store.by_chatid(call.query.get("chatid", ""))
    if group is None:
        return oapi_error(40016, "不合法的chatid")
    info: dict[str, Any] = {
        "name": group.name,
        "owner": group.owner,
        "useridlist": list(group.members),
        "conversationTag": group.conversation_tag,
        **group.options,
        "status": group.status,
        "chatid": group.chatid,
    }
    if group.icon is not None:
        info["icon"] = group.icon
    return oapi_reply(chat_info=info)


ROUTES = (
    Route(
        method="POST",
        path="/v1.0/im/group/update",
        handler=update_group,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/im/chat/{chatId}/convertToOpenConversationId",
        handler=convert_to_open_conversation_id,
        permission=GROUP_READ_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/im/subAdministrators",
        handler=sub_administrators,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="GET",
        path="/chat/get",
        host=Host.OAPI,
        handler=get_chat,
        permission=GROUP_READ_SCOPE,
    ),
)

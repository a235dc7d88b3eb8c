"""A scene group's people: add and remove, the paginated member list, admins and nicknames
(https://open.dingtalk.com/document/development/api-addscenegroupmember,
https://open.dingtalk.com/document/development/api-removescenegroupmember,
https://open.dingtalk.com/document/development/query-group-members,
https://open.dingtalk.com/document/development/update-group-administrators,
https://open.dingtalk.com/document/development/update-group-nicknames).

Member changes reach Stream connections as `chat_add_member` / `chat_remove_member`
events, as for any group. GUESS marks answers the pages do not document.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._replies import error_reply, json_reply
from ..routes import Call, Route
from .lifecycle import GROUP_MANAGE_SCOPE
from .lookup import DISBANDED, find_scene_group
from .rules import NICK_MAX_CHARS, check_members_body, id_list, is_text
from .store import MEMBER_LIMIT, SceneGroup

__all__ = ["ROUTES", "SUB_ADMIN_LIMIT"]

#: Admins a scene group may have: GUESS (DingTalk documents `subAdminNumberExcessive`, not
#: the number).
SUB_ADMIN_LIMIT = 50
#: userIds one admin change takes ("最多传12个").
SUB_ADMINS_PER_CALL = 12
_UNKNOWN_GROUP = ("parameter.invalid", "输入参数错误: open_conversation_id不合法")  # GUESS


def _changed_group(call: Call, body: dict[str, Any]) -> SceneGroup | web.Response:
    return find_scene_group(
        call, body["open_conversation_id"], unknown=_UNKNOWN_GROUP, disbanded=DISBANDED
    )


def _who(user_ids: list[str], union_ids: list[str]) -> dict[str, list[str]]:
    """A member event's `userId` and, when others changed, `unionId` lists."""
    return {"userId": user_ids, **({"unionId": union_ids} if union_ids else {})}


async def add_members(call: Call) -> web.Response:
    """`POST /v1.0/im/sceneGroup/member/add`: people already in the group are left as they
    are, so adding twice changes nothing."""
    body = call.body
    problem = check_members_body(body)
    if problem is not None:
        return error_reply(400, "parameter.invalid", f"输入参数错误: {problem}")
    found = _changed_group(call, body)
    if isinstance(found, web.Response):
        return found
    group = found.group
    visible = call.settings.visible_users
    users = list(dict.fromkeys(body.get("user_ids", ())))
    if visible is not None and any(user not in visible for user in users):
        return error_reply(400, "permession.checkFailed", "权限校验失败")
    added = [user for user in users if user not in group.members]
    others = [u for u in dict.fromkeys(body.get("union_ids", ())) if u not in group.ext_members]
    if len(group.members) + len(group.ext_members) + len(added) + len(others) > MEMBER_LIMIT:
        return error_reply(400, "member.exceed", "群成员数量超出限制")  # GUESS: create's code
    group.members.extend(added)
    group.ext_members.extend(others)
    if added or others:
        call.store.emit("chat_add_member", group, **_who(added, others))
    return json_reply(200, {"success": True})


async def remove_members(call: Call) -> web.Response:
    """`POST /v1.0/im/sceneGroup/member/delete`: people not in the group are skipped; the
    owner cannot be removed (GUESS: `parameter.invalid`)."""
    body = call.body
    problem = check_members_body(body)
    if problem is not None:
        return error_reply(400, "parameter.invalid", f"输入参数错误: {problem}")
    found = _changed_group(call, body)
    if isinstance(found, web.Response):
        return found
    group = found.group
    removed = [u for u in dict.fromkeys(body.get("user_ids", ())) if u in group.members]
    others = [u for u in dict.fromkeys(body.get("union_ids", ())) if u in group.ext_members]
    if group.owner in (removed if group.owner_type == "emp" else others):
        return error_reply(
            400, "parameter.invalid", f"输入参数错误: the owner {group.owner} cannot be removed"
        )
    group.members = [user for user in group.members if user not in removed]
    group.ext_members = [user for user in group.ext_members if user not in others]
    for person in (*removed, *others):
        group.sub_admins.discard(person)
        group.nicks.pop(person, None)
        found.mutes.pop(person, None)
    if removed or others:
        call.store.emit("chat_remove_member", group, **_who(removed, others))
    return json_reply(200, {"success": True})


def _offset(token: object) -> int | None:
    """The member index a `nextToken` stands for (the emulator's tokens are offsets)."""
    if token is None or token == "":
        return 0
    return int(token) if isinstance(token, str) and token.isdigit() else None


async def query_members(call: Call) -> web.Response:
    """`POST /v1.0/im/sceneGroups/members/batchQuery`: `maxResults` people per page (employees
    first, then the others by unionId), `nextToken` where the next page starts."""
    body = call.body if isinstance(call.body, dict) else {}
    cid, size = body.get("openConversationId"), body.get("maxResults")
    if cid is None or size is None:
        return error_reply(400, "paramBlank", "请求参数为空")
    start = _offset(body.get("nextToken"))
    if isinstance(size, bool) or not isinstance(size, int) or size < 1 or start is None:
        return error_reply(400, "paramIllegal", "请求参数非法")
    if body.get("coolAppCode") is not None:  # the emulator has no group cool apps
        return error_reply(400, "coolAppUnexist", "群聊酷应用不存在")
    found = find_scene_group(call, cid, unknown=("cidEncryptError", "群ID解析错误"))
    if isinstance(found, web.Response):
        return found
    group = found.group
    everyone = [(user, True) for user in group.members]
    everyone += [(other, False) for other in group.ext_members]
    page = everyone[start : start + size]
    users = [person for person, employee in page if employee]
    others = [person for person, employee in page if not employee]
    more = start + size < len(everyone)
    reply: dict[str, Any] = {
        "success": True,
        "memberUserIds": users,
        "unionIdList": others,
        # GUESS: "names" are the group nicknames where set, else the ids themselves.
        "staffIdNickMap": {user: group.nicks.get(user, user) for user in users},
        "unionIdNickMap": {other: group.nicks.get(other, other) for other in others},
        "hasMore": more,
    }
    if more:
        reply["nextToken"] = str(start + size)
    return json_reply(200, reply)


def _admins_problem(body: dict[str, Any]) -> str | None:
    role = body.get("role")
    if isinstance(role, bool) or role not in (2, 3):
        return "role must be 2 or 3"
    users, others = body.get("userIds", []), body.get("unionIds", [])
    if not (id_list(users) and id_list(others)) or not (users or others):
        return "userIds or unionIds must name at least one person"
    if len(users) > SUB_ADMINS_PER_CALL:
        return f"at most {SUB_ADMINS_PER_CALL} userIds per call"
    return None


async def sub_admins(call: Call) -> web.Response:
    """`PUT /v1.0/im/sceneGroups/subAdmins`: role 2 makes members admins, 3 members again."""
    body = call.body if isinstance(call.body, dict) else {}
    found = find_scene_group(
        call,
        body.get("openConversationId"),
        unknown=("invalidOpenConversationId", "无效的群ID"),
        disbanded=DISBANDED,
    )
    if isinstance(found, web.Response):
        return found
    problem = _admins_problem(body)
    if problem is not None:
        return error_reply(400, "invalidParams", f"不合法的参数: {problem}")
    group = found.group
    users, others = body.get("userIds", []), body.get("unionIds", [])
    if any(u not in group.members for u in users) or any(
        u not in group.ext_members for u in others
    ):
        return error_reply(400, "userNotInGroup", "用户不在群中")
    people = {*users, *others} - {group.owner}
    if body["role"] == 2:
        admins = group.sub_admins | people
        if len(admins) > SUB_ADMIN_LIMIT:
            return error_reply(400, "subAdminNumberExcessive", "管理员数量超过最大限制")
        group.sub_admins = admins
    else:
        group.sub_admins -= people
    return json_reply(200, {"success": True})


async def group_nicks(call: Call) -> web.Response:
    """`PUT /v1.0/im/sceneGroups/members/groupNicks`: one member's nickname in the group."""
    body = call.body if isinstance(call.body, dict) else {}
    cid, user, nick = (body.get(key) for key in ("openConversationId", "userId", "groupNick"))
    if not (is_text(cid) and is_text(user) and is_text(nick)):
        return error_reply(400, "paramBlank", "请求参数为空")
    if len(nick) > NICK_MAX_CHARS:
        return error_reply(400, "paramIllegal", "参数非法")
    found = find_scene_group(
        call, cid, unknown=("openConversationIdDecriptFailed", "群 ID 解码失败")
    )
    if isinstance(found, web.Response):
        return found
    if user not in found.group.members:
        return error_reply(400, "userNotInGroup", "用户不在群内")
    found.group.nicks[user] = nick
    return json_reply(200, {"success": True})


ROUTES = (
    Route(
        method="POST",
        path="/v1.0/im/sceneGroup/member/add",
        handler=add_members,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/im/sceneGroup/member/delete",
        handler=remove_members,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/im/sceneGroups/members/batchQuery",
        handler=query_members,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="PUT",
        path="/v1.0/im/sceneGroups/subAdmins",
        handler=sub_admins,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="PUT",
        path="/v1.0/im/sceneGroups/members/groupNicks",
        handler=group_nicks,
        permission=GROUP_MANAGE_SCOPE,
    ),
)

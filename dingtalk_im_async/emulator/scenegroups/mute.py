"""Muting scene-group members, reading the mute state, and the template robot
(https://open.dingtalk.com/document/development/set-group-members-access-control,
https://open.dingtalk.com/document/development/query-group-silence-status,
https://open.dingtalk.com/document/development/search-group-scene-template-robot).

DingTalk documents the mute APIs for internal apps only; the emulator serves one
app, so it does not refuse them here. GUESS marks answers the pages do not document.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web

from .._replies import empty_reply, error_reply, json_reply
from ..routes import Call, Route
from .lifecycle import GROUP_MANAGE_SCOPE
from .lookup import find_scene_group
from .rules import id_list, is_text
from .store import Mute, now_ms

__all__ = ["GROUP_READ_SCOPE", "MUTE_USERS_MAX", "ROUTES", "robot_user_id"]

#: The permission the mute read needs.
GROUP_READ_SCOPE = "qyapi_chat_read"
#: userIds one mute call takes ("最多传999个").
MUTE_USERS_MAX = 999


def robot_user_id(robot_code: str) -> str:
    """The made-up userId a template robot has in the emulator's groups (stable per code)."""
    return "robot" + hashlib.sha256(robot_code.encode()).hexdigest()[:16]


def _mute_problem(body: dict[str, Any]) -> tuple[str, str] | None:
    users = body.get("userIdList")
    if not id_list(users) or not users or len(users) > MUTE_USERS_MAX:
        return ("invalidParameter.userIdList", "不合法的群成员列表")
    status = body.get("muteStatus")
    if isinstance(status, bool) or status not in (0, 1):
        return ("invalidParameter.muteStatusError", "不合法的的禁言状态")
    duration = body.get("muteDuration")
    if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
        return ("invalidParameter.muteStatusError", "不合法的禁言时长")  # GUESS: no own code
    return None


async def mute_members(call: Call) -> web.Response:
    """`POST /v1.0/im/sceneGroups/muteMembers/set`: mute members for `muteDuration` ms (1), or
    lift it (0); the owner and admins cannot be muted. HTTP 200 without a body."""
    body = call.body if isinstance(call.body, dict) else {}
    cid = body.get("openConversationId")
    if not is_text(cid):
        return error_reply(400, "invalidParameter.openConversationIdError", "不合法的会话ID")
    problem = _mute_problem(body)
    if problem is not None:
        return error_reply(400, *problem)
    found = find_scene_group(
        call,
        cid,
        unknown=("invalidParameter.openConversationIdDecError", "会话ID解密失败"),
        plain=("invalidGroupParams", "群不存在或者群成员为空"),  # GUESS
    )
    if isinstance(found, web.Response):
        return found
    group, users = found.group, list(dict.fromkeys(body["userIdList"]))
    if any(user == group.owner or user in group.sub_admins for user in users):
        return error_reply(400, "cannot.ban.owner", "不允许禁言群主")
    if any(user not in group.members for user in users):
        return error_reply(400, "cannot.find.user", "找不到该用户")
    start = now_ms()
    for user in users:
        if body["muteStatus"] == 1:
            found.mutes[user] = Mute(start_ms=start, end_ms=start + body["muteDuration"])
        else:
            found.mutes.pop(user, None)
    return empty_reply()


async def mute_settings(call: Call) -> web.Response:
    """`GET /v1.0/im/sceneGroups/muteSettings`: whether everyone is muted (the group's
    `chat_banned_type`) and the member's own mute."""
    cid, user = call.query.get("openConversationId"), call.query.get("userId")
    if not is_text(cid):
        return error_reply(400, "invalidParam.openConversationIdEmpry", "不合法的会话ID")  # sic
    if not is_text(user):
        return error_reply(400, "paramBlank", "请求参数为空")  # GUESS: no own code
    found = find_scene_group(
        call,
        cid,
        unknown=("invalidParam.openConversationIdDecryptFailed", "会话ID解密失败"),
        plain=("invalidParam.openConversationIdDecryptFailed", "会话ID解密失败"),  # GUESS
    )
    if isinstance(found, web.Response):
        return found
    mute = found.muted(user)
    state: dict[str, Any] = {"userMuteMode": mute is not None}
    if mute is not None:
        state.update(muteStartTime=mute.start_ms, muteEndTime=mute.end_ms)
    everyone = found.options.get("chat_banned_type") == 1
    return json_reply(200, {"groupMuteMode": everyone, "userMuteResult": state})


async def template_robot(call: Call) -> web.Response:
    """`GET /v1.0/im/sceneGroups/templates/robots`: the robot `robotCode` as a member of the
    group, when it is installed there (created scene groups get the app's robot)."""
    cid, code = call.query.get("openConversationId"), call.query.get("robotCode")
    if not is_text(cid):
        return error_reply(400, "invalidParam.openConversationIdEmpry", "会话ID为空")  # sic
    if not is_text(code):
        return error_reply(400, "invalidParam.robotCodeEmpry", "机器人编码为空")  # sic
    found = find_scene_group(
        call, cid, unknown=("not.found", "群聊不存在"), plain=("unavailable", "群内未安装群模板")
    )
    if isinstance(found, web.Response):
        return found
    if code in call.settings.stopped_robots:
        return error_reply(400, "robotDisabled", "机器人已停用")
    if code not in found.group.robots:
        return error_reply(400, "robotNotFound", "机器人不存在")
    return json_reply(200, {"success": True, "result": {"userId": robot_user_id(code)}})


ROUTES = (
    Route(
        method="POST",
        path="/v1.0/im/sceneGroups/muteMembers/set",
        handler=mute_members,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="GET",
        path="/v1.0/im/sceneGroups/muteSettings",
        handler=mute_settings,
        permission=GROUP_READ_SCOPE,
    ),
    Route(
        method="GET",
        path="/v1.0/im/sceneGroups/templates/robots",
        handler=template_robot,
        permission=GROUP_MANAGE_SCOPE,
    ),
)

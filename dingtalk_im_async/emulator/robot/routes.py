"""The robot message API as DingTalk answers it: send, recall, read status, robots in a group.

Messages live in the group store (`StoredGroup.messages`, `GroupStore.message(key)`);
tests drive read status with `store.mark_read(key, *user_ids)`. Codes and messages
are DingTalk's (docs the-robot-sends-a-group-message, enterprise-chatbot-withdraws-
internal-group-messages, chatbot-queries-the-read-status-of-a-message,
obtain-the-list-of-robots-in-the-group); which check comes first, the recall
failure reasons and the read-status cursor (an offset as a string) are GUESSes.
"""

from __future__ import annotations

import json
import time
from typing import Any

from aiohttp import web

from .. import _ids
from .._replies import error_reply, json_reply
from ..routes import Call, Route
from ..store import RECALLED, PostedMessage, StoredGroup
from .rules import DOCUMENTED_MSG_KEYS, MAX_READ_STATUS_PAGE, MAX_RECALL_KEYS, MSG_PARAM_MAX_BYTES

__all__ = ["RECALL_NOT_FOUND", "RECALL_REPEATED", "ROBOT_SEND_SCOPE", "ROUTES"]

#: The permission sending, recalling and reading status need.
ROBOT_SEND_SCOPE = "qyapi_robot_sendmsg"
#: The robots query's permission.
CHAT_MANAGE_SCOPE = "qyapi_chat_manage"
#: `failedResult` reasons of a recall (GUESS: DingTalk documents no list).
RECALL_NOT_FOUND = "消息不存在"
RECALL_REPEATED = "消息已撤回"
_ROBOT_TYPE_INTERNAL_APP = 2
_MINUTE = 60.0


def _refusal(code: str, message: str) -> web.Response:
    return error_reply(400, code, message)


def _robot_refusal(call: Call, body: dict[str, Any]) -> web.Response | None:
    """The robotCode checks every robot call shares: present, this app's, not stopped."""
    robot_code = body.get("robotCode")
    if not isinstance(robot_code, str) or not robot_code:
        return _refusal("invalidParameter.robotCode.missing", "缺少robotCode")
    if robot_code != call.robot_code:
        if call.tenant.suite_key is not None:  # a third-party app's wording (DOC error codes)
            return _refusal(
                "invalidParameter.robotCode.auth",
                "此应用suiteKey和机器人不匹配，请使用机器人绑定的ISV应用的suiteKey发送消息",
            )
        return _refusal(
            "invalidParameter.robotCode.auth",
            "此应用appkey和机器人robotCode不匹配，请使用机器人应用的appkey",
        )
    if robot_code in call.settings.stopped_robots:
        return _refusal("bot.stopped", "群机器人已经停用")
    return None


def _group_of(call: Call, body: dict[str, Any]) -> StoredGroup | web.Response:
    """The live group `openConversationId` names, or the refusal DingTalk sends instead."""
    cid = body.get("openConversationId")
    if not isinstance(cid, str) or not cid:
        return _refusal("miss.openConversationId", "缺少openConversationId")
    group = call.store.by_open_conversation_id(cid)
    if group is None:
        return _refusal("invalid.openConversationId", "无效的openConversationId")
    if group.disbanded:
        return _refusal("group.disbanded", "群已经解散")
    return group


def _msg_param_problem(raw: object) -> tuple[str, str] | dict[str, Any]:
    """The decoded `msgParam`, or the (code, message) refusing it."""
    if not isinstance(raw, str) or not raw:
        return ("invalidParameter.param.invalid", "参数不合法")
    if len(raw.encode("utf-8", "surrogatepass")) > MSG_PARAM_MAX_BYTES:
        return ("invalidParameter.msgParam.tooLong", "消息内容太长")
    try:
        param = json.loads(raw)
    except ValueError:
        param = None
    if not isinstance(param, dict):
        return ("invalidParameter.msgParam.invalid", "msgParam必须是json格式")
    return param


def _too_fast(call: Call, group: StoredGroup) -> bool:
    limit = call.settings.group_message_limit
    if limit is None:
        return False
    since = time.monotonic() - _MINUTE
    recent = sum(1 for message in group.messages if message.sent_at > since)
    return recent >= limit


async def send(call: Call) -> web.Response:
    """`POST /v1.0/robot/groupMessages/send`: post into a group the robot is installed in."""
    body = call.body
    if not isinstance(body, dict):
        return _refusal("invalidParameter.msgBody.invalid", "body必须是JSON")
    refusal = _robot_refusal(call, body)
    if refusal is not None:
        return refusal
    group = _group_of(call, body)
    if isinstance(group, web.Response):
        return group
    if call.robot_code not in group.robots:
        return _refusal("invalidParameter.robotCode.empty", "机器人robotCode为空")
    msg_key = body.get("msgKey")
    if not isinstance(msg_key, str) or not msg_key:
        return _refusal("invalidParameter.msgKey.empty", "缺少msgKey")
    if msg_key not in DOCUMENTED_MSG_KEYS:
        return _refusal("invalidParameter.msgKey.invalid", "msgKey无效")
    param = _msg_param_problem(body.get("msgParam"))
    if isinstance(param, tuple):
        return _refusal(*param)
    if _too_fast(call, group):
        return _refusal("send.too.fast", "限流错误")
    cool_app_code = body.get("coolAppCode")
    message = call.store.post(
        group,
        PostedMessage(
            process_query_key=_ids.process_query_key(),
            robot_code=call.robot_code,
            msg_key=msg_key,
            msg_param=param,
            cool_app_code=cool_app_code if isinstance(cool_app_code, str) else None,
        ),
    )
    return json_reply(200, {"processQueryKey": message.process_query_key})


async def recall(call: Call) -> web.Response:
    """`POST /v1.0/robot/groupMessages/recall`: each key's message becomes RECALLED, or
    says in `failedResult` why not."""
    body = call.body
    if not isinstance(body, dict):
        return _refusal("invalidParameter.param.invalid", "参数不合法，请检查参数是否为空")
    refusal = _robot_refusal(call, body)
    if refusal is not None:
        return refusal
    group = _group_of(call, body)
    if isinstance(group, web.Response):
        return group
    if call.robot_code not in group.robots:
        return _refusal(
            "invalidParameter.robotCode.notExsit",
            "机器人不存在，请检查会话内是否安装了robotCode对应的机器人",
        )
    keys = body.get("processQueryKeys")
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        return _refusal("invalidParameter.processQueryKey.missing", "缺少processQueryKey")
    if len(keys) > MAX_RECALL_KEYS:
        return _refusal(
            "invalidParameter.processQueryKeys.overMax",
            f"processQueryKeys超过数量上限{MAX_RECALL_KEYS}",
        )
    succeeded: list[str] = []
    failed: dict[str, str] = {}
    for key in keys:
        found = call.store.message(key)
        if found is None or found[0] is not group or found[1].robot_code != body["robotCode"]:
            failed[key] = RECALL_NOT_FOUND
        elif found[1].recalled:
            failed[key] = RECALL_REPEATED
        else:
            found[1].status = RECALLED
            succeeded.append(key)
    return json_reply(200, {"successResult": succeeded, "failedResult": failed})


def _offset(token: object) -> int | None:
    """The page cursor: absent means the first page; else a non-negative offset as a string."""
    if token is None or token == "":
        return 0
    if isinstance(token, str) and token.isdigit():
        return int(token)
    return None


async def query(call: Call) -> web.Response:
    """`POST /v1.0/robot/groupMessages/query`: send status and a page of readers."""
    body = call.body
    if not isinstance(body, dict):
        return _refusal("invalidParameter.param.invalid", "参数不合法，请检查参数是否为空")
    key = body.get("processQueryKey")
    if not isinstance(key, str) or not key:
        return _refusal("invalidParameter.processQueryKey.missing", "缺少processQueryKey")
    refusal = _robot_refusal(call, body)
    if refusal is not None:
        return refusal
    size = body.get("maxResults", MAX_READ_STATUS_PAGE)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_READ_STATUS_PAGE:
        return _refusal("invalidParameter.pageSize.invalid", "maxResults超出上限200")
    offset = _offset(body.get("nextToken"))
    if offset is None:
        return _refusal("invalidParameter.cursor.invalid", "无效的nextToken")
    found = call.store.message(key)
    if found is None or found[1].robot_code != body["robotCode"]:
        return _refusal("invalid.processQueryKey", "无效的processQueryKey")
    group, message = found
    cid = body.get("openConversationId")
    if cid is not None and cid != group.open_conversation_id:
        return _refusal("invalid.openConversationId", "无效的openConversationId")
    readers = message.read_by[offset : offset + size]
    has_more = offset + size < len(message.read_by)
    page: dict[str, Any] = {"sendStatus": message.status, "readUserIds": readers}
    page["hasMore"] = has_more
    if has_more:
        page["nextToken"] = str(offset + size)
    return json_reply(200, page)


async def group_robots(call: Call) -> web.Response:
    """`POST /v1.0/robot/groups/robots/query`: the robots installed in a group."""
    body = call.body
    cid = body.get("openConversationId") if isinstance(body, dict) else None
    group = call.store.by_open_conversation_id(cid) if isinstance(cid, str) else None
    if group is None:
        return _refusal("illegal.openconevrsation.id", "群会话id不合法")
    robots = [
        {
            "robotCode": code,
            "name": f"Robot {code}",
            "downloadIconURL": f"https://static.dingtalk.com/robot/{code}.png",
            "openRobotType": _ROBOT_TYPE_INTERNAL_APP,
        }
        for code in sorted(group.robots)
    ]
    return json_reply(200, {"chatbotInstanceVOList": robots})


ROUTES = (
    Route(
        method="POST",
        path="/v1.0/robot/groupMessages/send",
        handler=send,
        permission=ROBOT_SEND_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/robot/groupMessages/recall",
        handler=recall,
        permission=ROBOT_SEND_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/robot/groupMessages/query",
        handler=query,
        permission=ROBOT_SEND_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/robot/groups/robots/query",
        handler=group_robots,
        permission=CHAT_MANAGE_SCOPE,
    ),
)

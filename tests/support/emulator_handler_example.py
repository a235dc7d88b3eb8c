"""An example handler module, as `dingtalk_im_async/emulator/handlers/<name>.py` would be.

docs/testing.md shows this file; tests/emulator/test_emulator_handler_guide.py serves it.
"""

from __future__ import annotations

from aiohttp import web

from dingtalk_im_async.emulator._replies import error_reply, json_reply, oapi_error, oapi_reply
from dingtalk_im_async.endpoints import Host
from dingtalk_im_async.testing import Call, Route


async def rename_group(call: Call) -> web.Response:
    """POST /v1.0/im/example/{chatId}/rename {"name": ...}: a v1.0 handler."""
    group = call.store.by_chatid(call.params["chatId"])
    if group is None:
        return error_reply(400, "invalideChatId", "chatid不合法")
    if not isinstance(call.body, dict) or not isinstance(call.body.get("name"), str):
        return error_reply(400, "parameter.invalid", "输入参数错误: name is mandatory")
    group.name = call.body["name"]
    return json_reply(200, {"success": True})


async def get_group_name(call: Call) -> web.Response:
    """GET {oapi}/example/name?chatid=...: a legacy oapi handler, errcode envelope."""
    group = call.store.by_chatid(call.query.get("chatid", ""))
    if group is None:
        return oapi_error(40016, "不合法的chatid")
    return oapi_reply(name=group.name)


ROUTES = (
    Route(
        method="POST",
        path="/v1.0/im/example/{chatId}/rename",
        handler=rename_group,
        permission="qyapi_chat_manage",
    ),
    Route(
        method="GET",
        path="/example/name",
        host=Host.OAPI,
        handler=get_group_name,
        permission="qyapi_chat_read",
    ),
)

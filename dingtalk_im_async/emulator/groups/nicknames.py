"""Members' nicknames in a group, as DingTalk documents the legacy API
(https://help.dingtalk.io/open/development/set-a-group-nickname): `POST
{oapi}/topapi/chat/updategroupnick` with `chatid`, `userid` and `group_nick`."""

from __future__ import annotations

from aiohttp import web

from ..._core.endpoint import Host
from .._replies import oapi_error, oapi_reply, oapi_request_id
from ..routes import Call, Route
from .create import GROUP_MANAGE_SCOPE

__all__ = ["ROUTES", "update_group_nick"]

#: The documented errcodes: 34001 invalid chatid, 40003 invalid userid, 60124 the user is
#: not in the group, 400002 a parameter is wrong.
_UNKNOWN_CHATID = (34001, "无效的chatid")
_UNKNOWN_USER = (40003, "无效的userid")
_NOT_A_MEMBER = (60124, "用户不在群中")
_BAD_PARAMETER = (400002, "参数错误")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


async def update_group_nick(call: Call) -> web.Response:
    """Set `userid`'s nickname in the group `chatid`; the group keeps it in `nicks`."""
    body = call.body if isinstance(call.body, dict) else {}
    chatid, userid, nick = (_text(body.get(key)) for key in ("chatid", "userid", "group_nick"))
    if nick is None:
        return oapi_error(*_BAD_PARAMETER)
    group = call.store.by_chatid(chatid) if chatid is not None else None
    if group is None or group.disbanded:  # GUESS: the page names no code for a disbanded one
        return oapi_error(*_UNKNOWN_CHATID)
    if userid is None:
        return oapi_error(*_UNKNOWN_USER)
    if userid not in group.members:
        return oapi_error(*_NOT_A_MEMBER)
    group.nicks[userid] = nick
    return oapi_reply(success=True, request_id=oapi_request_id())


ROUTES = (
    Route(
        method="POST",
        path="/topapi/chat/updategroupnick",
        host=Host.OAPI,
        handler=update_group_nick,
        permission=GROUP_MANAGE_SCOPE,
    ),
)

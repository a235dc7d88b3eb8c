"""Group creation (`POST /v1.0/im/group/create`), as DingTalk answers it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .. import _ids
from .._replies import error_reply, json_reply
from ..records import CreatedGroup
from ..routes import Call, Route
from ..store import StoredGroup
from .create_rules import UNSEEN_USER, check_create_body

__all__ = ["CREATE_PATH", "GROUP_MANAGE_SCOPE", "ROUTES", "create_group"]

CREATE_PATH = "/v1.0/im/group/create"
#: The permission the group management APIs need.
GROUP_MANAGE_SCOPE = "qyapi_chat_manage"


async def create_group(call: Call) -> web.Response:
    """`POST /v1.0/im/group/create`: validate, check visibility and whitelist, then create."""
    body = call.body
    problem = check_create_body(body)
    if problem is not None:
        return error_reply(400, "parameter.invalid", f"输入参数错误: {problem}")
    settings = call.settings
    visible = settings.visible_users
    # Documented (https://open.dingtalk.com/document/development/create-common-group-new-version-v2):
    # an owner outside the app's visibility is 400 permession.checkFailed.
    if visible is not None and body["owner"] not in visible:
        return error_reply(400, "permession.checkFailed", "群主不在应用可见性内")
    if visible is not None and any(user not in visible for user in body["useridlist"]):
        return error_reply(400, *UNSEEN_USER)
    tag = body.get("conversationTag", 2)
    if tag == 0 and not settings.whitelisted:
        return error_reply(400, "permession.checkFailed", "权限校验失败")
    robots = {call.robot_code} if settings.robot_in_new_groups else set()
    group = call.store.add(_stored_group(body, tag, robots))
    if settings.record_groups:
        call.emulator.groups.append(
            CreatedGroup(
                open_conversation_id=group.open_conversation_id,
                chatid=group.chatid,
                conversation_tag=tag,
                request=body,
                fault=call.fault,
            )
        )
    return json_reply(
        200,
        {
            "openConversationId": group.open_conversation_id,
            "chatid": group.chatid,
            "conversationTag": tag,
        },
    )


def _stored_group(body: dict[str, Any], tag: int, robots: set[str]) -> StoredGroup:
    """The new group's state from a create body that passed `check_create_body`."""
    owner = str(body["owner"])
    owner_type = str(body.get("ownerType", "emp"))
    members = [str(user) for user in body["useridlist"]]
    if owner_type == "emp" and owner not in members:
        members.insert(0, owner)
    group = StoredGroup(
        chatid=_ids.chatid(),
        open_conversation_id=_ids.open_conversation_id(),
        name=str(body["name"]),
        owner=owner,
        owner_type=owner_type,
        members=list(dict.fromkeys(members)),
        ext_members=list(dict.fromkeys(str(i) for i in body.get("extidlist", ()))),
        icon=None if body.get("icon") is None else str(body["icon"]),
        conversation_tag=tag,
        robots=robots,
    )
    options = body.get("managementOptions")
    if isinstance(options, dict):
        group.options.update({key: value for key, value in options.items() if key in group.options})
    return group


ROUTES = (
    Route(method="POST", path=CREATE_PATH, handler=create_group, permission=GROUP_MANAGE_SCOPE),
)

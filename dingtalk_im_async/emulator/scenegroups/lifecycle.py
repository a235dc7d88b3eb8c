"""A scene group's life: create from a template, update, read back, disband
(https://open.dingtalk.com/document/development/create-a-scene-group,
https://open.dingtalk.com/document/development/api-updatescenegroup,
https://open.dingtalk.com/document/development/query-group-information,
https://open.dingtalk.com/document/development/api-dsbandopenscenegroup).

Groups live in the shared group store, so robot messages, the group controls and
Stream group events work on them as on any group. Where a page names no code for
a case, the choice is marked GUESS (and listed in docs/scene-groups.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from .. import _ids
from .._replies import error_reply, json_reply
from ..routes import Call, Route
from ..store import DISBANDED, StoredGroup
from .lookup import DISBANDED as DISBANDED_REFUSAL
from .lookup import find_scene_group, scene_groups
from .rules import check_create_body, check_update_body
from .store import MEMBER_LIMIT, SceneGroup

__all__ = ["GROUP_MANAGE_SCOPE", "ROUTES", "group_url"]

#: The permission every scene-group API but the mute read needs.
GROUP_MANAGE_SCOPE = "qyapi_chat_manage"
_OWNER_UNSEEN = ("permession.checkFailed", "群主不在应用可见性内")  # sic
_COOL_APP_UNKNOWN = ("coolAppUnexist", "群聊酷应用不存在")


def _invalid(problem: str) -> web.Response:
    return error_reply(400, "parameter.invalid", f"输入参数错误: {problem}")


def _unseen(call: Call, user: str) -> bool:
    visible = call.settings.visible_users
    return visible is not None and user not in visible


def group_url(call: Call, scene: SceneGroup) -> str:
    """The emulator's stand-in for a group's link: its dashboard."""
    return f"{call.emulator.base_url}/?group={quote(scene.open_conversation_id, safe='')}"


def _ids_of(scene: SceneGroup) -> dict[str, str]:
    group = scene.group
    return {"open_conversation_id": group.open_conversation_id, "chat_id": group.chatid}


async def create_scene_group(call: Call) -> web.Response:
    """`POST /v1.0/im/sceneGroup/create`: validate, replay a known `uuid`, check the template,
    the owner's visibility and the member limit, then create."""
    body = call.body
    problem = check_create_body(body)
    if problem is not None:
        return _invalid(problem)
    scenes = scene_groups(call)
    uuid = body.get("uuid")
    if uuid is not None:
        # DingTalk's answer to a replay is undocumented (UNCONFIRMED): the emulator answers
        # with the group the first create made, whatever the rest of the body says.
        earlier = scenes.by_uuid(call.tenant.corp_id, uuid)
        if earlier is not None:
            return json_reply(200, _ids_of(earlier))
    templates = call.settings.scene_group_templates
    if templates is not None and body["template_id"] not in templates:
        return error_reply(400, "groupTemplate.notFound", "群模板不存在或者已下线")
    owner = body["owner_user_id"]
    if _unseen(call, owner):
        return error_reply(400, *_OWNER_UNSEEN)
    admins = list(dict.fromkeys(body.get("subadmin_ids", ())))
    # GUESS: admins who are not listed as members join the group too.
    members = list(dict.fromkeys([owner, *body.get("user_ids", ()), *admins]))
    if len(members) > MEMBER_LIMIT:
        return error_reply(400, "member.exceed", "群成员数量超出限制")
    robots = {call.robot_code} if call.settings.robot_in_new_groups else set()
    group = call.store.add(
        StoredGroup(
            chatid=_ids.chatid(),
            open_conversation_id=_ids.open_conversation_id(),
            name=body["title"],
            owner=owner,
            members=members,
            sub_admins=set(admins) - {owner},
            icon=body.get("icon"),
            robots=robots,
        )
    )
    scene = scenes.add(
        SceneGroup(
            group=group,
            template_id=body["template_id"],
            uuid=uuid,
            options=dict(body.get("management_options", {})),
            corp_id=call.tenant.corp_id,
        )
    )
    return json_reply(200, _ids_of(scene))


async def update_scene_group(call: Call) -> web.Response:
    """`POST /v1.0/im/sceneGroup/update`: title, icon, owner and settings at once."""
    body = call.body
    problem = check_update_body(body)
    if problem is not None:
        return _invalid(problem)
    found = find_scene_group(
        call,
        body["open_conversation_id"],
        # GUESS: the page documents parameter.invalid only.
        unknown=("parameter.invalid", "输入参数错误: open_conversation_id不合法"),
        disbanded=DISBANDED_REFUSAL,
    )
    if isinstance(found, web.Response):
        return found
    group = found.group
    owner, owner_type = group.owner, group.owner_type
    if "owner_user_id" in body:
        owner, owner_type = body["owner_user_id"], "emp"
    elif "owner_union_id" in body:
        owner, owner_type = body["owner_union_id"], "ext"
    if (owner, owner_type) != (group.owner, group.owner_type):
        current = group.members if owner_type == "emp" else group.ext_members
        if owner not in current:  # GUESS, as the group update page says of its owner
            return _invalid(f"the new owner {owner} must already be a member of the group")
        if owner_type == "emp" and _unseen(call, owner):
            return error_reply(400, *_OWNER_UNSEEN)
    _apply_update(call, found, body, owner, owner_type)
    return json_reply(200, {"success": True})


def _apply_update(
    call: Call, scene: SceneGroup, body: dict[str, Any], owner: str, owner_type: str
) -> None:
    group = scene.group
    renamed = "title" in body and body["title"] != group.name
    owner_changed = (owner, owner_type) != (group.owner, group.owner_type)
    group.owner, group.owner_type = owner, owner_type
    group.sub_admins.discard(owner)
    if renamed:
        group.name = body["title"]
    if "icon" in body:
        group.icon = body["icon"]
    scene.options.update(body.get("management_options", {}))
    if owner_changed:
        call.store.emit("chat_update_owner", group, owner=owner)
    if renamed:
        call.store.emit("chat_update_title", group, title=group.name)


async def query_scene_group(call: Call) -> web.Response:
    """`POST /v1.0/im/sceneGroups/query`: the group as it is now (status 2 once disbanded)."""
    body = call.body if isinstance(call.body, dict) else {}
    cid = body.get("openConversationId")
    if cid is None:
        return error_reply(400, "paramBlank", "请求参数为空")
    if body.get("coolAppCode") is not None:  # the emulator has no group cool apps
        return error_reply(400, *_COOL_APP_UNKNOWN)
    found = find_scene_group(call, cid, unknown=("cidEncryptError", "群ID解析错误"))
    if isinstance(found, web.Response):
        return found
    group = found.group
    reply: dict[str, Any] = {
        "success": True,
        "openConversationId": group.open_conversation_id,
        "templateId": found.template_id,
        "title": group.name,
        "ownerUserId": group.owner,
        "groupUrl": group_url(call, found),
        "status": group.status,
    }
    if group.icon is not None:
        reply["icon"] = group.icon
    return json_reply(200, reply)


async def disband_scene_group(call: Call) -> web.Response:
    """`POST /v1.0/im/chat/scenegroup/disband`: the group's status becomes 2; disbanding it
    again succeeds again (GUESS: the page does not say)."""
    body = call.body if isinstance(call.body, dict) else {}
    found = find_scene_group(
        call,
        body.get("openConversationId"),
        unknown=("paramIllegal", "paramIllegal"),
        plain=("paramIllegal", "paramIllegal"),  # GUESS: documented for scene groups only
    )
    if isinstance(found, web.Response):
        return found
    group = found.group
    if group.owner_type == "emp" and _unseen(call, group.owner):
        return error_reply(400, *_OWNER_UNSEEN)
    if not group.disbanded:
        group.status = DISBANDED
        call.store.emit("chat_disband", group)
    return json_reply(200, {"success": True})


ROUTES = (
    Route(
        method="POST",
        path="/v1.0/im/sceneGroup/create",
        handler=create_scene_group,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/im/sceneGroup/update",
        handler=update_scene_group,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/im/sceneGroups/query",
        handler=query_scene_group,
        permission=GROUP_MANAGE_SCOPE,
    ),
    Route(
        method="POST",
        path="/v1.0/im/chat/scenegroup/disband",
        handler=disband_scene_group,
        permission=GROUP_MANAGE_SCOPE,
    ),
)

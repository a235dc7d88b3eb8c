"""How a scene-group handler finds the group a call names, answering as that API documents
a wrong id, a group made without a template, or a disbanded group."""

from __future__ import annotations

from aiohttp import web

from .._replies import error_reply
from ..routes import Call
from .store import SceneGroup, SceneGroupStore

__all__ = ["DISBANDED", "NO_TEMPLATE", "Refusal", "find_scene_group", "scene_groups"]

#: A refusal: (code, message), always HTTP 400.
Refusal = tuple[str, str]

#: The family's answer for a group made without a template
#: (https://open.dingtalk.com/document/development/query-group-members).
NO_TEMPLATE: Refusal = ("groupPermissionDenied", "无权限，该群没有安装群模板")
#: The family's spelling for a disbanded group (sic; the admins page).
DISBANDED: Refusal = ("groupDisbang", "群已经解散")


def scene_groups(call: Call) -> SceneGroupStore:
    """The emulator's scene-group store."""
    return call.stores.of(SceneGroupStore)


def find_scene_group(
    call: Call,
    open_conversation_id: object,
    *,
    unknown: Refusal,
    plain: Refusal = NO_TEMPLATE,
    disbanded: Refusal | None = None,
) -> SceneGroup | web.Response:
    """The scene group `open_conversation_id` names, or the refusal this API answers with:
    `unknown` for an id that names no group, `plain` for a group made without a template,
    `disbanded` (when given) for one that was disbanded."""
    if not isinstance(open_conversation_id, str) or not open_conversation_id.strip():
        return error_reply(400, *unknown)
    # `call.store` sees the token's organisation's groups only: another's is unknown.
    known = call.store.by_open_conversation_id(open_conversation_id) is not None
    scene = scene_groups(call).get(open_conversation_id) if known else None
    if scene is None:
        return error_reply(400, *(plain if known else unknown))
    if disbanded is not None and scene.group.disbanded:
        return error_reply(400, *disbanded)
    return scene

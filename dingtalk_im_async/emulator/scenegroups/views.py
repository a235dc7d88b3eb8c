"""The admin API's JSON shape of a scene group: the group's own shape (`groups/views.py`)
with what only scene groups have, by camelCase keys. `RemoteEmulator` reads it back into
the same `SceneGroup`; the state file keeps the extras beside the groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..groups.views import group_from_view, group_view
from ..store import StoredGroup
from .store import Mute, SceneGroup

__all__ = ["scene_extras", "scene_from_extras", "scene_group_from_view", "scene_group_view"]


def scene_extras(scene: SceneGroup) -> dict[str, Any]:
    """What only a scene group has, with its id; `scene_from_extras` reads it back."""
    return {
        "openConversationId": scene.open_conversation_id,
        "templateId": scene.template_id,
        "uuid": scene.uuid,
        "corpId": scene.corp_id,
        "managementOptions": dict(scene.options),
        "mutes": {
            user: {"start": mute.start_ms, "end": mute.end_ms} for user, mute in scene.mutes.items()
        },
    }


def scene_group_view(scene: SceneGroup) -> dict[str, Any]:
    """A scene group's whole current state; `scene_group_from_view` reads it back."""
    return {**group_view(scene.group), **scene_extras(scene)}


def scene_group_from_view(view: Mapping[str, Any]) -> SceneGroup:
    """The `SceneGroup` of `scene_group_view`'s shape (its group's messages included); a
    missing or mistyped key is a KeyError / TypeError / ValueError."""
    group, messages = group_from_view(view)
    group.messages.extend(messages)
    return scene_from_extras(group, view)


def scene_from_extras(group: StoredGroup, view: Mapping[str, Any]) -> SceneGroup:
    """The scene group of `group` with the extras of `scene_extras`' shape."""
    template_id = view["templateId"]
    if not isinstance(template_id, str):
        raise TypeError(f"templateId must be a string, got {template_id!r}")
    return SceneGroup(
        group=group,
        template_id=template_id,
        uuid=view.get("uuid"),
        corp_id=view.get("corpId"),
        options={str(key): int(value) for key, value in view.get("managementOptions", {}).items()},
        mutes={
            str(user): Mute(start_ms=int(mute["start"]), end_ms=int(mute["end"]))
            for user, mute in view.get("mutes", {}).items()
        },
    )

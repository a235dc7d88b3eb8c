"""The scene-group family's controls: list and read the emulator's scene groups.

The shape of `groups/controls.py`: `SceneGroupControls` written once, carried out in
process by `LocalSceneGroupControls` (a base of `DingTalkEmulator`), served over the
admin API by `ADMIN_ROUTES` (`/_emulator/scene-groups`, which the dashboard's panel
reads), and sent there by `RemoteSceneGroupControls` (a base of `RemoteEmulator`).
A scene group's members, admins, robots and messages are its `group`'s, so the group
controls (`get_group`, `install_robot`, ...) work on it too.
"""

from __future__ import annotations

import abc
from typing import Any

from .._admin_kit import AdminCall, AdminClient, AdminRoute, NotFoundError, segment
from .._stores import FamilyStores
from .store import SceneGroup, SceneGroupStore
from .views import scene_group_from_view, scene_group_view

__all__ = [
    "ADMIN_ROUTES",
    "LocalSceneGroupControls",
    "RemoteSceneGroupControls",
    "SceneGroupControls",
]


class SceneGroupControls(abc.ABC):
    """Inspect the emulator's scene groups (in process and remotely alike)."""

    @abc.abstractmethod
    async def list_scene_groups(self) -> list[SceneGroup]:
        """Every scene group, in creation order: its group (members, admins, status, ...), its
        template, dedup key, settings and mutes."""

    @abc.abstractmethod
    async def get_scene_group(self, open_conversation_id: str) -> SceneGroup:
        """One scene group by openConversationId; `NotFoundError` if there is none."""


class LocalSceneGroupControls(SceneGroupControls):
    """The scene-group controls carried out on the emulator's own stores."""

    stores: FamilyStores

    async def list_scene_groups(self) -> list[SceneGroup]:
        return list(self.stores.of(SceneGroupStore))

    async def get_scene_group(self, open_conversation_id: str) -> SceneGroup:
        scene = self.stores.of(SceneGroupStore).get(open_conversation_id)
        if scene is None:
            raise NotFoundError(f"no scene group has the id {open_conversation_id!r}")
        return scene


class RemoteSceneGroupControls(SceneGroupControls, AdminClient):
    """The scene-group controls sent to a running emulator's admin API."""

    async def list_scene_groups(self) -> list[SceneGroup]:
        found = await self._admin("GET", "/scene-groups")
        return [scene_group_from_view(view) for view in found["sceneGroups"]]

    async def get_scene_group(self, open_conversation_id: str) -> SceneGroup:
        view = await self._admin("GET", f"/scene-groups/{segment(open_conversation_id)}")
        return scene_group_from_view(view)


async def _list(call: AdminCall) -> Any:
    scenes = await call.controls(LocalSceneGroupControls).list_scene_groups()
    return {"sceneGroups": [scene_group_view(scene) for scene in scenes]}


async def _get(call: AdminCall) -> Any:
    controls = call.controls(LocalSceneGroupControls)
    return scene_group_view(await controls.get_scene_group(call.params["group_id"]))


ADMIN_ROUTES = (
    AdminRoute(method="GET", path="/scene-groups", handler=_list),
    AdminRoute(method="GET", path="/scene-groups/{group_id}", handler=_get),
)

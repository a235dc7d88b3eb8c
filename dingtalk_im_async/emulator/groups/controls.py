"""The group family's controls: list, read and add groups, install and remove robots.

Written once as `GroupControls`, carried out in process by `LocalGroupControls`
(a base of `DingTalkEmulator`), served over the admin API by `ADMIN_ROUTES`, and
sent there by `RemoteGroupControls` (a base of `RemoteEmulator`). A family of
its own copies this module's shape.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Iterable
from typing import Any

from .. import _ids
from .._admin_kit import AdminCall, AdminClient, AdminRoute, NotFoundError, segment
from ..controls import DONE, Done
from ..store import GroupStore, StoredGroup
from .views import group_from_view, group_view

__all__ = ["ADMIN_ROUTES", "GroupControls", "LocalGroupControls", "RemoteGroupControls"]


class GroupControls(abc.ABC):
    """Inspect and arrange the emulator's groups (in process and remotely alike)."""

    @abc.abstractmethod
    async def list_groups(self) -> list[StoredGroup]:
        """Every group's current state, in creation order (members, admins, robots, messages)."""

    @abc.abstractmethod
    async def get_group(self, group_id: str) -> StoredGroup:
        """One group by openConversationId or chatid; `NotFoundError` if there is none."""

    @abc.abstractmethod
    async def add_group(
        self,
        *,
        name: str,
        owner: str,
        members: Iterable[str] = (),
        open_conversation_id: str | None = None,
        chatid: str | None = None,
        robots: Iterable[str] | None = None,
    ) -> StoredGroup:
        """Put a group in place without the create API (a demo group, or one a test starts
        from): ids are made up unless given, the owner is a member, and `robots` defaults
        to the app's robot. An id already taken is a ValueError."""

    @abc.abstractmethod
    def install_robot(self, group_id: str, robot_code: str) -> Awaitable[None]:
        """Put this robot into the group."""

    @abc.abstractmethod
    def remove_robot(self, group_id: str, robot_code: str) -> Awaitable[None]:
        """Take this robot out of the group."""


class LocalGroupControls(GroupControls):
    """The group controls carried out on the emulator's own `store`."""

    store: GroupStore

    @property
    @abc.abstractmethod
    def robot_code(self) -> str:
        """The app's robot code."""

    def _group(self, group_id: str) -> StoredGroup:
        group = self.store.by_open_conversation_id(group_id) or self.store.by_chatid(group_id)
        if group is None:
            raise NotFoundError(f"no group has the id {group_id!r}")
        return group

    async def list_groups(self) -> list[StoredGroup]:
        return list(self.store)

    async def get_group(self, group_id: str) -> StoredGroup:
        return self._group(group_id)

    async def add_group(
        self,
        *,
        name: str,
        owner: str,
        members: Iterable[str] = (),
        open_conversation_id: str | None = None,
        chatid: str | None = None,
        robots: Iterable[str] | None = None,
    ) -> StoredGroup:
        for label, text in (("name", name), ("owner", owner)):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{label} must be a non-blank string, got {text!r}")
        everyone = [owner, *(user for user in members if user != owner)]
        group = StoredGroup(
            chatid=chatid or _ids.chatid(),
            open_conversation_id=open_conversation_id or _ids.open_conversation_id(),
            name=name,
            owner=owner,
            members=list(dict.fromkeys(everyone)),
            robots={self.robot_code} if robots is None else set(robots),
        )
        return self.store.add(group)

    def install_robot(self, group_id: str, robot_code: str) -> Done:
        self._group(group_id).robots.add(robot_code)
        return DONE

    def remove_robot(self, group_id: str, robot_code: str) -> Done:
        self._group(group_id).robots.discard(robot_code)
        return DONE


class RemoteGroupControls(GroupControls, AdminClient):
    """The group controls sent to a running emulator's admin API."""

    async def list_groups(self) -> list[StoredGroup]:
        found = await self._admin("GET", "/groups")
        return [_group(view) for view in found["groups"]]

    async def get_group(self, group_id: str) -> StoredGroup:
        return _group(await self._admin("GET", f"/groups/{segment(group_id)}"))

    async def add_group(
        self,
        *,
        name: str,
        owner: str,
        members: Iterable[str] = (),
        open_conversation_id: str | None = None,
        chatid: str | None = None,
        robots: Iterable[str] | None = None,
    ) -> StoredGroup:
        body = {
            "name": name,
            "owner": owner,
            "members": list(members),
            "openConversationId": open_conversation_id,
            "chatid": chatid,
            "robots": None if robots is None else list(robots),
        }
        return _group(await self._admin("POST", "/groups", body))

    async def install_robot(self, group_id: str, robot_code: str) -> None:
        await self._admin("PUT", f"/groups/{segment(group_id)}/robots/{segment(robot_code)}")

    async def remove_robot(self, group_id: str, robot_code: str) -> None:
        await self._admin("DELETE", f"/groups/{segment(group_id)}/robots/{segment(robot_code)}")


def _group(view: Any) -> StoredGroup:
    group, messages = group_from_view(view)
    group.messages.extend(messages)
    return group


# -- the admin routes ----------------------------------------------------------------------


async def _list(call: AdminCall) -> Any:
    groups = await call.controls(LocalGroupControls).list_groups()
    return {"groups": [group_view(group) for group in groups]}


async def _get(call: AdminCall) -> Any:
    return group_view(await call.controls(LocalGroupControls).get_group(call.params["group_id"]))


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, got {value!r}")
    return value


def _optional_texts(body: dict[str, Any], key: str) -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key} must be a list of strings")
    return value


async def _add(call: AdminCall) -> Any:
    """`{"name", "owner", "members", "openConversationId", "chatid", "robots"}`."""
    body = await call.body()
    group = await call.controls(LocalGroupControls).add_group(
        name=_text(body, "name"),
        owner=_text(body, "owner"),
        members=_optional_texts(body, "members") or (),
        open_conversation_id=body.get("openConversationId"),
        chatid=body.get("chatid"),
        robots=_optional_texts(body, "robots"),
    )
    return group_view(group)


async def _install(call: AdminCall) -> Any:
    controls = call.controls(LocalGroupControls)
    await controls.install_robot(call.params["group_id"], call.params["robot_code"])
    return {"robots": sorted((await controls.get_group(call.params["group_id"])).robots)}


async def _remove(call: AdminCall) -> Any:
    controls = call.controls(LocalGroupControls)
    await controls.remove_robot(call.params["group_id"], call.params["robot_code"])
    return {"robots": sorted((await controls.get_group(call.params["group_id"])).robots)}


ADMIN_ROUTES = (
    AdminRoute(method="GET", path="/groups", handler=_list),
    AdminRoute(method="POST", path="/groups", handler=_add),
    AdminRoute(method="GET", path="/groups/{group_id}", handler=_get),
    AdminRoute(method="PUT", path="/groups/{group_id}/robots/{robot_code}", handler=_install),
    AdminRoute(method="DELETE", path="/groups/{group_id}/robots/{robot_code}", handler=_remove),
)

"""The robot family's controls: members reading a message (what the read-status API reports).

The same shape as `groups/controls.py`: `RobotControls` written once, carried out
in process by `LocalRobotControls`, served by `ADMIN_ROUTES`, sent by
`RemoteRobotControls`.
"""

from __future__ import annotations

import abc
from typing import Any

from .._admin_kit import AdminCall, AdminClient, AdminRoute, NotFoundError, segment
from ..store import GroupStore

__all__ = ["ADMIN_ROUTES", "LocalRobotControls", "RemoteRobotControls", "RobotControls"]


class RobotControls(abc.ABC):
    """Drive what the robot APIs report (in process and remotely alike)."""

    @abc.abstractmethod
    async def mark_read(self, process_query_key: str, *user_ids: str) -> list[str]:
        """Record that these members read the message, each once and in this order, as
        opening the group on DingTalk does; returns everyone who has read it. An unknown
        key is a `NotFoundError`, a user outside the group a ValueError."""


class LocalRobotControls(RobotControls):
    """The robot controls carried out on the emulator's own `store`."""

    store: GroupStore

    async def mark_read(self, process_query_key: str, *user_ids: str) -> list[str]:
        try:
            message = self.store.mark_read(process_query_key, *user_ids)
        except KeyError as error:
            raise NotFoundError(str(error.args[0])) from None
        return list(message.read_by)


class RemoteRobotControls(RobotControls, AdminClient):
    """The robot controls sent to a running emulator's admin API."""

    async def mark_read(self, process_query_key: str, *user_ids: str) -> list[str]:
        found = await self._admin(
            "POST", f"/messages/{segment(process_query_key)}/read", {"userIds": list(user_ids)}
        )
        return list(found["readBy"])


async def _mark_read(call: AdminCall) -> Any:
    """`{"userIds": [...]}`."""
    users = (await call.body()).get("userIds")
    if not isinstance(users, list) or not all(isinstance(user, str) for user in users):
        raise ValueError("userIds must be a list of userids")
    read_by = await call.controls(LocalRobotControls).mark_read(call.params["key"], *users)
    return {"readBy": read_by}


ADMIN_ROUTES = (AdminRoute(method="POST", path="/messages/{key}/read", handler=_mark_read),)

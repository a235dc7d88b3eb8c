"""What the reply helper needs from the robot API: `RobotService.send(GroupMessage(...))`.

`RobotSender` is the seam (any object with that `send`, `client.robot` first
of all); the message classes are the robot API's own.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..robot.messages import Markdown, Text
from ..robot.models import GroupMessage

__all__ = ["GroupMessage", "Markdown", "RobotSender", "Text"]


@runtime_checkable
class RobotSender(Protocol):
    """Anything that sends a `GroupMessage` through the robot API, e.g. `client.robot`."""

    async def send(self, message: GroupMessage, /) -> object: ...

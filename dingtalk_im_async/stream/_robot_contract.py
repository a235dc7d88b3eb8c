"""What the reply helper needs from the robot API (issue 13), until that reaches `main`.

`RobotService.send(GroupMessage(open_conversation_id=..., message=Text("...")))`
is the contract in the lead's CORE_API; these classes have the same shape so
the reply helper can be written and tested now. When `models/robot.py` lands,
they are replaced by imports from there and `RobotSender` stays the seam.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from attrs import define, field

from ..models._common import check_text

__all__ = ["GroupMessage", "Markdown", "RobotSender", "Text"]


def _text(value: str) -> str:
    return check_text("content", value)


def _title(value: str) -> str:
    return check_text("title", value)


def _markdown_text(value: str) -> str:
    return check_text("text", value)


@define(frozen=True)
class Text:
    """A plain-text message."""

    content: str = field(converter=_text)


@define(frozen=True)
class Markdown:
    """A Markdown message; `title` is what notifications show."""

    title: str = field(converter=_title)
    text: str = field(converter=_markdown_text)


@define(frozen=True, kw_only=True)
class GroupMessage:
    """A message the app's robot sends into a group."""

    open_conversation_id: str
    message: object


@runtime_checkable
class RobotSender(Protocol):
    """Anything that sends a `GroupMessage` through the robot API, e.g. `client.robot`."""

    async def send(self, message: GroupMessage, /) -> object: ...

"""The operations `dingtalk-im bulk --operation NAME` runs: one request type and one service
method each, so reading input, pacing, results and `--resume` are written once.

Input records are structured into `request_type` through the one converter
(`_wire.converter`); `label` names an input in progress and results. Each
family's entries live in a section of their own below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

from attrs import define

from ..client import DingTalkClient
from ..models import GroupMessage, SendResult
from ._rows import Column, columns

__all__ = ["OPERATIONS", "SEND_MESSAGE", "Operation", "register"]

Req = TypeVar("Req")
Res = TypeVar("Res")


@define(frozen=True, kw_only=True)
class Operation(Generic[Req, Res]):
    """One bulk operation: what its input records become and which method they go to."""

    #: `bulk --operation NAME`, e.g. "create", "send".
    name: str
    #: What each input record is structured into.
    request_type: type[Req]
    #: The service method of a client, e.g. `lambda client: client.robot.send`.
    method: Callable[[DingTalkClient], Callable[[Req], Awaitable[Res]]]
    #: What progress and results call an input.
    label: Callable[[Req], str]
    #: The keys an input row may use, where the request's fields are not what rows hold
    #: (None: `_rows.columns(request_type)`).
    columns: Mapping[str, Column] | None = None
    #: The wire keys a row must give (None: `_rows.required_columns(request_type)`).
    required_columns: tuple[str, ...] | None = None


#: Every operation by name.
OPERATIONS: dict[str, Operation[Any, Any]] = {}


def register(operation: Operation[Req, Res]) -> Operation[Req, Res]:
    """Add `operation` under its name; a name taken twice is a ValueError."""
    if operation.name in OPERATIONS:
        raise ValueError(f"two bulk operations are called {operation.name!r}")
    OPERATIONS[operation.name] = operation
    return operation


# -- robot --------------------------------------------------------------------------------


def _robot_send(client: DingTalkClient) -> Callable[[GroupMessage], Awaitable[SendResult]]:
    return client.robot.send


def _group_of(message: GroupMessage) -> str:
    return message.open_conversation_id


def _message_columns() -> dict[str, Column]:
    """A row holds the message as DingTalk's `msgKey` and `msgParam` (the JSON string; in
    JSON Lines also an object), not as the `message` field of `GroupMessage`."""
    known = {key: column for key, column in columns(GroupMessage).items() if key != "message"}
    for wire, python in (("msgKey", "msg_key"), ("msgParam", "msg_param")):
        known[wire] = known[python] = Column((wire,), "text")
    return known


#: One message per record into its group (`openConversationId`, `msgKey`, `msgParam`, and
#: optionally `robotCode`, `coolAppCode`). Not repeat-safe: unknown outcomes stay unknown.
SEND_MESSAGE: Operation[GroupMessage, SendResult] = register(
    Operation(
        name="send",
        request_type=GroupMessage,
        method=_robot_send,
        label=_group_of,
        columns=_message_columns(),
        required_columns=("openConversationId", "msgKey", "msgParam"),
    )
)

"""The operations `dingtalk-im bulk --operation NAME` runs: one request type and one service
method each, so reading input, pacing, results and `--resume` are written once.

Input records are structured into `request_type` through the one converter
(`_wire.converter`); `label` names an input in progress and results. Each
family's entries live in a section of their own below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from attrs import define

from ..client import DingTalkClient
from ..models import GroupMessage, SendResult

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


#: One message per record into its group (`openConversationId`, `msgKey`, `msgParam`: the
#: JSON string, or an object in JSON Lines). Not repeat-safe: unknown outcomes stay unknown.
SEND_MESSAGE: Operation[GroupMessage, SendResult] = register(
    Operation(name="send", request_type=GroupMessage, method=_robot_send, label=_group_of)
)

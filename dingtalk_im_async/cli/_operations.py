"""The operations `dingtalk-im bulk --operation NAME` can run, one `Operation` each.

An input row (CSV or JSON Lines) is structured into the operation's request
type through the one converter (wire names or snake_case names), the request
goes to the operation's service method, and its result is written as
`{"line", "name": label(request), "status", **to_wire(result)}`. Whether an
unknown outcome may be sent again on `--resume` is the method's endpoint's
`repeat_safe` (`_service.endpoint_of`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from attrs import define

from ..client import DingTalkClient
from ..models import UpdateAdminsRequest, UpdateAdminsResult, UpdateGroupRequest, UpdateGroupResult

__all__ = ["LIFECYCLE_OPERATIONS", "SUB_ADMINS", "UPDATE", "Operation"]

Req = TypeVar("Req")
Res = TypeVar("Res")


@define(frozen=True, kw_only=True)
class Operation(Generic[Req, Res]):
    """One service operation, as the bulk command runs it."""

    #: `bulk --operation NAME`.
    name: str
    #: What each input row is structured into (validated when built).
    request_type: type[Req]
    #: The client's bound method that sends one request.
    method: Callable[[DingTalkClient], Callable[[Req], Awaitable[Res]]]
    #: What results and progress call an input.
    label: Callable[[Req], str]


def _groups_update(
    client: DingTalkClient,
) -> Callable[[UpdateGroupRequest], Awaitable[UpdateGroupResult]]:
    return client.groups.update


def _groups_update_admins(
    client: DingTalkClient,
) -> Callable[[UpdateAdminsRequest], Awaitable[UpdateAdminsResult]]:
    return client.groups.update_admins


def _chatid(request: UpdateGroupRequest) -> str:
    return request.chatid


def _open_conversation_id(request: UpdateAdminsRequest) -> str:
    return request.open_conversation_id


#: "Add these 3 people to these 500 groups", "rename these groups": a row per group,
#: keyed by `chatid` (member lists `add_useridlist`, ...). Safe to repeat.
UPDATE: Operation[UpdateGroupRequest, UpdateGroupResult] = Operation(
    name="update",
    request_type=UpdateGroupRequest,
    method=_groups_update,
    label=_chatid,
)
#: Admins set or unset per group: `openConversationId`, `userIds`, `role` (2 add, 3
#: remove). Safe to repeat.
SUB_ADMINS: Operation[UpdateAdminsRequest, UpdateAdminsResult] = Operation(
    name="sub-admins",
    request_type=UpdateAdminsRequest,
    method=_groups_update_admins,
    label=_open_conversation_id,
)
LIFECYCLE_OPERATIONS = (UPDATE, SUB_ADMINS)

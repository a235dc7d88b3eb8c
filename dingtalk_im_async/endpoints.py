"""One `Endpoint` per DingTalk API: everything the transport needs to know about it.

A service method is `self._transport.call(ENDPOINT, request)`; nothing below
the service knows which API it carries beyond this value. The `api` name is
what DingTalk's per-app QPS limit counts, so it keys pacing (and the Redis
pacer's key) and the emulator's QPS windows and faults.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Generic, TypeVar

from attrs import define, field

from .errors import require_success
from .models import (
    CreateGroupRequest,
    CreateGroupResult,
    GetGroupRequest,
    GroupInfo,
    OpenConversationIdRequest,
    OpenConversationIdResult,
    UpdateAdminsRequest,
    UpdateAdminsResult,
    UpdateGroupRequest,
    UpdateGroupResult,
)
from .models.robot import GroupMessage
from .models.robot_results import (
    GroupRobots,
    GroupRobotsQuery,
    ReadStatusPage,
    ReadStatusQuery,
    RecallRequest,
    RecallResult,
    SendResult,
)

__all__ = [
    "CONVERT_TO_OPEN_CONVERSATION_ID",
    "CREATE_GROUP",
    "GET_GROUP",
    "QUERY_GROUP_ROBOTS",
    "QUERY_READ_STATUS",
    "RECALL_GROUP_MESSAGES",
    "SEND_GROUP_MESSAGE",
    "SUB_ADMINISTRATORS",
    "TOKEN_API",
    "TOKEN_PATH",
    "UPDATE_GROUP",
    "Endpoint",
    "Host",
    "api_name",
]

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")

#: The token endpoint: not an `Endpoint` (it is what gets the token), but paced and
#: counted by the emulator under this API name.
TOKEN_PATH = "/v1.0/oauth2/accessToken"


class Host(enum.Enum):
    """Which of DingTalk's two hosts an API lives on, and so how it authenticates and fails.

    - `API`: `api.dingtalk.io`, the v1.0 API: token in the `x-acs-dingtalk-access-token`
      header, errors as HTTP 4xx/5xx with `{"code", "message", "requestid"}`.
    - `OAPI`: `oapi.dingtalk.io`, the legacy API: token as the `access_token` query
      parameter, every reply HTTP 200 with an `errcode`/`errmsg` envelope.
    """

    API = "api"
    OAPI = "oapi"


def api_name(path: str) -> str:
    """DingTalk's name for the API at `path`: `/v1.0/im/group/create` -> `im.group.create`.

    Path parameters (`{chatId}`) are left out; legacy paths get an `oapi.` prefix.
    """
    parts = [part for part in path.split("/") if part and not part.startswith("{")]
    if parts and parts[0] == "v1.0":
        return ".".join(parts[1:])
    return ".".join(["oapi", *parts])


TOKEN_API = api_name(TOKEN_PATH)


@define(frozen=True, kw_only=True)
class Endpoint(Generic[RequestT, ResultT]):
    """A DingTalk API: where it is, what it takes and returns, and whether to repeat it.

    - `path` may hold `{placeholders}` named after wire fields of the request:
      they are filled from the request (percent-encoded) and left out of the body.
    - `method`: `POST` sends the request as a JSON body; `GET` as query parameters.
    - `repeat_safe`: True when applying the call twice does no harm (an update
      sets state); a call that is not (create, send) is never resent after an
      `UNKNOWN` verdict unless the user asks.
    - `result_key`: the reply key the result is read from (the legacy
      `chat/get` nests it under `chat_info`), else the whole reply.
    - `check(status, result)`: raises the error a success-shaped reply stands
      for (e.g. `{"success": false}`), built by `errors.py`.
    - `api`: DingTalk's name for the API, derived from the path.
    """

    path: str
    """Path on the host, e.g. `/v1.0/im/group/create`; `{placeholders}` name request wire
    fields."""
    method: str = "POST"
    """`POST` (a JSON body) or `GET` (query parameters)."""
    host: Host = Host.API
    """Which DingTalk host: the v1.0 API (token in a header) or the legacy oapi host
    (token in the query, `errcode` envelope)."""
    request_type: type[RequestT]
    """The attrs class a call takes; anything else is refused before any I/O."""
    result_type: type[ResultT]
    """The attrs class a successful reply is read into."""
    repeat_safe: bool
    """Whether applying the call twice does no harm (an update), so an unknown outcome
    may be sent again; False for creates and sends."""
    result_key: str | None = None
    """The reply key the result is read from (e.g. `chat_info`); None: the whole reply."""
    check: Callable[[int, ResultT], None] | None = field(default=None, eq=False)
    """Raises the error a success-shaped reply stands for (e.g. `success: false`); None:
    every 2xx result is a success."""
    api: str = field()
    """DingTalk's name for the API (e.g. `im.group.create`), derived from the path; keys
    QPS pacing."""

    @api.default
    def _api_from_path(self) -> str:
        return api_name(self.path)

    def __repr__(self) -> str:
        return f"Endpoint({self.method} {self.host.value}:{self.path})"


CREATE_GROUP: Endpoint[CreateGroupRequest, CreateGroupResult] = Endpoint(
    path="/v1.0/im/group/create",
    request_type=CreateGroupRequest,
    result_type=CreateGroupResult,
    repeat_safe=False,
)


# -- lifecycle: update, ids, admins, the legacy read (LIFECYCLE.md G1-G4) --------------
# Each sets state or reads it, so each is safe to repeat after an unknown outcome.

UPDATE_GROUP: Endpoint[UpdateGroupRequest, UpdateGroupResult] = Endpoint(
    path="/v1.0/im/group/update",
    request_type=UpdateGroupRequest,
    result_type=UpdateGroupResult,
    repeat_safe=True,
    check=require_success,
)
CONVERT_TO_OPEN_CONVERSATION_ID: Endpoint[OpenConversationIdRequest, OpenConversationIdResult] = (
    Endpoint(
        path="/v1.0/im/chat/{chatId}/convertToOpenConversationId",
        request_type=OpenConversationIdRequest,
        result_type=OpenConversationIdResult,
        repeat_safe=True,
    )
)
SUB_ADMINISTRATORS: Endpoint[UpdateAdminsRequest, UpdateAdminsResult] = Endpoint(
    path="/v1.0/im/subAdministrators",
    request_type=UpdateAdminsRequest,
    result_type=UpdateAdminsResult,
    repeat_safe=True,
    check=require_success,
)
GET_GROUP: Endpoint[GetGroupRequest, GroupInfo] = Endpoint(
    path="/chat/get",
    method="GET",
    host=Host.OAPI,
    request_type=GetGroupRequest,
    result_type=GroupInfo,
    repeat_safe=True,
    result_key="chat_info",
)
# -- robot endpoints -----------------------------------------------------------------------

SEND_GROUP_MESSAGE: Endpoint[GroupMessage, SendResult] = Endpoint(
    path="/v1.0/robot/groupMessages/send",
    request_type=GroupMessage,
    result_type=SendResult,
    repeat_safe=False,  # a second send posts the message twice
)
RECALL_GROUP_MESSAGES: Endpoint[RecallRequest, RecallResult] = Endpoint(
    path="/v1.0/robot/groupMessages/recall",
    request_type=RecallRequest,
    result_type=RecallResult,
    repeat_safe=True,  # a message recalled twice is recalled
)
QUERY_READ_STATUS: Endpoint[ReadStatusQuery, ReadStatusPage] = Endpoint(
    path="/v1.0/robot/groupMessages/query",
    request_type=ReadStatusQuery,
    result_type=ReadStatusPage,
    repeat_safe=True,
)
QUERY_GROUP_ROBOTS: Endpoint[GroupRobotsQuery, GroupRobots] = Endpoint(
    path="/v1.0/robot/groups/robots/query",
    request_type=GroupRobotsQuery,
    result_type=GroupRobots,
    repeat_safe=True,
)

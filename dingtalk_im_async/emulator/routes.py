"""The emulator's route registry: one `Route` (and one handler) per DingTalk endpoint.

How to add an endpoint
======================

1. Put its handler in a module of its family's package under
   `dingtalk_im_async/emulator/` (e.g. `groups/lifecycle.py`) and list its routes
   in that module's `ROUTES`. Every module of every family package is imported
   when an emulator is built and its `ROUTES` are served: nothing else (the
   pipeline, `emulator.py`) is edited::

       from aiohttp import web

       from ..._core.endpoint import Host
       from .._replies import error_reply, json_reply, oapi_error, oapi_reply
       from ..routes import Call, Route

       async def update_group(call: Call) -> web.Response:
           body = call.body                      # decoded JSON object, or None
           group = call.store.by_chatid(body["chatid"]) if isinstance(body, dict) else None
           if group is None:
               return error_reply(400, "invalideChatId", "chatid不合法")
           group.name = body.get("name", group.name)
           return json_reply(200, {"success": True})

       async def get_chat(call: Call) -> web.Response:   # a legacy oapi route
           group = call.store.by_chatid(call.query.get("chatid", ""))
           if group is None:
               return oapi_error(40016, "不合法的chatid")
           return oapi_reply(chat_info={"name": group.name, "chatid": group.chatid})

       ROUTES = (
           Route(method="POST", path="/v1.0/im/group/update", handler=update_group,
                 permission="qyapi_chat_manage"),
           Route(method="GET", path="/chat/get", host=Host.OAPI, handler=get_chat,
                 permission="qyapi_chat_read"),
       )

2. The handler is `async def handler(call: Call) -> web.Response`. It runs
   only after the gateway's checks passed (token present and valid, the
   API's QPS window, the route's `permission`) and no fault replaced the
   answer. `call` carries:

   - `call.body`: the decoded JSON body (None when absent or not JSON);
   - `call.query`: the query parameters, `access_token` removed;
   - `call.params`: the path's `{placeholders}`, e.g. `{"chatId": "chat..."}`;
   - `call.settings`: the emulator's `EmulatorSettings` now (`visible_users`,
     `whitelisted`, ...; `call.emulator.robot_code` is the app's robot);
   - `call.store`: the `GroupStore` as the call's token sees it (groups by chatid
     and openConversationId, robot messages by process query key: only its
     organisation's; what it adds is its organisation's); a family with state of
     its own keeps it in a store class and reaches it with
     `call.stores.of(ThatStore)`, and scopes it by `call.tenant.corp_id`;
   - `call.tenant`: whose token it is (`Tenant`: a suite in an organisation, or
     the internal app) and `call.robot_code`, the robot that token posts as;
   - `call.emulator`: the rest of the running emulator (`groups`, `traffic`, ...);
   - `call.fault`: the fault drawn for this call (SLOW, DROPPED_MID_RESPONSE
     and TRUNCATED_JSON still run the handler; record it if useful);
   - `call.request`: the raw `aiohttp.web.Request`, for headers.

3. It answers with DingTalk's bodies: v1.0 routes with
   `_replies.json_reply(status, payload)` and `_replies.error_reply(status,
   code, message, **extra)` (`{"code", "message", "requestid"}`); legacy oapi
   routes with `_replies.oapi_reply(**payload)` (HTTP 200, `errcode` 0) and
   `_replies.oapi_error(errcode, errmsg, **extra)` (HTTP 200, the errcode
   envelope). It must return a complete `web.Response` (faults cut its body).

4. A route's `api` defaults to `api_name(path)` (`_core/endpoint.py`): the key of its QPS
   window, fault injector and counters (`emulator.faults_for(api)`,
   `emulator.calls(api)`, `emulator.windows(api)`). Legacy (`Host.OAPI`) paths
   are written as on DingTalk's oapi host (`/chat/get`) and served under
   `emulator.oapi_base_url` (`base_url + "/oapi"`).

Tests can also serve routes of their own: `DingTalkEmulator(extra_routes=[...])`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web
from attrs import define, field, validators

from .._core.endpoint import Host, api_name
from .faults import Fault
from .oauth.tenants import INTERNAL, Tenant
from .store import GroupStore

if TYPE_CHECKING:
    from ._state import EmulatorState
    from ._stores import FamilyStores
    from .settings import EmulatorSettings

__all__ = ["Call", "Handler", "Route"]

#: What a route's handler is: the call in, DingTalk's reply out.
Handler = Callable[["Call"], Awaitable[web.Response]]

_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


@define(frozen=True, kw_only=True)
class Route:
    """One DingTalk endpoint the emulator serves: where it is, how it is guarded, who answers."""

    method: str = field(validator=validators.in_(_METHODS))
    """The HTTP method: GET, POST, PUT, DELETE or PATCH."""
    path: str = field(validator=validators.matches_re(r"^/\S*$"))
    """As on DingTalk's host, with aiohttp `{placeholders}`."""
    handler: Handler = field(repr=False)
    """What answers a call that passed the gateway's checks."""
    host: Host = Host.API
    """`Host.API` (token in the header) or `Host.OAPI` (token in the query, errcode envelope, served
    under `/oapi`)."""
    authenticated: bool = True
    """False only for the token endpoint itself: no token check and no QPS limit (its calls are
    still counted and windowed)."""
    permission: str | None = None
    """The scope the app must hold (see `denied_scopes`), or None."""
    api: str = field()
    """The API name, the key of its QPS window, faults and counters; by default from the path."""

    @api.default
    def _api_from_path(self) -> str:
        return api_name(self.path)

    @property
    def served_path(self) -> str:
        """The path on the emulator: oapi routes live under `/oapi`."""
        return "/oapi" + self.path if self.host is Host.OAPI else self.path


@define(frozen=True, kw_only=True)
class Call:
    """One call that passed the gateway, as a handler sees it (see the module docstring)."""

    route: Route
    """The route it was routed to."""
    request: web.Request = field(repr=False)
    """The raw `aiohttp.web.Request`, for headers."""
    body: Any
    """The decoded JSON body (None when absent or not JSON)."""
    query: Mapping[str, str]
    """The query parameters, `access_token` removed."""
    params: Mapping[str, str]
    """The path's `{placeholders}`, e.g. `{"chatId": "chat..."}`."""
    fault: Fault | None
    """The fault drawn for this call (`SLOW`, `DROPPED_MID_RESPONSE` and `TRUNCATED_JSON` still run
    the handler)."""
    emulator: EmulatorState = field(repr=False)
    """The rest of the running emulator (`groups`, `traffic`, ...)."""
    tenant: Tenant = INTERNAL
    """Whose token the call carried: a suite in an organisation, or the internal app."""
    groups: GroupStore | None = field(default=None, repr=False)
    """The group store as the token's organisation sees it (None: the whole store)."""
    notice: Callable[[str | None], object] = field(default=lambda _corp: None, repr=False)
    """Hears the organisation of every piece of data the call addressed (`sees`)."""

    @property
    def settings(self) -> EmulatorSettings:
        """The emulator's settings now (`visible_users`, `whitelisted`, ...)."""
        return self.emulator.settings

    @property
    def store(self) -> GroupStore:
        """The group state the call's organisation sees, shared by the group and robot
        endpoints."""
        return self.emulator.store if self.groups is None else self.groups

    def sees(self, corp_id: str | None) -> bool:
        """Whether data of the organisation `corp_id` is the call's token's to see; each
        answer is accounted (another organisation's data makes a cross-tenant call)."""
        self.notice(corp_id)
        return corp_id == self.tenant.corp_id

    @property
    def robot_code(self) -> str:
        """The robot the call's token posts as: a suite's robot is its suite key (the
        emulator's choice), the internal app's is `robot_code`."""
        suite = self.tenant.suite_key
        return self.emulator.robot_code if suite is None else suite

    @property
    def stores(self) -> FamilyStores:
        """Every family's store: `call.stores.of(CardStore)` for a family of its own."""
        return self.emulator.stores

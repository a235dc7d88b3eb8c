"""`DingTalkEmulator`: an aiohttp stand-in for DingTalk's APIs, one handler per endpoint.

Its gateway decides what DingTalk's decides (token validity and expiry, the
per-app per-API QPS limit, permissions), its handlers what each API decides
(validation, visibility, whitelisting) on a group store that is always kept.
It answers with DingTalk's bodies and headers, records what it was asked and
injects faults per API on command (`faults_for(api)`). Endpoints are added
as handler modules (see `emulator.routes`), not here.
"""

from __future__ import annotations

import ssl
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from aiohttp import web

from ..endpoints import TOKEN_API, TOKEN_PATH
from ._discovery import discovered_routes
from ._gateway import TOKEN_HEADER
from ._pipeline import build_app
from ._shortcuts import CREATE_API, FaultShortcuts
from ._tokens import TokenStore
from .admin import AdminApi
from .faults import FaultInjector
from .groups.create import CREATE_PATH, GROUP_MANAGE_SCOPE
from .records import CreatedGroup, LoggedRequest
from .routes import Route
from .store import GroupStore
from .stream_gateway import StreamGateway
from .traffic import ApiTraffic

__all__ = [
    "CREATE_API",
    "CREATE_PATH",
    "DEFAULT_APP_KEY",
    "DEFAULT_APP_SECRET",
    "GROUP_SCOPES",
    "TOKEN_API",
    "TOKEN_HEADER",
    "TOKEN_PATH",
    "DingTalkEmulator",
]

#: How long `close()` lets calls in flight (e.g. slow faults) finish before cutting them.
SHUTDOWN_GRACE_SECONDS = 0.5
#: The emulator's own made-up credentials, accepted unless others are given.
DEFAULT_APP_KEY = "dingemulatorappkey"
DEFAULT_APP_SECRET = "emulator-app-secret"
#: The scopes `has_group_permission=False` takes away: managing and reading groups.
GROUP_SCOPES = frozenset({GROUP_MANAGE_SCOPE, "qyapi_chat_read"})


class DingTalkEmulator(FaultShortcuts):
    """Serves DingTalk's endpoints (token, groups, ...), by default on 127.0.0.1.

    Use as `async with DingTalkEmulator() as emu:` and point the client at
    `emu.base_url` (and `emu.oapi_base_url` for legacy APIs) with
    `emu.app_key` / `emu.app_secret`.

    - `visible_users` (None: everyone): who the app may make an owner;
    - `whitelisted`: the app may create normal groups (`conversationTag` 0);
    - `has_group_permission`: the app holds the group scopes (`GROUP_SCOPES`);
      `denied_scopes` takes away any scope a route names;
    - `token_lifetime`: `expireIn` in seconds;
    - `qps_limit`: calls allowed per API per one-second window, beyond which
      DingTalk answers 403 `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`;
      `qps_limits` overrides it per API (`{"im.group.create": 20}`, None: no limit);
    - `robot_code`: the app's robot (default: the app key, as for DingTalk's
      internal apps); the only robot its token may post as;
    - `robot_in_new_groups`: created groups get the app's robot (True, the
      default); False leaves them without, so sends answer
      `invalidParameter.robotCode.empty` until a test adds the code to the
      group's `robots`;
    - `group_message_limit`: messages a group takes per rolling minute
      (None: no limit), beyond which a send answers HTTP 400 `send.too.fast`;
      `stopped_robots` (a set) makes those robots answer `bot.stopped`;
    - `monthly_call_quota`: calls the organisation may make (None: no quota);
      every authenticated call that passes the QPS check counts in
      `quota_used` (quota or not), tokens do not; once spent, calls answer
      403 `Forbidden.AccessDenied.ApiCountLimitForOrg` (oapi: errcode 90020);
    - `ssl_context`: serve HTTPS;
    - `record_requests` / `record_groups`: keep the request journal and the
      `CreatedGroup` list (switch off for benchmarks; the counters and the
      group `store` are always kept);
    - `extra_routes`: routes served besides the handler modules' (for tests).
    """

    def __init__(
        self,
        *,
        app_key: str = DEFAULT_APP_KEY,
        app_secret: str = DEFAULT_APP_SECRET,
        visible_users: Iterable[str] | None = None,
        whitelisted: bool = False,
        has_group_permission: bool = True,
        token_lifetime: float = 7200,
        qps_limit: int | None = None,
        qps_limits: Mapping[str, int | None] | None = None,
        robot_code: str | None = None,
        robot_in_new_groups: bool = True,
        group_message_limit: int | None = None,
        monthly_call_quota: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        record_requests: bool = True,
        record_groups: bool = True,
        extra_routes: Iterable[Route] = (),
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.visible_users = None if visible_users is None else frozenset(visible_users)
        self.whitelisted = whitelisted
        self.denied_scopes: set[str] = set()
        self.has_group_permission = has_group_permission
        self.qps_limit = qps_limit
        self.qps_limits: dict[str, int | None] = dict(qps_limits or {})
        self.robot_code = app_key if robot_code is None else robot_code
        self.robot_in_new_groups = robot_in_new_groups
        self.group_message_limit = group_message_limit
        self.stopped_robots: set[str] = set()
        self.monthly_call_quota = monthly_call_quota
        #: Calls counted against `monthly_call_quota` so far.
        self.quota_used = 0
        self.record_requests = record_requests
        self.record_groups = record_groups
        self.host = host
        self._port = port
        self._ssl_context = ssl_context
        self._runner: web.AppRunner | None = None
        self._tokens = TokenStore(token_lifetime)
        self.routes = _checked((*discovered_routes(), *extra_routes))
        #: Calls, QPS windows and faults of each API the routes serve, by API name.
        self.traffic = {route.api: ApiTraffic(route.api) for route in self.routes}
        for api in self.qps_limits:
            self.traffic_for(api)  # a misspelt API name fails here, not silently
        #: Every group's current state, by chatid and by openConversationId.
        self.store = GroupStore()
        self.groups: list[CreatedGroup] = []
        self.requests: list[LoggedRequest] = []
        #: Stream mode: bot messages and group events pushed over WebSockets.
        self.stream = StreamGateway(
            app_key=app_key, app_secret=app_secret, robot_code=self.robot_code
        )
        # Group changes made through the API reach subscribed Stream connections as events.
        self.store.on_event(self._push_group_event)

    def __repr__(self) -> str:
        return f"DingTalkEmulator(base_url={self.base_url!r}, app_key={self.app_key!r})"

    def _push_group_event(self, event_type: str, data: Mapping[str, Any]) -> None:
        self.stream.push_event(event_type, data)

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        """Bind to a free port (or the one given) and start serving."""
        app = build_app(self, self.routes, AdminApi(self).mount)
        self.stream.mount(app, lambda: self.base_url)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port, ssl_context=self._ssl_context)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Stop serving; calls still in flight get `SHUTDOWN_GRACE_SECONDS`, then are cut."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DingTalkEmulator:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The bound port (0 before `start` when a free one was asked for)."""
        return self._port

    @property
    def base_url(self) -> str:
        """Where the emulator listens, e.g. `http://127.0.0.1:54321` (the v1.0 API's host)."""
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self._port}"

    @property
    def oapi_base_url(self) -> str:
        """The legacy oapi host's stand-in: `base_url + "/oapi"` (`{oapi_base_url}/chat/get`)."""
        return self.base_url + "/oapi"

    # -- per API -----------------------------------------------------------------

    def traffic_for(self, api: str) -> ApiTraffic:
        """Calls, windows and faults of `api` (e.g. `im.group.create`); ValueError if unserved."""
        try:
            return self.traffic[api]
        except KeyError:
            known = ", ".join(sorted(self.traffic))
            raise ValueError(f"no route serves the API {api!r}; served: {known}") from None

    def faults_for(self, api: str) -> FaultInjector:
        """The faults drawn for calls to `api` that passed the gateway's checks."""
        return self.traffic_for(api).faults

    def calls(self, api: str) -> int:
        """Calls received for `api`, refused ones included."""
        return self.traffic_for(api).calls

    def windows(self, api: str) -> Counter[int]:
        """Calls to `api` with a valid token, per whole second of `time.monotonic()`."""
        return self.traffic_for(api).windows

    def qps_limit_for(self, api: str) -> int | None:
        """The limit applied to `api`: its `qps_limits` entry, else `qps_limit`."""
        return self.qps_limits.get(api, self.qps_limit)

    # -- the create and token APIs, as before per-API accounting ------------------

    @property
    def faults(self) -> FaultInjector:
        """Faults for create calls that passed the token, QPS and permission checks."""
        return self.faults_for(CREATE_API)

    @property
    def token_faults(self) -> FaultInjector:
        """Faults for calls to the token endpoint."""
        return self.faults_for(TOKEN_API)

    @property
    def create_calls(self) -> int:
        return self.calls(CREATE_API)

    @property
    def token_fetches(self) -> int:
        return self.calls(TOKEN_API)

    @property
    def create_windows(self) -> Counter[int]:
        """Authenticated create calls received per whole second of `time.monotonic()`."""
        return self.windows(CREATE_API)

    @property
    def groups_created(self) -> int:
        """Groups in the store (DingTalk never deletes one: disbanding sets `status` 2)."""
        return len(self.store)

    @property
    def rate_limited(self) -> int:
        """Calls refused for the QPS limit, over every API."""
        return sum(traffic.rate_limited for traffic in self.traffic.values())

    @property
    def has_group_permission(self) -> bool:
        """Whether the app holds the group scopes (`GROUP_SCOPES`)."""
        return not (GROUP_SCOPES & self.denied_scopes)

    @has_group_permission.setter
    def has_group_permission(self, granted: bool) -> None:
        if granted:
            self.denied_scopes -= GROUP_SCOPES
        else:
            self.denied_scopes |= GROUP_SCOPES

    # -- tokens ------------------------------------------------------------------

    @property
    def token_lifetime(self) -> float:
        """`expireIn` of the tokens issued from now on, in seconds."""
        return self._tokens.lifetime

    @token_lifetime.setter
    def token_lifetime(self, seconds: float) -> None:
        self._tokens.lifetime = seconds

    def revoke_tokens(self) -> None:
        """Make every token issued so far invalid, as if DingTalk had revoked it."""
        self._tokens.revoke()

    def issue_token(self) -> str:
        """A valid token for the app; while one is valid it is renewed and returned again."""
        return self._tokens.issue()

    def is_valid_token(self, token: str) -> bool:
        """Whether `token` is the app's current, unexpired token."""
        return self._tokens.is_valid(token)

    def reset(self) -> None:
        """Forget groups, requests, counters (the quota's too), faults and tokens; the
        settings stay."""
        self.quota_used = 0
        self.store.clear()
        self.groups.clear()
        self.requests.clear()
        for traffic in self.traffic.values():
            traffic.clear()
        self._tokens.revoke()


def _checked(routes: tuple[Route, ...]) -> tuple[Route, ...]:
    """The routes, once each: two for the same method and served path are a ValueError."""
    seen: set[tuple[str, str]] = set()
    for route in routes:
        key = (route.method, route.served_path)
        if key in seen:
            raise ValueError(f"two routes for {route.method} {route.served_path}")
        seen.add(key)
    return routes

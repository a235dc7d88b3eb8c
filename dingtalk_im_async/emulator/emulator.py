"""`DingTalkEmulator`: an aiohttp stand-in for DingTalk's APIs, one handler per endpoint.

Its gateway decides what DingTalk's decides (token validity and expiry, the
per-app per-API QPS limit, the monthly quota, permissions), its handlers what
each API decides (validation, visibility, whitelisting) on the families' stores.
It answers with DingTalk's bodies and headers, records what it was asked and
injects faults per API. Its settings are one `EmulatorSettings`; its controls
(`EmulatorControls` and the families') are the ones `RemoteEmulator` sends over
the admin API. Endpoints are added as handler modules (see `emulator.routes`).

The module is longer than 400 lines: it is where every family's controls meet the
server's lifecycle and the core controls; the families' own controls live with them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .._core.endpoint import TOKEN_API, TOKEN_PATH
from ._discovery import discovered_routes
from ._gateway import TOKEN_HEADER
from ._guard import request_guard
from ._journal import Journal
from ._legacy import LegacyEmulatorNames, LegacySetting, default_api
from ._pipeline import build_app
from ._stores import FamilyStores
from ._tokens import TokenStore
from .admin import mount_admin
from .cards.controls import LocalCardControls
from .controls import DONE, Done, EmulatorControls
from .faults import Fault, FaultInjector, Latency, ScheduledReply
from .groups.controls import LocalGroupControls
from .groups.create import CREATE_PATH
from .oauth.controls import LocalTenantControls
from .oauth.tenants import TenantStore
from .records import ApiCounters, Counters, CreatedGroup, LoggedRequest
from .robot.controls import LocalRobotControls
from .routes import Route
from .scenegroups.controls import LocalSceneGroupControls
from .settings import (
    DEFAULT_APP_KEY,
    DEFAULT_APP_SECRET,
    GROUP_SCOPES,
    EmulatorSettings,
    setting_info,
    setting_names,
)
from .store import GroupStore
from .stream.controls import LocalStreamControls
from .stream.gateway import StreamGateway
from .traffic import ApiTraffic

__all__ = [
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
_FAULT_SETTINGS = frozenset({"fault_rates", "fault_periods", "fault_seed", "slow_latency"})


class DingTalkEmulator(
    EmulatorControls,
    LocalGroupControls,
    LocalRobotControls,
    LocalStreamControls,
    LocalCardControls,
    LocalSceneGroupControls,
    LocalTenantControls,
    LegacyEmulatorNames,
):
    """Serves DingTalk's endpoints (token, groups, robot, cards, Stream), by default on 127.0.0.1.

    Use as `async with DingTalkEmulator(**settings) as emu:` and point the client
    at `emu.base_url` (and `emu.oapi_base_url` for legacy APIs) with `emu.app_key`
    / `emu.app_secret`. The keyword arguments are `EmulatorSettings` fields
    (`qps_limit=20`, `visible_users=[...]`, ...; or a whole `settings=`), and:

    - `host`, `port`: where to listen (port 0: a free one);
    - `ssl_context`: serve HTTPS;
    - `extra_routes`: routes served besides the families' (for tests).

    With `suites={"suite-key-1": "suite-secret-1"}` and `corp_ids=["ding-corp-a", ...]` it
    also plays third-party apps installed in those organisations (the multi-organisation
    mode, `TenantControls`): suite tickets, corp tokens, and data kept per organisation.
    """

    def __init__(
        self,
        *,
        settings: EmulatorSettings | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        extra_routes: Iterable[Route] = (),
        **overrides: Any,
    ) -> None:
        self._settings = (settings or EmulatorSettings()).changed(**overrides)
        self.host = host
        self._port = port
        self._ssl_context = ssl_context
        self._runner: web.AppRunner | None = None
        self._tokens = TokenStore()
        self.routes = _checked((*discovered_routes(), *extra_routes))
        #: Calls, QPS windows, quota and faults of each API the routes serve, by API name.
        self.traffic = {route.api: ApiTraffic(route.api) for route in self.routes}
        self._check_apis(self._settings)
        #: Every family's state; `store` is the groups' (and their robot messages').
        self.stores = FamilyStores()
        self.store = self.stores.of(GroupStore)
        #: The `CreatedGroup`s made, with each create's body (`record_groups`).
        self.groups: list[CreatedGroup] = []
        #: The request journal, the newest `journal_limit` lines (`record_requests`).
        self.journal = Journal(self._settings.journal_limit)
        #: Suites' tickets, corp tokens, authorisations, per-organisation usage, the clock.
        self.tenants = TenantStore()
        #: Calls of the app's own organisation counted against `monthly_call_quota` in
        #: `quota_month` (0 starts a new month).
        self.quota_used = 0
        self.quota_month = self.tenants.month()
        #: Stream mode: bot messages and group events pushed over WebSockets (the suites'
        #: connections open with their suite key and secret).
        self.stream = StreamGateway(
            app_key=self.app_key,
            app_secret=self.app_secret,
            robot_code=self.robot_code,
            clients=lambda: self._settings.suites,
        )
        self._ticket_timer: asyncio.Task[None] | None = None
        # Group changes made through the API reach subscribed Stream connections as events.
        self.store.on_event(self._push_group_event)
        self._apply_standing_faults()

    def __repr__(self) -> str:
        return f"DingTalkEmulator(base_url={self.base_url!r}, app_key={self.app_key!r})"

    def _push_group_event(self, event_type: str, data: Mapping[str, Any]) -> None:
        self._push_org_event(event_type, data)

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        """Bind to a free port (or the one given) and start serving."""
        app = build_app(self, self.routes, lambda app: mount_admin(app, self))
        app.middlewares.append(request_guard(self))
        self.stream.mount(app, lambda: self.base_url)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port, ssl_context=self._ssl_context)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._sync_ticket_timer()

    async def close(self) -> None:
        """Stop serving; calls still in flight get `SHUTDOWN_GRACE_SECONDS`, then are cut."""
        timer, self._ticket_timer = self._ticket_timer, None
        if timer is not None:
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DingTalkEmulator:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # -- who and where ------------------------------------------------------------

    @property
    def settings(self) -> EmulatorSettings:
        """The settings now in force (change them with `configure`)."""
        return self._settings

    @property
    def app_key(self) -> str:
        return self._settings.app_key

    @property
    def app_secret(self) -> str:
        return self._settings.app_secret

    @property
    def robot_code(self) -> str:
        """The app's robot: `robot_code`, else the app key (an internal app's own robot)."""
        return self._settings.robot

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

    # -- per API, at once (in process only) -------------------------------------------

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
        return self._settings.qps_limit_for(api)

    @property
    def requests(self) -> list[LoggedRequest]:
        """The journal lines kept, oldest first (a copy; see `journal`)."""
        return list(self.journal)

    @property
    def token_fetches(self) -> int:
        """Calls to the token endpoint."""
        return self.calls(TOKEN_API)

    @property
    def groups_created(self) -> int:
        """Groups in the store (DingTalk never deletes one: disbanding sets `status` 2)."""
        return len(self.store)

    @property
    def rate_limited(self) -> int:
        """Calls refused for the QPS limit, over every API."""
        return sum(traffic.rate_limited for traffic in self.traffic.values())

    def issue_token(self) -> str:
        """A valid token for the app (for a `StaticTokenProvider`); while one is valid it is
        renewed and returned again."""
        return self._tokens.issue(self._settings.token_lifetime)

    def is_valid_token(self, token: str) -> bool:
        """Whether `token` is the app's current, unexpired token."""
        return self._tokens.is_valid(token)

    # -- the controls (EmulatorControls), carried out here ---------------------------------

    async def get_settings(self) -> EmulatorSettings:
        return self._settings

    def configure(self, **changes: Any) -> Done:
        new = self._settings.changed(**changes)
        fixed = sorted(
            name
            for name in changes
            if not setting_info(name).live and getattr(new, name) != getattr(self._settings, name)
        )
        if fixed:
            raise ValueError(f"{', '.join(fixed)} are fixed when the emulator starts")
        self._check_apis(new)
        self._settings = new
        self.journal.limit = new.journal_limit
        self._sync_ticket_timer()
        if _FAULT_SETTINGS & set(changes):
            self._apply_standing_faults()
        return DONE

    async def get_counters(self) -> Counters:
        apis = {
            api: ApiCounters(
                api=api,
                calls=traffic.calls,
                rate_limited=traffic.rate_limited,
                quota_used=traffic.quota_used,
                qps_limit=self.qps_limit_for(api),
                injected=dict(traffic.faults.injected),
                pending=traffic.faults.pending,
                rates=traffic.faults.rates,
            )
            for api, traffic in self.traffic.items()
        }
        return Counters(
            apis=apis,
            groups=len(self.store),
            requests=self.journal.total,
            failed_requests=self.journal.failed,
            quota_used=self.quota_used,
        )

    async def read_journal(
        self, *, since: int = 0, limit: int | None = None
    ) -> list[LoggedRequest]:
        return [line for _, line in self.journal.lines_from(since, limit)]

    def schedule(
        self,
        fault: Fault,
        count: int = 1,
        *,
        api: str | None = None,
        delay: Latency | float | tuple[float, float] | None = None,
    ) -> Done:
        self.faults_for(default_api(api, "schedule")).schedule(fault, count, delay=delay)
        return DONE

    def schedule_reply(
        self, reply: ScheduledReply, count: int = 1, *, api: str | None = None
    ) -> Done:
        self.faults_for(default_api(api, "schedule_reply")).schedule_reply(reply, count)
        return DONE

    def every(self, fault: Fault, calls: int, *, api: str | None = None) -> Done:
        self.faults_for(default_api(api, "every")).every(fault, calls)
        return DONE

    def set_rates(
        self,
        rates: Mapping[Fault, float],
        *,
        api: str | None = None,
        seed: int | None = None,
        latency: Latency | float | tuple[float, float] | None = None,
    ) -> Done:
        injector = self.faults_for(default_api(api, "set_rates"))
        injector.set_rates(rates, seed=seed, latency=latency)
        return DONE

    def clear_faults(self, api: str | None = None) -> Done:
        for traffic in [self.traffic_for(api)] if api is not None else self.traffic.values():
            traffic.faults.clear()
        return DONE

    def revoke_tokens(self) -> Done:
        self._tokens.revoke()
        self.tenants.revoke()
        return DONE

    def reset(self) -> Done:
        self.quota_used = 0
        self.stores.clear()
        self.groups.clear()
        self.journal.clear()
        for traffic in self.traffic.values():
            traffic.clear()
        self._tokens.revoke()
        self.tenants.clear()
        self._apply_standing_faults()
        return DONE

    # -- helpers -------------------------------------------------------------------------

    def _check_apis(self, settings: EmulatorSettings) -> None:
        """A misspelt API name in a per-API setting fails here, not silently."""
        for api in sorted(settings.apis_named()):
            self.traffic_for(api)

    def _apply_standing_faults(self) -> None:
        """Give every API the standing rates and periods of the settings, drawn afresh."""
        settings = self._settings
        for api, traffic in self.traffic.items():
            faults = traffic.faults
            faults.set_rates(
                settings.fault_rates_for(api),
                seed=settings.fault_seed,
                latency=settings.slow_latency,
            )
            faults.set_periods(settings.fault_periods_for(api))


def _checked(routes: tuple[Route, ...]) -> tuple[Route, ...]:
    """The routes, once each: two for the same method and served path are a ValueError."""
    seen: set[tuple[str, str]] = set()
    for route in routes:
        key = (route.method, route.served_path)
        if key in seen:
            raise ValueError(f"two routes for {route.method} {route.served_path}")
        seen.add(key)
    return routes


if not TYPE_CHECKING:
    # The settings as attributes (`emulator.qps_limit = 5`), deprecated; hidden from type checkers
    # so typed code uses `settings` and `configure`.
    for _name in setting_names():
        if not hasattr(DingTalkEmulator, _name):
            setattr(DingTalkEmulator, _name, LegacySetting(_name))
    del _name

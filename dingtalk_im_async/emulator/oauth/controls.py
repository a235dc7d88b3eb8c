"""The multi-organisation mode's controls: suite tickets, authorisations, corp tokens, usage and
the emulator's clock.

The shape of `groups/controls.py`: `TenantControls` written once, carried out in process by
`LocalTenantControls` (a base of `DingTalkEmulator`), served over the admin API by
`ADMIN_ROUTES` (`/_emulator/suite-ticket`, `/_emulator/tenants`, `/_emulator/clock`, which
the dashboard's Organisations panel reads), and sent there by `RemoteTenantControls` (a base
of `RemoteEmulator`).

Each ticket rotation, authorisation and relief reaches the suite's Stream connections (opened
with its suite key and secret, topic `*`) as an event: `suite_ticket` with `{"suiteTicket"}`
(https://open.dingtalk.com/document/development/event-suite-ticket), `org_suite_auth` and
`org_suite_relieve` with `{"syncAction", "auth_corp_info": {"corpid"}}` (the data's fields
are a GUESS after https://open.dingtalk.com/document/development/event-org-suite-auth).
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..._core.endpoint import TOKEN_API
from .._admin_kit import AdminCall, AdminClient, AdminRoute, NotFoundError, segment
from ..controls import DONE, Done
from .records import OrgReport, SuiteReport, TenantsReport, Ticket, tenants_from_view, tenants_view
from .tenants import Tenant, TenantStore, next_month_start

if TYPE_CHECKING:
    from .._tokens import TokenStore
    from ..settings import EmulatorSettings
    from ..stream.gateway import StreamGateway
    from ..traffic import ApiTraffic

__all__ = ["ADMIN_ROUTES", "LocalTenantControls", "RemoteTenantControls", "TenantControls"]


class TenantControls(abc.ABC):
    """Steer and inspect the organisations (in process and remotely alike)."""

    @abc.abstractmethod
    def suite_ticket(self, suite_key: str) -> Awaitable[str]:
        """The suite's current ticket (in process: a `str` at once, awaitable too); ValueError
        for a suite not in `suites`."""

    @abc.abstractmethod
    def rotate_suite_ticket(self, suite_key: str) -> Awaitable[str]:
        """A new ticket for the suite, pushed to its Stream connections as a `suite_ticket`
        event; the previous ticket stops working (tokens fetched with it stay valid)."""

    @abc.abstractmethod
    def authorise_org(self, suite_key: str, corp_id: str) -> Awaitable[None]:
        """The organisation installs the suite (`org_suite_auth` to its Stream connections)."""

    @abc.abstractmethod
    def relieve_org(self, suite_key: str, corp_id: str) -> Awaitable[None]:
        """The organisation uninstalls the suite (`org_suite_relieve`): its tokens stop working
        and new ones are refused with `invalidAuthInfo`."""

    @abc.abstractmethod
    def revoke_org_tokens(self, corp_id: str, *, suite_key: str | None = None) -> Awaitable[None]:
        """Make the organisation's corp tokens (of `suite_key` only, when given) invalid."""

    @abc.abstractmethod
    async def get_tenants(self) -> TenantsReport:
        """Every organisation's usage (calls, token fetches, quota used, cross-tenant calls)
        and every suite's state, with the emulator's clock."""

    @abc.abstractmethod
    def set_clock(
        self, *, now: float | None = None, advance: float | None = None
    ) -> Awaitable[None]:
        """Move the emulator's clock (the month quotas count in) to `now` (Unix time) or by
        `advance` seconds; tokens keep their real-time expiry."""

    @abc.abstractmethod
    def start_next_month(self) -> Awaitable[None]:
        """Move the clock to the first second of next month: every quota starts afresh."""


class LocalTenantControls(TenantControls):
    """The tenant controls carried out on the emulator's own state."""

    tenants: TenantStore
    stream: StreamGateway
    quota_used: int
    traffic: dict[str, ApiTraffic]
    _settings: EmulatorSettings
    _tokens: TokenStore
    _runner: web.AppRunner | None
    _ticket_timer: asyncio.Task[None] | None

    def issue_corp_token(self, suite_key: str, corp_id: str) -> str:
        """A new corp token of the suite in the organisation, as `corpAccessToken` gives it
        (for a `StaticTokenProvider`); ValueError if the organisation has not installed it."""
        if not self.tenants.authorised(self._settings, self._suite(suite_key), corp_id):
            raise ValueError(f"{corp_id!r} has not installed the suite {suite_key!r}")
        return self.tenants.issue(Tenant(suite_key, corp_id), self._settings.token_lifetime)

    def _sync_ticket_timer(self) -> None:
        """Run the ticket timer while serving with `suite_ticket_interval` set (and only then:
        no task of its own otherwise)."""
        running = self._ticket_timer is not None and not self._ticket_timer.done()
        wanted = self._runner is not None and self._settings.suite_ticket_interval is not None
        if wanted and not running:
            self._ticket_timer = asyncio.get_running_loop().create_task(
                self._rotate_tickets_on_time()
            )

    async def _rotate_tickets_on_time(self) -> None:
        """Rotate every suite's ticket each `suite_ticket_interval` (read afresh each time);
        ends when it is set to None."""
        while (interval := self._settings.suite_ticket_interval) is not None:
            await asyncio.sleep(interval)
            if self._settings.suite_ticket_interval is not None:
                self._rotate_every_suite_ticket()

    def _push_org_event(self, event_type: str, data: Mapping[str, Any]) -> None:
        """A group event: to the app's connections, or, for another organisation's group (its
        `corpId`), to the connections of the suites it installed."""
        corp_id = data.get("corpId")
        if corp_id is None:
            self.stream.push_event(event_type, data)
            return
        for suite_key in self._settings.suites:
            if self.tenants.authorised(self._settings, suite_key, corp_id):
                self.stream.push_event(event_type, data, client_id=suite_key, corp_id=corp_id)

    def _suite(self, suite_key: str) -> str:
        if suite_key not in self._settings.suites:
            known = ", ".join(sorted(self._settings.suites)) or "none"
            raise NotFoundError(f"no suite has the key {suite_key!r}; suites: {known}")
        return suite_key

    def suite_ticket(self, suite_key: str) -> Ticket:
        return Ticket(self.tenants.ticket(self._suite(suite_key)))

    def rotate_suite_ticket(self, suite_key: str) -> Ticket:
        ticket = self.tenants.rotate(self._suite(suite_key))
        self.stream.push_event("suite_ticket", {"suiteTicket": ticket}, client_id=suite_key)
        return Ticket(ticket)

    def _rotate_every_suite_ticket(self) -> None:
        """One rotation of every suite's ticket (the `suite_ticket_interval` timer's)."""
        for suite_key in self._settings.suites:
            self.rotate_suite_ticket(suite_key)

    def authorise_org(self, suite_key: str, corp_id: str) -> Done:
        self.tenants.authorise(self._suite(suite_key), _corp(corp_id))
        self._push_auth_event("org_suite_auth", suite_key, corp_id)
        return DONE

    def relieve_org(self, suite_key: str, corp_id: str) -> Done:
        self.tenants.relieve(self._suite(suite_key), _corp(corp_id))
        self._push_auth_event("org_suite_relieve", suite_key, corp_id)
        return DONE

    def revoke_org_tokens(self, corp_id: str, *, suite_key: str | None = None) -> Done:
        self.tenants.revoke(_corp(corp_id), suite_key)
        return DONE

    def revoke_tokens_of(self, tenant: Tenant) -> Done:
        """Revoke the tokens of `tenant` (the internal app's: `revoke_tokens()`), as a
        `token-revoked` fault on its call does."""
        if tenant.internal:
            self._tokens.revoke()
        else:
            self.tenants.revoke(tenant.corp_id, tenant.suite_key)
        return DONE

    async def get_tenants(self) -> TenantsReport:
        settings = self._settings
        tenants = self.tenants
        month = tenants.month()
        usages = tenants.organisations()
        suites = tuple(
            SuiteReport(
                suite_key=key,
                corp_ids=tuple(tenants.authorised_corps(settings, key)),
                ticket_rotations=tenants.rotations(key),
            )
            for key in settings.suites
        )
        corps = [corp for corp in dict.fromkeys([*settings.corp_ids, *usages]) if corp]
        for suite in suites:
            corps.extend(corp for corp in suite.corp_ids if corp not in corps)
        internal = usages.get(None) or tenants.usage(None)
        organisations = [
            OrgReport(
                corp_id=self.stream.corp_id,
                internal=True,
                calls=internal.calls,
                token_fetches=self.traffic[TOKEN_API].calls,
                quota_used=self.quota_used,
                quota_limit=settings.monthly_call_quota,
                rate_limited=sum(traffic.rate_limited for traffic in self.traffic.values()),
                quota_refused=internal.quota_refused,
                cross_tenant_calls=internal.cross_tenant_calls,
                suites=(),
            )
        ]
        for corp in corps:
            usage = usages.get(corp) or tenants.usage(corp)
            organisations.append(
                OrgReport(
                    corp_id=corp,
                    internal=False,
                    calls=usage.calls,
                    token_fetches=usage.token_fetches,
                    quota_used=usage.quota_used,
                    quota_limit=settings.monthly_call_quota,
                    rate_limited=usage.rate_limited,
                    quota_refused=usage.quota_refused,
                    cross_tenant_calls=usage.cross_tenant_calls,
                    suites=tuple(s.suite_key for s in suites if corp in s.corp_ids),
                )
            )
        return TenantsReport(
            now=tenants.now(),
            month=month,
            cross_tenant_calls=tenants.cross_tenant_calls,
            organisations=tuple(organisations),
            suites=suites,
        )

    def set_clock(self, *, now: float | None = None, advance: float | None = None) -> Done:
        if (now is None) == (advance is None):
            raise ValueError("set_clock takes one of now= (Unix time) or advance= (seconds)")
        tenants = self.tenants
        if now is not None:
            tenants.clock_offset += float(now) - tenants.now()
        else:
            tenants.clock_offset += float(advance)  # type: ignore[arg-type]
        return DONE

    def start_next_month(self) -> Done:
        return self.set_clock(now=next_month_start(self.tenants.now()))

    def _push_auth_event(self, event_type: str, suite_key: str, corp_id: str) -> None:
        data = {"syncAction": event_type, "auth_corp_info": {"corpid": corp_id}}
        self.stream.push_event(event_type, data, client_id=suite_key, corp_id=corp_id)


def _corp(corp_id: Any) -> str:
    if not isinstance(corp_id, str) or not corp_id:
        raise ValueError(f"a corp id must be a non-empty string, got {corp_id!r}")
    return corp_id


class RemoteTenantControls(TenantControls, AdminClient):
    """The tenant controls sent to a running emulator's admin API."""

    async def suite_ticket(self, suite_key: str) -> str:
        found = await self._admin("GET", "/suite-ticket", suiteKey=suite_key)
        return str(found["suiteTicket"])

    async def rotate_suite_ticket(self, suite_key: str) -> str:
        found = await self._admin("POST", "/suite-ticket", {"suiteKey": suite_key})
        return str(found["suiteTicket"])

    async def authorise_org(self, suite_key: str, corp_id: str) -> None:
        await self._admin("POST", f"/tenants/{segment(corp_id)}/authorise", {"suiteKey": suite_key})

    async def relieve_org(self, suite_key: str, corp_id: str) -> None:
        await self._admin("POST", f"/tenants/{segment(corp_id)}/relieve", {"suiteKey": suite_key})

    async def revoke_org_tokens(self, corp_id: str, *, suite_key: str | None = None) -> None:
        await self._admin(
            "POST", f"/tenants/{segment(corp_id)}/revoke-tokens", {"suiteKey": suite_key}
        )

    async def get_tenants(self) -> TenantsReport:
        return tenants_from_view(await self._admin("GET", "/tenants"))

    async def set_clock(self, *, now: float | None = None, advance: float | None = None) -> None:
        await self._admin("POST", "/clock", {"now": now, "advance": advance})

    async def start_next_month(self) -> None:
        await self._admin("POST", "/clock", {"nextMonth": True})


def _local(call: AdminCall) -> LocalTenantControls:
    return call.controls(LocalTenantControls)


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a non-empty string")
    return value


async def _ticket(call: AdminCall) -> Any:
    suite_key = call.query.get("suiteKey", "")
    return {"suiteTicket": str(_local(call).suite_ticket(suite_key))}


async def _rotate(call: AdminCall) -> Any:
    suite_key = _text(await call.body(), "suiteKey")
    return {"suiteTicket": str(_local(call).rotate_suite_ticket(suite_key))}


async def _authorise(call: AdminCall) -> Any:
    _local(call).authorise_org(_text(await call.body(), "suiteKey"), call.params["corp_id"])
    return {"done": True}


async def _relieve(call: AdminCall) -> Any:
    _local(call).relieve_org(_text(await call.body(), "suiteKey"), call.params["corp_id"])
    return {"done": True}


async def _revoke(call: AdminCall) -> Any:
    suite_key = (await call.body()).get("suiteKey")
    if suite_key is not None and not isinstance(suite_key, str):
        raise ValueError("suiteKey must be a string or null")
    _local(call).revoke_org_tokens(call.params["corp_id"], suite_key=suite_key)
    return {"done": True}


async def _tenants(call: AdminCall) -> Any:
    return tenants_view(await _local(call).get_tenants())


async def _clock(call: AdminCall) -> Any:
    """`{"now": unix}`, `{"advance": seconds}` or `{"nextMonth": true}`; answers the clock."""
    controls = _local(call)
    body = await call.body()
    if body.get("nextMonth"):
        controls.start_next_month()
    elif body:
        now, advance = body.get("now"), body.get("advance")
        for name, value in (("now", now), ("advance", advance)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                raise ValueError(f"{name} must be a number")
        controls.set_clock(now=now, advance=advance)
    return await _read_clock(call)


async def _read_clock(call: AdminCall) -> Any:
    tenants = _local(call).tenants
    return {"now": tenants.now(), "month": tenants.month()}


ADMIN_ROUTES = (
    AdminRoute(method="GET", path="/suite-ticket", handler=_ticket),
    AdminRoute(method="POST", path="/suite-ticket", handler=_rotate),
    AdminRoute(method="GET", path="/tenants", handler=_tenants),
    AdminRoute(method="POST", path="/tenants/{corp_id}/authorise", handler=_authorise),
    AdminRoute(method="POST", path="/tenants/{corp_id}/relieve", handler=_relieve),
    AdminRoute(method="POST", path="/tenants/{corp_id}/revoke-tokens", handler=_revoke),
    AdminRoute(method="GET", path="/clock", handler=_read_clock),
    AdminRoute(method="POST", path="/clock", handler=_clock),
)

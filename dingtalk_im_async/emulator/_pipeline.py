"""The emulator's request pipeline: DingTalk's gateway in front of every route's handler.

For each call to a route, in DingTalk's order: count it; token present and
valid (the internal app's, or a corp token of a suite in an organisation); the
API's QPS window (per app and API, or per suite, organisation and API); the
organisation's monthly call quota (when set); internal-only APIs refused to
corp tokens; the route's permission; then the API's faults;
then the handler, which sees the groups of its token's organisation only.
Each call is accounted to its token's organisation, with the organisations of
the data it addressed (`tenants`). Every call (unknown paths too) goes into the request
journal with its API, status and timing, never with a token or a secret.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs
from aiohttp import web

from .._core.endpoint import Host, declared_endpoints
from . import _gateway
from ._reading import json_body, mask_secret
from ._replies import carry_out
from .faults import Fault
from .oauth.tenants import INTERNAL, Tenant
from .records import LoggedRequest
from .routes import Call, Route

if TYPE_CHECKING:
    from ._state import EmulatorState

__all__ = ["build_app"]

_Serve = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: Query parameters whose values never reach the journal.
_SECRET_QUERY_KEYS = frozenset({"appsecret", "appSecret", "corpsecret"})
#: The scope named when a corp token calls an internal-only API without a scope of its own.
_INTERNAL_SCOPE = "qyapi_chat_manage"


def build_app(
    emulator: EmulatorState,
    routes: Iterable[Route],
    beside: Callable[[web.Application], None] | None = None,
) -> web.Application:
    """An aiohttp app serving `routes` through the gateway, and DingTalk's unknown-path answer;
    `beside(app)` adds routes outside the gateway (the admin API) before that catch-all."""
    app = web.Application()
    for route in routes:
        app.router.add_route(route.method, route.served_path, _serve_route(emulator, route))
    if beside is not None:
        beside(app)
    app.router.add_route("*", "/{tail:.*}", _serve_unknown(emulator))
    return app


def _token_of(route: Route, request: web.Request) -> str | None:
    if route.host is Host.OAPI:
        return request.query.get(_gateway.TOKEN_QUERY) or None
    return request.headers.get(_gateway.TOKEN_HEADER) or None


def _owner(emulator: EmulatorState, token: str) -> Tenant | None:
    """Whose valid token this is: the internal app's, a corp token's tenant, or None."""
    if emulator.is_valid_token(token):
        return INTERNAL
    return emulator.tenants.owner(token)


def _gate(
    emulator: EmulatorState, route: Route, token: str | None
) -> tuple[web.Response | None, Tenant]:
    """The gateway's refusal of this call (or None to let it through), and whose token it
    carried."""
    traffic = emulator.traffic_for(route.api)
    if not route.authenticated:
        traffic.count_in_window(None)
        return None, INTERNAL
    if token is None:
        return _gateway.missing_token(route.host, route.path), INTERNAL
    tenant = _owner(emulator, token)
    if tenant is None:
        return _gateway.invalid_token(route.host, route.path), INTERNAL
    return _limits(emulator, route, tenant), tenant


def _limits(emulator: EmulatorState, route: Route, tenant: Tenant) -> web.Response | None:
    """QPS, the organisation's monthly quota and permissions, for a valid token."""
    settings = emulator.settings
    traffic = emulator.traffic_for(route.api)
    tenants = emulator.tenants
    usage = tenants.usage(tenant.corp_id)
    if tenant.internal:
        if not traffic.count_in_window(settings.qps_limit_for(route.api)):
            return _gateway.qps_exceeded(route.host)
    else:
        traffic.count_in_window(None)
        if not tenants.within_qps(tenant, route.api, settings.suite_qps_limit):
            usage.rate_limited += 1
            return _gateway.suite_qps_exceeded(route.host)
    month = tenants.month()
    if month != emulator.quota_month:
        emulator.quota_month = month
        emulator.quota_used = 0  # the app's own organisation starts the month afresh too
    quota = settings.monthly_call_quota
    used = emulator.quota_used if tenant.internal else usage.quota_used
    if quota is not None and used >= quota:
        usage.quota_refused += 1
        return _gateway.quota_spent(route.host)
    if tenant.internal:
        emulator.quota_used += 1
    usage.quota_used += 1
    traffic.quota_used += 1
    if not tenant.internal and route.api in internal_only_apis():
        # GUESS: DingTalk documents no answer for a third-party app calling an internal-only
        # API; its gateway's permission refusal is the likeliest one.
        return _gateway.permission_denied(route.host, route.permission or _INTERNAL_SCOPE)
    if route.permission is not None and settings.denies(route.permission):
        return _gateway.permission_denied(route.host, route.permission)
    return None


@functools.cache
def internal_only_apis() -> frozenset[str]:
    """The APIs DingTalk documents for internal apps only (`Endpoint.internal_only`): a corp
    token is refused there."""
    return frozenset(endpoint.api for endpoint in declared_endpoints() if endpoint.internal_only)


def _serve_route(emulator: EmulatorState, route: Route) -> _Serve:
    async def serve(request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        body = await json_body(request)
        token = _token_of(route, request)
        traffic = emulator.traffic_for(route.api)
        traffic.calls += 1
        refusal, tenant = _gate(emulator, route, token)
        touched: set[str | None] = set()
        injection = traffic.faults.draw() if refusal is None else None
        fault = None if injection is None else injection.fault
        query = _without_token(request.query)
        entry = _Entry.open(
            emulator, request, route.api, token is not None, body, query, fault, started
        )
        entry.corp_id = tenant.corp_id
        try:
            if refusal is not None:
                entry.status = refusal.status
                return refusal
            call = Call(
                route=route,
                request=request,
                body=body,
                query=MappingProxyType(query),
                params=MappingProxyType(dict(request.match_info)),
                fault=fault,
                emulator=emulator,
                tenant=tenant,
                groups=emulator.store.seen_by(tenant.corp_id, touched.add),
                notice=touched.add,
            )
            if injection is None:
                reply: web.StreamResponse = await route.handler(call)
            else:
                reply = await carry_out(
                    request,
                    injection,
                    lambda: _answer(call),
                    lambda: emulator.revoke_tokens_of(tenant),
                    route.host,
                )
            entry.status = None if fault is Fault.CONNECTION_CLOSED else reply.status
            return reply
        finally:
            if route.authenticated and token is not None:
                emulator.tenants.record(tenant, touched)
            entry.data_corp_ids = tuple(sorted(touched, key=lambda corp: corp or ""))
            entry.close(started)

    return serve


async def _answer(call: Call) -> web.Response:
    """The real answer under a fault: a revoked token refuses the call, else the handler runs."""
    route = call.route
    if call.fault is Fault.TOKEN_REVOKED and route.authenticated:
        return _gateway.invalid_token(route.host, route.path)
    return await route.handler(call)


def _serve_unknown(emulator: EmulatorState) -> _Serve:
    async def serve(request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        body = await json_body(request)
        has_token = bool(
            request.headers.get(_gateway.TOKEN_HEADER) or request.query.get(_gateway.TOKEN_QUERY)
        )
        query = _without_token(request.query)
        entry = _Entry.open(emulator, request, None, has_token, body, query, None, started)
        reply = _gateway.unknown_path(request.path)
        entry.status = reply.status
        entry.close(started)
        return reply

    return serve


def _without_token(query: Mapping[str, str]) -> dict[str, str]:
    """The query for handlers and the journal: no `access_token`, secrets masked."""
    return {
        key: "<hidden>" if key in _SECRET_QUERY_KEYS else value
        for key, value in query.items()
        if key != _gateway.TOKEN_QUERY
    }


class _Entry:
    """One journal line: written when the call arrives, completed when it is answered.

    `status` stays None when no reply went out (the connection was closed).
    """

    __slots__ = ("_emulator", "_index", "_logged", "corp_id", "data_corp_ids", "status")

    def __init__(self, emulator: EmulatorState, logged: LoggedRequest | None) -> None:
        self._emulator = emulator
        self._logged = logged
        self._index = -1 if logged is None else emulator.journal.append(logged)
        self.status: int | None = None
        self.corp_id: str | None = None
        self.data_corp_ids: tuple[str | None, ...] = ()

    @classmethod
    def open(
        cls,
        emulator: EmulatorState,
        request: web.Request,
        api: str | None,
        has_token: bool,
        body: object,
        query: dict[str, str],
        fault: Fault | None,
        started: float,
    ) -> _Entry:
        if not emulator.settings.record_requests:
            return cls(emulator, None)
        logged = LoggedRequest(
            api=api,
            method=request.method,
            path=request.path,
            has_token=has_token,
            body=mask_secret(body),
            query=dict(query),
            fault=fault,
            received_at=started,
        )
        return cls(emulator, logged)

    def close(self, started: float) -> None:
        """Write the status and the time taken into the line, unless it is gone (dropped by
        the journal's limit, or forgotten by a reset)."""
        logged = self._logged
        if logged is None:
            return
        answered = attrs.evolve(
            logged,
            status=self.status,
            elapsed=time.monotonic() - started,
            corp_id=self.corp_id,
            data_corp_ids=self.data_corp_ids,
        )
        self._emulator.journal.complete(self._index, answered, logged)

"""The emulator's request pipeline: DingTalk's gateway in front of every route's handler.

For each call to a route, in DingTalk's order: count it; token present and
valid; the API's QPS window; the monthly call quota (when set); the route's
permission; then the API's faults;
then the handler. Every call (unknown paths too) goes into the request
journal with its API, status and timing, never with a token or a secret.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs
from aiohttp import web

from .._core.endpoint import Host
from . import _gateway
from ._reading import json_body, mask_secret
from ._replies import carry_out
from .faults import Fault
from .records import LoggedRequest
from .routes import Call, Route

if TYPE_CHECKING:
    from ._state import EmulatorState

__all__ = ["build_app"]

_Serve = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: Query parameters whose values never reach the journal.
_SECRET_QUERY_KEYS = frozenset({"appsecret", "appSecret", "corpsecret"})


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


def _gate(emulator: EmulatorState, route: Route, token: str | None) -> web.Response | None:
    """The gateway's refusal of this call, or None to let it through."""
    traffic = emulator.traffic_for(route.api)
    if not route.authenticated:
        traffic.count_in_window(None)
        return None
    if token is None:
        return _gateway.missing_token(route.host, route.path)
    if not emulator.is_valid_token(token):
        return _gateway.invalid_token(route.host, route.path)
    settings = emulator.settings
    if not traffic.count_in_window(settings.qps_limit_for(route.api)):
        return _gateway.qps_exceeded(route.host)
    quota = settings.monthly_call_quota
    if quota is not None and emulator.quota_used >= quota:
        return _gateway.quota_spent(route.host)
    emulator.quota_used += 1
    traffic.quota_used += 1
    if route.permission is not None and settings.denies(route.permission):
        return _gateway.permission_denied(route.host, route.permission)
    return None


def _serve_route(emulator: EmulatorState, route: Route) -> _Serve:
    async def serve(request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        body = await json_body(request)
        token = _token_of(route, request)
        traffic = emulator.traffic_for(route.api)
        traffic.calls += 1
        refusal = _gate(emulator, route, token)
        injection = traffic.faults.draw() if refusal is None else None
        fault = None if injection is None else injection.fault
        query = _without_token(request.query)
        entry = _Entry.open(
            emulator, request, route.api, token is not None, body, query, fault, started
        )
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
            )
            if injection is None:
                reply: web.StreamResponse = await route.handler(call)
            else:
                reply = await carry_out(
                    request, injection, lambda: _answer(call), emulator.revoke_tokens, route.host
                )
            entry.status = None if fault is Fault.CONNECTION_CLOSED else reply.status
            return reply
        finally:
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

    __slots__ = ("_emulator", "_index", "_logged", "status")

    def __init__(self, emulator: EmulatorState, logged: LoggedRequest | None) -> None:
        self._emulator = emulator
        self._logged = logged
        self._index = -1 if logged is None else emulator.journal.append(logged)
        self.status: int | None = None

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
        answered = attrs.evolve(logged, status=self.status, elapsed=time.monotonic() - started)
        self._emulator.journal.complete(self._index, answered, logged)

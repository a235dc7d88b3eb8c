"""The emulator's admin API under `/_emulator/`: its controls over HTTP, and the dashboard.

These routes sit beside DingTalk's, not behind its gateway: no token, no QPS
window, no journal line, no call counted. Each route carries out one control of
the in-process emulator (`EmulatorControls` here; the families' in their
`ADMIN_ROUTES`, found like their `ROUTES`) and answers JSON; `RemoteEmulator`
is their client and the dashboard (`/`) their page. Bad input is a 400
`{"error": "bad-request", "message": ...}`, an unknown group, message or API a
404 `{"error": "not-found", ...}`. docs/testing.md lists every route.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ._admin_kit import ADMIN_PREFIX, AdminCall, AdminRoute, serve
from ._admin_views import (
    counters_view,
    reply_from_view,
    request_view,
    settings_changes,
    settings_view,
)
from ._discovery import discovered_admin_routes
from .controls import EmulatorControls
from .dashboard import mount_dashboard
from .faults import Fault, Latency

__all__ = ["ADMIN_PREFIX", "ADMIN_ROUTES", "mount_admin"]

_FAULTS = {fault.value: fault for fault in Fault if fault is not Fault.CANNED_REPLY}


def _controls(call: AdminCall) -> EmulatorControls:
    return call.controls(EmulatorControls)


async def _credentials(call: AdminCall) -> Any:
    """The emulator's own made-up test credentials and where it listens; a secret it was given
    is never shown (`<hidden>`)."""
    emu = _controls(call)
    settings = await emu.get_settings()
    return {
        "appKey": emu.app_key,
        "appSecret": settings.shown_app_secret,
        "robotCode": emu.robot_code,
        "baseUrl": emu.base_url,
        "oapiBaseUrl": emu.oapi_base_url,
        "dashboardUrl": emu.base_url + "/",
    }


async def _settings(call: AdminCall) -> Any:
    settings = await _controls(call).get_settings()
    return {
        **settings_view(settings),
        "appSecret": settings.shown_app_secret,
        "suites": settings.shown_suites,
    }


async def _configure(call: AdminCall) -> Any:
    """Settings by camelCase name, e.g. `{"qpsLimit": 20, "visibleUsers": ["u1"]}`."""
    await _controls(call).configure(**settings_changes(await call.body()))
    return await _settings(call)


async def _counters(call: AdminCall) -> Any:
    return counters_view(await _controls(call).get_counters())


async def _requests(call: AdminCall) -> Any:
    """Journal lines from `?since=N` (an index), at most `?limit=M` of them (the newest)."""
    emu = _controls(call)
    since = call.query_int("since", 0) or 0
    limit = call.query_int("limit", None) or None
    lines = await emu.read_journal(since=since, limit=limit)
    total = (await emu.get_counters()).requests
    first = total - len(lines)
    return {
        "total": total,
        "requests": [request_view(first + n, line) for n, line in enumerate(lines)],
    }


def _fault(name: Any) -> Fault:
    fault = _FAULTS.get(name) if isinstance(name, str) else None
    if fault is None:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(_FAULTS)}")
    return fault


async def _schedule_faults(call: AdminCall) -> Any:
    """`{"api", "fault", "count", "delaySeconds"}` (or `"delay": {"low", "high"}`), `{"api",
    "fault", "every"}`, `{"api", "rates", "seed", "latency"}` or `{"api", "reply": {...},
    "count"}`."""
    body = await call.body()
    api = body.get("api")
    if not isinstance(api, str):
        raise ValueError('api is required, e.g. {"api": "im.group.create", ...}')
    emu = _controls(call)
    count = body.get("count", 1)
    if "rates" in body:
        rates = body["rates"]
        if not isinstance(rates, dict):
            raise ValueError("rates must be an object of fault name to rate")
        parsed = {_fault(name): float(rate) for name, rate in rates.items()}
        await emu.set_rates(parsed, api=api, seed=body.get("seed"), latency=body.get("latency"))
    elif "reply" in body:
        await emu.schedule_reply(reply_from_view(body["reply"]), count, api=api)
    elif "every" in body:
        await emu.every(_fault(body.get("fault")), body["every"], api=api)
    else:
        delay = body.get("delay", body.get("delaySeconds"))
        try:
            wait = None if delay is None else Latency.of(delay)
        except (TypeError, ValueError) as error:
            raise ValueError(f"delay: {error}") from None
        await emu.schedule(_fault(body.get("fault")), count, api=api, delay=wait)
    item = (await emu.get_counters()).api(api)
    return {
        "api": api,
        "pending": item.pending,
        "rates": {fault.value: rate for fault, rate in item.rates.items()},
    }


async def _clear_faults(call: AdminCall) -> Any:
    """Forget the faults of `?api=` (default: of every API)."""
    api = call.query.get("api")
    await _controls(call).clear_faults(api)
    return {"cleared": api or "all"}


async def _revoke_tokens(call: AdminCall) -> Any:
    await _controls(call).revoke_tokens()
    return {"revoked": True}


async def _reset(call: AdminCall) -> Any:
    """Forget every family's state, the journal, counters, faults and tokens; settings stay."""
    await _controls(call).reset()
    return {"reset": True}


# -- kept from before /settings, one setting each; `/settings` does all -------------------


async def _qps(call: AdminCall) -> Any:
    settings = await _controls(call).get_settings()
    return {"limit": settings.qps_limit, "perApi": dict(settings.qps_limits)}


async def _set_qps(call: AdminCall) -> Any:
    """`{"limit": N|null}` and/or `{"perApi": {api: N|null}}` (replaces the per-API limits)."""
    body = await call.body()
    names = {"limit": "qps_limit", "perApi": "qps_limits"}
    await _controls(call).configure(**{names[key]: body[key] for key in names if key in body})
    return await _qps(call)


async def _visible_users(call: AdminCall) -> Any:
    users = (await _controls(call).get_settings()).visible_users
    return {"users": None if users is None else sorted(users)}


async def _set_visible_users(call: AdminCall) -> Any:
    """`{"users": [...]}` (null: everyone is visible)."""
    await _controls(call).configure(visible_users=(await call.body()).get("users"))
    return await _visible_users(call)


ADMIN_ROUTES = (
    AdminRoute(method="GET", path="/credentials", handler=_credentials),
    AdminRoute(method="GET", path="/settings", handler=_settings),
    AdminRoute(method="PATCH", path="/settings", handler=_configure),
    AdminRoute(method="GET", path="/counters", handler=_counters),
    AdminRoute(method="GET", path="/requests", handler=_requests),
    AdminRoute(method="POST", path="/faults", handler=_schedule_faults),
    AdminRoute(method="DELETE", path="/faults", handler=_clear_faults),
    AdminRoute(method="POST", path="/tokens/revoke", handler=_revoke_tokens),
    AdminRoute(method="POST", path="/reset", handler=_reset),
    AdminRoute(method="GET", path="/qps", handler=_qps),
    AdminRoute(method="PUT", path="/qps", handler=_set_qps),
    AdminRoute(method="GET", path="/visible-users", handler=_visible_users),
    AdminRoute(method="PUT", path="/visible-users", handler=_set_visible_users),
)


def mount_admin(app: web.Application, emulator: EmulatorControls) -> None:
    """Serve the core and every family's admin routes for `emulator`, and the dashboard."""
    for route in (*ADMIN_ROUTES, *discovered_admin_routes()):
        app.router.add_route(route.method, ADMIN_PREFIX + route.path, serve(emulator, route))
    mount_dashboard(app, ADMIN_PREFIX)

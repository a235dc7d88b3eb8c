"""The emulator's admin API under `/_emulator/`: inspect and steer a running emulator.

These routes sit beside DingTalk's, not behind its gateway: no token, no QPS
window, no journal line, no call counted. They answer JSON; bad input is a
400 `{"error": "bad-request", "message": ...}`, an unknown group or message
a 404 `{"error": "not-found", ...}`. The routes are listed in docs/testing.md
("The admin API"); `RemoteEmulator` is their Python client and the dashboard
(`/`) their page.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._admin_views import counters_view, group_view, request_view
from .dashboard import mount_dashboard
from .faults import ErrorReply, Fault
from .store import StoredGroup

if TYPE_CHECKING:
    from ._state import EmulatorState

__all__ = ["ADMIN_PREFIX", "AdminApi"]

ADMIN_PREFIX = "/_emulator"
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_FAULTS = {fault.value: fault for fault in Fault if fault is not Fault.CANNED_REPLY}


class _BadInputError(Exception):
    """Raised by a handler for input it cannot act on; answered as a JSON 400 (or 404)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _reply(payload: Any, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status)


def _guarded(handler: _Handler) -> _Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except _BadInputError as error:
            kind = "not-found" if error.status == 404 else "bad-request"
            return _reply({"error": kind, "message": str(error)}, error.status)

    return serve


async def _object_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise _BadInputError("the body is not JSON") from None
    if not isinstance(body, dict):
        raise _BadInputError("the body must be a JSON object")
    return body


def _limit(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _BadInputError(f"{name} must be a positive integer or null, got {value!r}")
    return value


class AdminApi:
    """Serves the admin routes for one emulator (`mount(app)`)."""

    def __init__(self, emulator: EmulatorState) -> None:
        self.emulator = emulator

    def mount(self, app: web.Application) -> None:
        p = ADMIN_PREFIX
        routes: list[tuple[str, str, _Handler]] = [
            ("GET", f"{p}/credentials", self.credentials),
            ("GET", f"{p}/groups", self.groups),
            ("GET", f"{p}/groups/{{group_id}}", self.group),
            ("PUT", f"{p}/groups/{{group_id}}/robots/{{robot_code}}", self.install_robot),
            ("DELETE", f"{p}/groups/{{group_id}}/robots/{{robot_code}}", self.remove_robot),
            ("POST", f"{p}/messages/{{key}}/read", self.mark_read),
            ("GET", f"{p}/requests", self.requests),
            ("GET", f"{p}/counters", self.counters),
            ("POST", f"{p}/reset", self.reset),
            ("POST", f"{p}/faults", self.schedule_faults),
            ("DELETE", f"{p}/faults", self.clear_faults),
            ("GET", f"{p}/qps", self.qps),
            ("PUT", f"{p}/qps", self.set_qps),
            ("GET", f"{p}/visible-users", self.visible_users),
            ("PUT", f"{p}/visible-users", self.set_visible_users),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, _guarded(handler))
        mount_dashboard(app, ADMIN_PREFIX)

    # -- inspection ------------------------------------------------------------------

    async def credentials(self, _request: web.Request) -> web.Response:
        """The emulator's own made-up test credentials and where it listens."""
        emu = self.emulator
        return _reply(
            {
                "appKey": emu.app_key,
                "appSecret": emu.app_secret,
                "robotCode": emu.robot_code,
                "baseUrl": emu.base_url,
                "oapiBaseUrl": emu.oapi_base_url,
                "dashboardUrl": emu.base_url + "/",
            }
        )

    async def groups(self, _request: web.Request) -> web.Response:
        return _reply({"groups": [group_view(group) for group in self.emulator.store]})

    async def group(self, request: web.Request) -> web.Response:
        return _reply(group_view(self._group(request.match_info["group_id"])))

    async def requests(self, request: web.Request) -> web.Response:
        """Journal lines from `?since=N` (an index), at most `?limit=M` of them (the newest)."""
        since = self._query_int(request, "since", 0)
        limit = self._query_int(request, "limit", 0)
        journal = self.emulator.requests
        start = min(since, len(journal))
        if limit:
            start = max(start, len(journal) - limit)
        lines = [request_view(index, journal[index]) for index in range(start, len(journal))]
        return _reply({"total": len(journal), "requests": lines})

    async def counters(self, _request: web.Request) -> web.Response:
        return _reply(counters_view(self.emulator))

    async def qps(self, _request: web.Request) -> web.Response:
        return _reply({"limit": self.emulator.qps_limit, "perApi": self.emulator.qps_limits})

    async def visible_users(self, _request: web.Request) -> web.Response:
        users = self.emulator.visible_users
        return _reply({"users": None if users is None else sorted(users)})

    # -- steering ----------------------------------------------------------------------

    async def reset(self, _request: web.Request) -> web.Response:
        """Forget groups, journal, counters, faults and tokens; settings stay."""
        self.emulator.reset()
        return _reply({"reset": True})

    async def schedule_faults(self, request: web.Request) -> web.Response:
        """`{"api", "fault", "count", "delaySeconds"}`, `{"api", "rates", "seed"}` or
        `{"api", "reply": {"status", "code", "message"}, "count"}`."""
        body = await _object_body(request)
        api = body.get("api", "im.group.create")
        if not isinstance(api, str) or api not in self.emulator.traffic:
            raise _BadInputError(
                f"unknown api {api!r}; served: {', '.join(sorted(self.emulator.traffic))}"
            )
        faults = self.emulator.faults_for(api)
        try:
            if "rates" in body:
                rates = body["rates"]
                if not isinstance(rates, dict):
                    raise _BadInputError("rates must be an object of fault name to rate")
                faults.set_rates(
                    {self._fault(name): float(rate) for name, rate in rates.items()},
                    seed=body.get("seed"),
                )
            elif "reply" in body:
                reply = body["reply"]
                if not isinstance(reply, dict):
                    raise _BadInputError("reply must be an object with status, code, message")
                error = ErrorReply(
                    status=int(reply.get("status", 500)),
                    code=str(reply.get("code", "system.error")),
                    message=str(reply.get("message", "系统错误")),
                )
                faults.schedule_reply(error, body.get("count", 1))
            else:
                delay = body.get("delaySeconds")
                if delay is not None and (
                    isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0
                ):
                    raise _BadInputError(f"delaySeconds must be a number >= 0, got {delay!r}")
                faults.schedule(self._fault(body.get("fault")), body.get("count", 1), delay=delay)
        except (ValueError, TypeError) as error:
            raise _BadInputError(str(error)) from None
        return _reply({"api": api, "pending": faults.pending, "rates": _rates(faults.rates)})

    async def clear_faults(self, request: web.Request) -> web.Response:
        """Forget the faults of `?api=` (default: of every API)."""
        api = request.query.get("api")
        if api is not None and api not in self.emulator.traffic:
            raise _BadInputError(f"unknown api {api!r}")
        for name, traffic in self.emulator.traffic.items():
            if api in (None, name):
                traffic.faults.clear()
        return _reply({"cleared": api or "all"})

    async def set_qps(self, request: web.Request) -> web.Response:
        """`{"limit": N|null}` for every API and/or `{"perApi": {api: N|null}}` (replaces
        the per-API overrides)."""
        body = await _object_body(request)
        emu = self.emulator
        if "limit" in body:
            emu.qps_limit = _limit(body["limit"], "limit")
        if "perApi" in body:
            per_api = body["perApi"]
            if not isinstance(per_api, dict):
                raise _BadInputError("perApi must be an object of api name to limit")
            unknown = sorted(set(per_api) - set(emu.traffic))
            if unknown:
                raise _BadInputError(f"unknown apis: {unknown}")
            emu.qps_limits = {api: _limit(value, api) for api, value in per_api.items()}
        return await self.qps(request)

    async def set_visible_users(self, request: web.Request) -> web.Response:
        """`{"users": [...]}` (null: everyone is visible)."""
        body = await _object_body(request)
        users = body.get("users")
        if users is not None and (
            not isinstance(users, list) or not all(isinstance(user, str) for user in users)
        ):
            raise _BadInputError("users must be a list of userids or null")
        self.emulator.visible_users = None if users is None else frozenset(users)
        return await self.visible_users(request)

    async def install_robot(self, request: web.Request) -> web.Response:
        group = self._group(request.match_info["group_id"])
        group.robots.add(request.match_info["robot_code"])
        return _reply({"robots": sorted(group.robots)})

    async def remove_robot(self, request: web.Request) -> web.Response:
        group = self._group(request.match_info["group_id"])
        group.robots.discard(request.match_info["robot_code"])
        return _reply({"robots": sorted(group.robots)})

    async def mark_read(self, request: web.Request) -> web.Response:
        """`{"userIds": [...]}` read the message (as opening the group on DingTalk does)."""
        body = await _object_body(request)
        users = body.get("userIds")
        if not isinstance(users, list) or not all(isinstance(user, str) for user in users):
            raise _BadInputError("userIds must be a list of userids")
        try:
            message = self.emulator.store.mark_read(request.match_info["key"], *users)
        except KeyError as error:
            raise _BadInputError(str(error.args[0]), 404) from None
        except ValueError as error:
            raise _BadInputError(str(error)) from None
        return _reply({"readBy": list(message.read_by)})

    # -- helpers ---------------------------------------------------------------------

    def _group(self, group_id: str) -> StoredGroup:
        store = self.emulator.store
        group = store.by_open_conversation_id(group_id) or store.by_chatid(group_id)
        if group is None:
            raise _BadInputError(f"no group has the id {group_id!r}", 404)
        return group

    @staticmethod
    def _fault(name: Any) -> Fault:
        fault = _FAULTS.get(name) if isinstance(name, str) else None
        if fault is None:
            raise _BadInputError(f"unknown fault {name!r}; known: {', '.join(_FAULTS)}")
        return fault

    @staticmethod
    def _query_int(request: web.Request, name: str, default: int) -> int:
        raw = request.query.get(name)
        if raw is None:
            return default
        if not raw.isdigit():
            raise _BadInputError(f"{name} must be a non-negative integer, got {raw!r}")
        return int(raw)


def _rates(rates: dict[Fault, float]) -> dict[str, float]:
    return {fault.value: rate for fault, rate in rates.items()}

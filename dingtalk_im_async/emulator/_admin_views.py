"""The admin API's JSON shapes of the core records, both ways, by camelCase key.

One place decides what leaves the emulator and how `RemoteEmulator` reads it
back: journal lines (from `LoggedRequest`, which never holds a token and has
secrets masked), counters and settings. The families' shapes live with them
(`groups/views.py`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from enum import Enum
from typing import Any

import attrs

from ._journal import is_failure
from .faults import CannedReply, ErrcodeReply, ErrorReply, Fault, Latency, ScheduledReply
from .records import ApiCounters, Counters, LoggedRequest
from .settings import EmulatorSettings, setting_names

__all__ = [
    "counters_from_view",
    "counters_view",
    "logged_from_view",
    "reply_from_view",
    "reply_view",
    "request_view",
    "settings_changes",
    "settings_view",
]


def request_view(index: int, logged: LoggedRequest) -> dict[str, Any]:
    """One journal line (the token is never in `LoggedRequest`; secrets are masked)."""
    return {
        "index": index,
        "method": logged.method,
        "path": logged.path,
        "api": logged.api,
        "hasToken": logged.has_token,
        "query": dict(logged.query),
        "body": logged.body,
        "status": logged.status,
        "fault": None if logged.fault is None else logged.fault.value,
        "failed": is_failure(logged),
        "receivedAt": logged.received_at,
        "elapsedMs": None if logged.elapsed is None else round(logged.elapsed * 1000, 3),
        "corpId": logged.corp_id,
        "dataCorpIds": list(logged.data_corp_ids),
    }


def logged_from_view(line: Mapping[str, Any]) -> LoggedRequest:
    elapsed = line["elapsedMs"]
    return LoggedRequest(
        path=line["path"],
        has_token=line["hasToken"],
        body=line["body"],
        api=line["api"],
        method=line["method"],
        query=line["query"],
        fault=None if line["fault"] is None else Fault(line["fault"]),
        status=line["status"],
        received_at=line["receivedAt"],
        elapsed=None if elapsed is None else elapsed / 1000,
        corp_id=line.get("corpId"),
        data_corp_ids=tuple(line.get("dataCorpIds", ())),
    )


def counters_view(counters: Counters) -> dict[str, Any]:
    """Per API (`apis`, sorted by name) and the `totals`."""
    apis = [
        {
            "api": item.api,
            "calls": item.calls,
            "rateLimited": item.rate_limited,
            "quotaUsed": item.quota_used,
            "qpsLimit": item.qps_limit,
            "injected": {fault.value: count for fault, count in item.injected.items()},
            "pending": item.pending,
            "rates": {fault.value: rate for fault, rate in item.rates.items()},
        }
        for _, item in sorted(counters.apis.items())
    ]
    totals = {
        "calls": counters.calls,
        "rateLimited": counters.rate_limited,
        "groups": counters.groups,
        "requests": counters.requests,
        "failedRequests": counters.failed_requests,
        "quotaUsed": counters.quota_used,
    }
    return {"apis": apis, "totals": totals}


def counters_from_view(view: Mapping[str, Any]) -> Counters:
    apis = {
        item["api"]: ApiCounters(
            api=item["api"],
            calls=item["calls"],
            rate_limited=item["rateLimited"],
            quota_used=item["quotaUsed"],
            qps_limit=item["qpsLimit"],
            injected={Fault(name): count for name, count in item["injected"].items()},
            pending=item["pending"],
            rates={Fault(name): rate for name, rate in item["rates"].items()},
        )
        for item in view["apis"]
    }
    totals = view["totals"]
    return Counters(
        apis=apis,
        groups=totals["groups"],
        requests=totals["requests"],
        failed_requests=totals["failedRequests"],
        quota_used=totals["quotaUsed"],
    )


# -- scheduled replies ---------------------------------------------------------------------


def reply_view(reply: ScheduledReply) -> dict[str, Any]:
    """A scheduled reply as JSON: its fields, a canned body as `bodyBase64`."""
    if isinstance(reply, ErrorReply):
        return {"status": reply.status, "code": reply.code, "message": reply.message}
    if isinstance(reply, ErrcodeReply):
        return {"errcode": reply.errcode, "errmsg": reply.errmsg, "extra": dict(reply.extra)}
    return {
        "status": reply.status,
        "bodyBase64": base64.b64encode(reply.body).decode(),
        "contentType": reply.content_type,
        "headers": dict(reply.headers),
        "applied": reply.applied,
    }


def reply_from_view(view: Any) -> ScheduledReply:
    """`reply_view`'s shape back: an `errcode` makes an `ErrcodeReply`, a `body` or
    `bodyBase64` a `CannedReply`, anything else an `ErrorReply` (`status`, `code`,
    `message`, with DingTalk's 500 `system.error` by default)."""
    if not isinstance(view, dict):
        raise ValueError("reply must be an object")
    if "errcode" in view:
        extra = view.get("extra", {})
        if not isinstance(extra, dict):
            raise ValueError("reply.extra must be an object")
        return ErrcodeReply(
            errcode=int(view["errcode"]), errmsg=str(view.get("errmsg", "")), extra=extra
        )
    if "bodyBase64" in view or "body" in view:
        raw = view.get("bodyBase64")
        body = base64.b64decode(raw) if isinstance(raw, str) else str(view.get("body", "")).encode()
        headers = view.get("headers", {})
        if not isinstance(headers, dict):
            raise ValueError("reply.headers must be an object")
        return CannedReply(
            status=int(view.get("status", 200)),
            body=body,
            content_type=str(view.get("contentType", "application/json")),
            headers={str(k): str(v) for k, v in headers.items()},
            applied=bool(view.get("applied", False)),
        )
    return ErrorReply(
        status=int(view.get("status", 500)),
        code=str(view.get("code", "system.error")),
        message=str(view.get("message", "系统错误")),
    )


# -- settings ------------------------------------------------------------------------------


def camel(name: str) -> str:
    """`qps_limits` -> `qpsLimits`: a setting's name in the admin API."""
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


_BY_WIRE_NAME = {camel(name): name for name in setting_names()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (frozenset, set)):
        return sorted(_jsonable(item) for item in value)
    if isinstance(value, Mapping):
        return {_jsonable(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, Latency):
        return {"low": value.low, "high": value.high}
    return value


def settings_view(settings: EmulatorSettings) -> dict[str, Any]:
    """Every setting by its camelCase name, as JSON values (sets as sorted lists, faults by
    their CLI names, a latency as `{"low", "high"}`)."""
    return {
        camel(a.name): _jsonable(getattr(settings, a.name)) for a in attrs.fields(type(settings))
    }


def settings_changes(view: Mapping[str, Any]) -> dict[str, Any]:
    """The `configure(**changes)` a JSON object of camelCase settings asks for; the settings'
    own converters read the JSON values. An unknown name is a ValueError."""
    unknown = sorted(set(view) - set(_BY_WIRE_NAME))
    if unknown:
        raise ValueError(f"unknown settings {unknown}; settings: {', '.join(_BY_WIRE_NAME)}")
    return {_BY_WIRE_NAME[key]: value for key, value in view.items()}

"""`RemoteEmulator`: drive a `dingtalk-im emulator` running in another process over its admin API.

The in-process `DingTalkEmulator`'s inspection and fault methods, as
coroutines: `await remote.groups()`, `await remote.calls(api)`,
`await remote.fail_next()`. Groups come back as the same `StoredGroup` (with
its `PostedMessage`s), journal lines as the same `LoggedRequest`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import aiohttp

from ._admin_views import group_from_view
from ._shortcuts import CREATE_API
from .admin import ADMIN_PREFIX
from .faults import Fault
from .records import LoggedRequest
from .store import StoredGroup

__all__ = ["RemoteEmulator"]


class RemoteEmulator:
    """A client of a running emulator's admin API at `url` (e.g. `http://127.0.0.1:8080`).

    Use as `async with RemoteEmulator(url) as remote:`; `app_key`,
    `app_secret`, `robot_code`, `base_url` and `oapi_base_url` are read from
    the emulator on entry. The admin API's 400 and 404 answers raise
    ValueError with its message.
    """

    def __init__(self, url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.url = url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        self.app_key = ""
        self.app_secret = ""
        self.robot_code = ""
        self.base_url = self.url
        self.oapi_base_url = self.url + "/oapi"

    def __repr__(self) -> str:
        return f"RemoteEmulator(url={self.url!r}, app_key={self.app_key!r})"

    async def __aenter__(self) -> RemoteEmulator:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            await self.refresh_credentials()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client opened it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        if self._session is None:
            raise RuntimeError("use `async with RemoteEmulator(url)` before calling it")
        async with self._session.request(
            method, f"{self.url}{ADMIN_PREFIX}{path}", json=body, params=query or None
        ) as reply:
            payload = await reply.json(content_type=None)
            if reply.status >= 400:
                message = payload.get("message") if isinstance(payload, dict) else payload
                raise ValueError(f"{method} {path}: HTTP {reply.status}: {message}")
            return payload

    # -- inspection ------------------------------------------------------------------

    async def refresh_credentials(self) -> None:
        """Read the app key, secret, robot code and URLs from the emulator."""
        found = await self._call("GET", "/credentials")
        self.app_key = found["appKey"]
        self.app_secret = found["appSecret"]
        self.robot_code = found["robotCode"]
        self.base_url = found["baseUrl"]
        self.oapi_base_url = found["oapiBaseUrl"]

    async def groups(self) -> list[StoredGroup]:
        """Every group's current state, in creation order (members, admins, messages...)."""
        found = await self._call("GET", "/groups")
        return [_group(view) for view in found["groups"]]

    async def group(self, group_id: str) -> StoredGroup:
        """One group by openConversationId or chatid; ValueError if there is none."""
        return _group(await self._call("GET", f"/groups/{_segment(group_id)}"))

    async def requests(self, *, since: int = 0) -> list[LoggedRequest]:
        """The request journal from index `since` (never a token; secrets masked)."""
        found = await self._call("GET", "/requests", since=str(since))
        return [_logged(line) for line in found["requests"]]

    async def counters(self) -> dict[str, Any]:
        """The admin API's counters: per API (`apis`) and `totals`."""
        found: dict[str, Any] = await self._call("GET", "/counters")
        return found

    async def calls(self, api: str) -> int:
        """Calls received for `api`, refused ones included."""
        for item in (await self.counters())["apis"]:
            if item["api"] == api:
                return int(item["calls"])
        raise ValueError(f"no route serves the API {api!r}")

    async def injected(self, api: str = CREATE_API) -> dict[Fault, int]:
        """Faults injected on calls to `api` so far, by kind."""
        for item in (await self.counters())["apis"]:
            if item["api"] == api:
                return {Fault(name): count for name, count in item["injected"].items()}
        raise ValueError(f"no route serves the API {api!r}")

    # -- faults ------------------------------------------------------------------------

    async def schedule(
        self, fault: Fault, count: int = 1, *, api: str = CREATE_API, delay: float | None = None
    ) -> None:
        """Give the next `count` calls to `api` this fault (`delay`: seconds, for SLOW)."""
        body: dict[str, Any] = {"api": api, "fault": fault.value, "count": count}
        if delay is not None:
            body["delaySeconds"] = delay
        await self._call("POST", "/faults", body)

    async def set_rates(
        self, rates: Mapping[Fault, float], *, api: str = CREATE_API, seed: int | None = None
    ) -> None:
        """Give each call to `api` a fault with these probabilities."""
        body = {"api": api, "rates": {f.value: r for f, r in rates.items()}, "seed": seed}
        await self._call("POST", "/faults", body)

    async def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: str = "system.error",
        message: str = "请重试,若始终失败请提交工单",
        api: str = CREATE_API,
    ) -> None:
        """Answer the next `count` calls to `api` with this error body instead."""
        reply = {"status": status, "code": code, "message": message}
        await self._call("POST", "/faults", {"api": api, "reply": reply, "count": count})

    async def drop_next(self, count: int = 1, *, api: str = CREATE_API) -> None:
        """Close the connection on the next `count` calls to `api` without replying."""
        await self.schedule(Fault.CONNECTION_CLOSED, count, api=api)

    async def delay_next(self, count: int = 1, *, seconds: float, api: str = CREATE_API) -> None:
        """Hold the next `count` calls to `api` for `seconds`, then serve them."""
        await self.schedule(Fault.SLOW, count, api=api, delay=seconds)

    async def clear_faults(self, api: str | None = None) -> None:
        """Forget the faults of `api` (None: of every API)."""
        await self._call("DELETE", "/faults", **({} if api is None else {"api": api}))

    # -- settings ------------------------------------------------------------------------

    async def qps_limits(self) -> tuple[int | None, dict[str, int | None]]:
        """The limit for every API and the per-API overrides."""
        found = await self._call("GET", "/qps")
        return found["limit"], dict(found["perApi"])

    async def set_qps_limit(self, limit: int | None) -> None:
        """Calls per second allowed to each API (None: no limit)."""
        await self._call("PUT", "/qps", {"limit": limit})

    async def set_qps_limits(self, per_api: Mapping[str, int | None]) -> None:
        """Replace the per-API limits (`{"im.group.create": 20}`)."""
        await self._call("PUT", "/qps", {"perApi": dict(per_api)})

    async def visible_users(self) -> frozenset[str] | None:
        """Who the app may make an owner (None: everyone)."""
        users = (await self._call("GET", "/visible-users"))["users"]
        return None if users is None else frozenset(users)

    async def set_visible_users(self, users: Iterable[str] | None) -> None:
        await self._call("PUT", "/visible-users", {"users": None if users is None else list(users)})

    async def install_robot(self, group_id: str, robot_code: str) -> None:
        """Put this robot into the group."""
        await self._call("PUT", f"/groups/{_segment(group_id)}/robots/{_segment(robot_code)}")

    async def remove_robot(self, group_id: str, robot_code: str) -> None:
        await self._call("DELETE", f"/groups/{_segment(group_id)}/robots/{_segment(robot_code)}")

    async def mark_read(self, process_query_key: str, *user_ids: str) -> list[str]:
        """Record that these members read the message; returns everyone who has."""
        found = await self._call(
            "POST", f"/messages/{_segment(process_query_key)}/read", {"userIds": list(user_ids)}
        )
        return list(found["readBy"])

    async def reset(self) -> None:
        """Forget groups, journal, counters, faults and tokens; settings stay."""
        await self._call("POST", "/reset")


def _segment(value: str) -> str:
    """An id as one path segment: ids are base64 and may hold "/" and "+"."""
    return quote(value, safe="")


def _group(view: Mapping[str, Any]) -> StoredGroup:
    group, messages = group_from_view(view)
    group.messages.extend(messages)
    return group


def _logged(line: Mapping[str, Any]) -> LoggedRequest:
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
    )

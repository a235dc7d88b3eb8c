"""`RemoteEmulator`: the controls of a `dingtalk-im emulator` running in another process.

It has every control `DingTalkEmulator` has, under the same names and with the
same signatures (`EmulatorControls` and the families'), sent over the admin API:
`await remote.fail_next(api=...)`, `await remote.list_groups()`, `await
remote.configure(qps_limit=20)`. Groups come back as the same `StoredGroup`
(with its `PostedMessage`s), journal lines as the same `LoggedRequest`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from ._admin_kit import ADMIN_PREFIX, NotFoundError
from ._admin_views import (
    camel,
    counters_from_view,
    logged_from_view,
    reply_view,
    settings_changes,
    settings_view,
)
from ._legacy import LegacyRemoteNames, default_api
from .cards.controls import RemoteCardControls
from .controls import EmulatorControls
from .faults import Fault, Latency, ScheduledReply
from .groups.controls import RemoteGroupControls
from .oauth.controls import RemoteTenantControls
from .records import Counters, LoggedRequest
from .robot.controls import RemoteRobotControls
from .scenegroups.controls import RemoteSceneGroupControls
from .settings import EmulatorSettings
from .stream.controls import RemoteStreamControls

__all__ = ["RemoteEmulator"]

_Delay = Latency | float | tuple[float, float]


class RemoteEmulator(
    EmulatorControls,
    RemoteGroupControls,
    RemoteRobotControls,
    RemoteStreamControls,
    RemoteCardControls,
    RemoteSceneGroupControls,
    RemoteTenantControls,
    LegacyRemoteNames,
):
    """A client of a running emulator's admin API at `url` (e.g. `http://127.0.0.1:8080`).

    Use as `async with RemoteEmulator(url) as remote:`; `app_key`, `app_secret`,
    `robot_code`, `base_url` and `oapi_base_url` are read from the emulator on
    entry; an app secret the emulator was given (`--app-secret`) is never shown by it, so
    pass it as `app_secret`. The admin API's 404 answers raise `NotFoundError`, its 400 answers
    ValueError, each with its message: the exceptions the in-process emulator
    raises for the same mistakes.
    """

    def __init__(
        self,
        url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        app_secret: str | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._app_secret = app_secret
        self._session = session
        self._owns_session = session is None
        self._credentials: dict[str, str] = {
            "appKey": "",
            "appSecret": "",
            "robotCode": "",
            "baseUrl": self.url,
            "oapiBaseUrl": self.url + "/oapi",
        }

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

    async def _admin(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        if self._session is None:
            raise RuntimeError("use `async with RemoteEmulator(url)` before calling it")
        async with self._session.request(
            method, f"{self.url}{ADMIN_PREFIX}{path}", json=body, params=query or None
        ) as reply:
            payload = await reply.json(content_type=None)
            if reply.status >= 400:
                message = payload.get("message") if isinstance(payload, dict) else payload
                error = NotFoundError if reply.status == 404 else ValueError
                raise error(f"{method} {path}: HTTP {reply.status}: {message}")
            return payload

    async def _admin_json(self, path: str) -> Any:
        return await self._admin("GET", path)

    # -- who and where ----------------------------------------------------------------

    async def refresh_credentials(self) -> None:
        """Read the app key, secret, robot code and URLs from the emulator."""
        self._credentials = dict(await self._admin("GET", "/credentials"))

    @property
    def app_key(self) -> str:
        return self._credentials["appKey"]

    @property
    def app_secret(self) -> str:
        """The secret passed in, else the emulator's own made-up one (`<hidden>` when it was
        given one)."""
        return self._app_secret or self._credentials["appSecret"]

    @property
    def robot_code(self) -> str:
        return self._credentials["robotCode"]

    @property
    def base_url(self) -> str:
        return self._credentials["baseUrl"]

    @property
    def oapi_base_url(self) -> str:
        return self._credentials["oapiBaseUrl"]

    # -- the controls (EmulatorControls), sent over the admin API --------------------------

    async def get_settings(self) -> EmulatorSettings:
        view = await self._admin("GET", "/settings")
        return EmulatorSettings(**settings_changes(view))

    async def configure(self, **changes: Any) -> None:
        # Checked and converted here first, so a mistake raises what it raises in process.
        view = settings_view((await self.get_settings()).changed(**changes))
        wire = {camel(name): view[camel(name)] for name in changes}
        await self._admin("PATCH", "/settings", wire)

    async def get_counters(self) -> Counters:
        return counters_from_view(await self._admin("GET", "/counters"))

    async def read_journal(
        self, *, since: int = 0, limit: int | None = None
    ) -> list[LoggedRequest]:
        query = {"since": str(since)} | ({} if limit is None else {"limit": str(limit)})
        found = await self._admin("GET", "/requests", **query)
        return [logged_from_view(line) for line in found["requests"]]

    async def schedule(
        self,
        fault: Fault,
        count: int = 1,
        *,
        api: str | None = None,
        delay: _Delay | None = None,
    ) -> None:
        body: dict[str, Any] = {"api": default_api(api, "schedule"), "fault": fault.value}
        body["count"] = count
        if delay is not None:
            span = Latency.of(delay)
            body["delay"] = {"low": span.low, "high": span.high}
        await self._admin("POST", "/faults", body)

    async def schedule_reply(
        self, reply: ScheduledReply, count: int = 1, *, api: str | None = None
    ) -> None:
        body = {"api": default_api(api, "schedule_reply"), "reply": reply_view(reply)}
        await self._admin("POST", "/faults", {**body, "count": count})

    async def every(self, fault: Fault, calls: int, *, api: str | None = None) -> None:
        body = {"api": default_api(api, "every"), "fault": fault.value, "every": calls}
        await self._admin("POST", "/faults", body)

    async def set_rates(
        self,
        rates: Mapping[Fault, float],
        *,
        api: str | None = None,
        seed: int | None = None,
        latency: _Delay | None = None,
    ) -> None:
        body: dict[str, Any] = {
            "api": default_api(api, "set_rates"),
            "rates": {fault.value: rate for fault, rate in rates.items()},
            "seed": seed,
        }
        if latency is not None:
            span = Latency.of(latency)
            body["latency"] = {"low": span.low, "high": span.high}
        await self._admin("POST", "/faults", body)

    async def clear_faults(self, api: str | None = None) -> None:
        await self._admin("DELETE", "/faults", **({} if api is None else {"api": api}))

    async def revoke_tokens(self) -> None:
        await self._admin("POST", "/tokens/revoke")

    async def reset(self) -> None:
        await self._admin("POST", "/reset")

"""How clients get in: `connections/open` hands out tickets, `/connect` redeems them.

A ticket admits one connection within `ticket_lifetime` (DingTalk: 90 s);
reuse and late use are refused at the handshake. `connections/open` checks
the app's credentials, needs `Accept: application/json` (the real gateway
answers XML without it), accepts `EVENT`, `CALLBACK` and `SYSTEM`
subscriptions, and tolerates extra fields (`ua`, `localIp`, `extras`).
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from .._reading import json_body
from .._replies import error_reply, json_reply
from . import data as make
from .delivery import Delivery
from .lifecycle import Lifecycle
from .link import GatewayLink
from .settings import GatewaySettings, GatewayStats

__all__ = ["CONNECT_PATH", "OPEN_PATH", "Entrance"]

OPEN_PATH = "/v1.0/gateway/connections/open"
CONNECT_PATH = "/connect"
_TYPES = ("EVENT", "CALLBACK", "SYSTEM")
Subscriptions = frozenset[tuple[str, str]]
#: The credentials besides the app's a connection may open with: key -> secret (the suites').
Clients = Callable[[], Mapping[str, str]]


class Entrance:
    """Tickets, the two handlers, and the entry faults (`fail_next`, `reject_next`)."""

    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        settings: GatewaySettings,
        stats: GatewayStats,
        delivery: Delivery,
        lifecycle: Lifecycle,
        clients: Clients = dict,
    ) -> None:
        self._clients = clients
        self._app_key = app_key
        self._app_secret = app_secret
        self._settings = settings
        self._stats = stats
        self._delivery = delivery
        self._lifecycle = lifecycle
        self._tickets: dict[str, tuple[float, Subscriptions, str]] = {}
        self._failures: deque[tuple[int, str, str]] = deque()
        self._rejections = 0
        #: Each `connections/open` body received, `clientSecret` masked.
        self.requests: list[dict[str, Any]] = []
        self.base_url: Callable[[], str] = lambda: "http://127.0.0.1"

    def fail_next(self, count: int, status: int, code: str, message: str) -> None:
        self._failures.extend([(status, code, message)] * count)

    def reject_next(self, count: int) -> None:
        self._rejections += count

    async def handle_open(self, request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Accept", ""):
            return web.Response(status=200, text="<xml/>", content_type="application/xml")
        body = await json_body(request)
        if isinstance(body, dict):
            secret = "<hidden>" if "clientSecret" in body else None
            self.requests.append({**body, "clientSecret": secret} if secret else dict(body))
        if self._failures:
            return error_reply(*self._failures.popleft())
        if not isinstance(body, dict) or not isinstance(body.get("subscriptions"), list):
            return error_reply(
                400, "invalidParameter", "参数错误: clientId, clientSecret, subscriptions"
            )
        client_id = body.get("clientId")
        known = {**self._clients(), self._app_key: self._app_secret}
        expected = known.get(client_id) if isinstance(client_id, str) else None
        if expected is None or not secrets.compare_digest(
            str(body.get("clientSecret", "")).encode(), expected.encode()
        ):
            return error_reply(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        assert isinstance(client_id, str)
        subscriptions = frozenset(
            (str(entry["type"]), str(entry.get("topic", "")))
            for entry in body["subscriptions"]
            if isinstance(entry, dict) and entry.get("type") in _TYPES
        )
        self._stats.tickets += 1
        ticket = self._issue(subscriptions, client_id)
        endpoint = self.base_url().replace("http", "ws", 1) + CONNECT_PATH
        return json_reply(200, {"endpoint": endpoint, "ticket": ticket})

    def _issue(self, subscriptions: Subscriptions, client_id: str) -> str:
        now = time.monotonic()
        for stale in [key for key, entry in self._tickets.items() if entry[0] < now]:
            del self._tickets[stale]
        ticket = secrets.token_hex(16)
        self._tickets[ticket] = (now + self._settings.ticket_lifetime, subscriptions, client_id)
        return ticket

    def _redeem(self, ticket: str) -> tuple[Subscriptions, str] | None:
        entry = self._tickets.pop(ticket, None)
        if entry is None or entry[0] < time.monotonic():
            return None
        if self._rejections:
            self._rejections -= 1
            return None
        return entry[1], entry[2]

    async def handle_connect(self, request: web.Request) -> web.StreamResponse:
        redeemed = self._redeem(request.query.get("ticket", ""))
        if redeemed is None:
            return web.Response(status=403, text="invalid or used ticket")
        subscriptions, client_id = redeemed
        websocket = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
        await websocket.prepare(request)
        link = GatewayLink(
            websocket,
            request,
            connection_id=make.connection_id(),
            subscriptions=subscriptions,
            client_id=client_id,
        )
        self._stats.connections += 1
        self._lifecycle.start(link)
        self._delivery.link_opened(link)
        try:
            async for message in websocket:
                if message.type == web.WSMsgType.TEXT:
                    self._delivery.received(link, message.data)
        finally:
            self._delivery.link_closed(link)
            await link.finish()
        return websocket

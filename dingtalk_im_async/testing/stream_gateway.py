"""`StreamGateway`: DingTalk's Stream mode, emulated on the emulator's own aiohttp app.

It serves `POST /v1.0/gateway/connections/open` (single-use tickets), the
WebSocket those tickets open (`/connect?ticket=...`), the sessionWebhook
sink bot messages point to (`/oapi/robot/sendBySession?session=...`), and
two admin routes to push from another process (`/_emulator/stream/...`).
Tests push with `inject_message(...)` and `push_event(...)`; the emulator's
group endpoints push their events with `push_event(...)` too.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import web
from attrs import define

from . import _stream_data as make
from ._ids import open_conversation_id
from ._reading import json_body
from ._replies import error_reply, json_reply
from ._stream_delivery import Delivery, GatewaySettings, GatewayStats, StreamAck, StreamFaults
from ._stream_link import GatewayLink

__all__ = [
    "ADMIN_EVENTS_PATH",
    "ADMIN_MESSAGES_PATH",
    "BOT_MESSAGE_TOPIC",
    "CONNECT_PATH",
    "OPEN_PATH",
    "WEBHOOK_PATH",
    "GatewaySettings",
    "GatewayStats",
    "StreamAck",
    "StreamFaults",
    "StreamGateway",
    "WebhookPost",
]

OPEN_PATH = "/v1.0/gateway/connections/open"
CONNECT_PATH = "/connect"
WEBHOOK_PATH = "/oapi/robot/sendBySession"
ADMIN_MESSAGES_PATH = "/_emulator/stream/messages"
ADMIN_EVENTS_PATH = "/_emulator/stream/events"
BOT_MESSAGE_TOPIC = "/v1.0/im/bot/messages/get"
#: errcode and errmsg of a sessionWebhook whose session is over (seen live).
SESSION_GONE = (300001, "session 不存在")
_TYPES = ("EVENT", "CALLBACK", "SYSTEM")


@define(frozen=True, kw_only=True)
class WebhookPost:
    """A reply posted to an injected message's sessionWebhook (`accepted`: errcode 0)."""

    session: str
    body: Any
    accepted: bool


@define(kw_only=True)
class _Session:
    expires_at: float
    open_conversation_id: str


class StreamGateway:
    """The Stream gateway of one app (`app_key` / `app_secret`); see the module docstring.

    `settings` (timing), `faults` (injected failures) and `stats` are
    attributes; `acks` and `webhook_posts` record what clients sent back.
    """

    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        robot_code: str | None = None,
        corp_id: str = "dingemulatorcorp",
        settings: GatewaySettings | None = None,
        faults: StreamFaults | None = None,
        seed: int | None = None,
    ) -> None:
        self.app_key = app_key
        self._app_secret = app_secret
        self.robot_code = robot_code or app_key
        self.corp_id = corp_id
        self.settings = settings or GatewaySettings()
        self.faults = faults or StreamFaults()
        self.stats = GatewayStats()
        self._random = random.Random(seed)
        self._delivery = Delivery(
            app_id=make.connection_id(),
            settings=self.settings,
            faults=self.faults,
            stats=self.stats,
            rng=self._random,
        )
        self._tickets: dict[str, tuple[float, frozenset[tuple[str, str]]]] = {}
        self._sessions: dict[str, _Session] = {}
        self.webhook_posts: list[WebhookPost] = []
        self._base_url: Callable[[], str] = lambda: "http://127.0.0.1"

    def __repr__(self) -> str:
        return f"StreamGateway(app_key={self.app_key!r}, connections={len(self._delivery.links)})"

    def mount(self, app: web.Application, base_url: Callable[[], str]) -> None:
        """Serve the gateway on `app`; `base_url()` says where the emulator listens."""
        self._base_url = base_url
        app.router.add_post(OPEN_PATH, self._handle_open)
        app.router.add_get(CONNECT_PATH, self._handle_connect)
        app.router.add_post(WEBHOOK_PATH, self._handle_webhook)
        app.router.add_post(ADMIN_MESSAGES_PATH, self._handle_admin_message)
        app.router.add_post(ADMIN_EVENTS_PATH, self._handle_admin_event)
        app.on_shutdown.append(self._shutdown)

    # -- inspection ----------------------------------------------------------

    @property
    def acks(self) -> list[StreamAck]:
        """Every acknowledgement received, oldest first."""
        return self._delivery.acks

    @property
    def connections(self) -> list[str]:
        """The ids of the live connections (draining ones too), oldest first."""
        return list(self._delivery.links)

    @property
    def unacknowledged(self) -> int:
        """Pushes not acknowledged yet (nor given up)."""
        return self._delivery.unacknowledged

    async def wait_until_acknowledged(self, *, timeout: float = 10.0) -> None:
        """Wait until every push was acknowledged or given up; `TimeoutError` otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._delivery.unacknowledged:
            if loop.time() > deadline:
                raise TimeoutError(f"{self._delivery.unacknowledged} pushes still unacknowledged")
            await asyncio.sleep(0.01)

    # -- pushing -----------------------------------------------------------------

    def inject_message(
        self,
        text: str = "hello",
        *,
        sender_staff_id: str = "user123",
        sender_nick: str = "Emulated User",
        open_conversation_id: str | None = None,
        conversation_type: str = "2",
        conversation_title: str | None = "Emulated group",
        at_bot: bool = True,
        at_users: Sequence[str] = (),
        msg_id: str | None = None,
        webhook_ttl: float | None = None,
    ) -> dict[str, Any]:
        """Push a message from a user to the bot; returns its data (with `msgId`)."""
        cid = open_conversation_id or _default_conversation(sender_staff_id, conversation_type)
        session = secrets.token_hex(16)
        ttl = self.settings.webhook_ttl if webhook_ttl is None else webhook_ttl
        self._sessions[session] = _Session(expires_at=time.time() + ttl, open_conversation_id=cid)
        data = make.bot_message_data(
            text=text,
            msg_id=msg_id or make.msg_id(),
            open_conversation_id=cid,
            conversation_type=conversation_type,
            conversation_title=conversation_title if conversation_type == "2" else None,
            sender_staff_id=sender_staff_id,
            sender_nick=sender_nick,
            at_bot=at_bot,
            at_users=at_users,
            robot_code=self.robot_code,
            corp_id=self.corp_id,
            webhook=f"{self._base_url()}{WEBHOOK_PATH}?session={session}",
            webhook_expires_ms=int((time.time() + ttl) * 1000),
        )
        self._delivery.push("CALLBACK", BOT_MESSAGE_TOPIC, make.encode(data), {}, data["msgId"])
        return data

    def push_event(
        self, event_type: str, data: Mapping[str, Any] | None = None, *, event_id: str | None = None
    ) -> str:
        """Push an event of `event_type` whose data holds `data` (wire keys: `chatId`,
        `openConversationId`, `operator`, `userId`, `title`, `owner`, ...); `timeStamp`,
        `corpId` and `eventId` are filled in. Returns the `eventId`."""
        event_id = event_id or make.event_id()
        payload = make.event_data(event_type, data or {}, event_id=event_id, corp_id=self.corp_id)
        headers = {
            "eventType": event_type,
            "eventId": event_id,
            "eventBornTime": str(make.now_ms()),
            "eventCorpId": self.corp_id,
            "eventUnifiedAppId": self._delivery.app_id,
        }
        self._delivery.push("EVENT", "*", make.encode(payload), headers, event_id)
        return event_id

    # -- faults on command -------------------------------------------------------

    def reseed(self, seed: int | None) -> None:
        """Seed the fault draws and routing choices, for reproducible runs."""
        self._random.seed(seed)

    def send_disconnect(self) -> int:
        """Send `disconnect` on every routable connection now; returns how many."""
        links = [link for link in self._delivery.links.values() if link.routable]
        for link in links:
            self._disconnect(link)
        return len(links)

    def drop_connections(self) -> int:
        """Cut every connection's TCP without a close frame; returns how many."""
        links = list(self._delivery.links.values())
        for link in links:
            self._drop(link)
        return len(links)

    def make_zombies(self) -> int:
        """Make every live connection silent (pings answered, nothing sent); returns how many."""
        links = [link for link in self._delivery.links.values() if not link.zombie]
        for link in links:
            self._zombify(link)
        return len(links)

    def expire_webhooks(self) -> None:
        """End every sessionWebhook handed out so far."""
        for session in self._sessions.values():
            session.expires_at = 0.0

    # -- connection lifecycle ------------------------------------------------------

    def _disconnect(self, link: GatewayLink) -> None:
        if not link.routable:
            return
        link.routable = False
        self.stats.disconnects += 1
        self._delivery.send_system(
            link, "disconnect", {"reason": "persistent connection is timeout"}
        )
        link.later(self.settings.disconnect_grace, link.drop)  # the gateway's own, not a fault

    def _drop(self, link: GatewayLink) -> None:
        self.stats.drops += 1
        link.drop()

    def _zombify(self, link: GatewayLink) -> None:
        if not link.zombie:
            link.zombie = True
            self.stats.zombies += 1

    def _ping(self, link: GatewayLink) -> None:
        interval = self.settings.ping_interval
        if interval is None:
            return
        self.stats.pings += 1
        self._delivery.send_system(link, "ping", {"opaque": make.message_id()})
        link.later(interval, self._ping, link)

    def _schedule(self, link: GatewayLink) -> None:
        """A new connection's timers: pings, `disconnect` at its age, maybe a zombie or a drop."""
        settings = self.settings
        if settings.ping_interval is not None:
            link.later(settings.ping_interval, self._ping, link)
        if settings.disconnect_after is not None:
            spread = settings.disconnect_after * settings.disconnect_jitter
            age = settings.disconnect_after + self._random.uniform(-spread, spread)
            link.later(max(age, 0.0), self._disconnect, link)
        faults = self.faults
        if self._random.random() < faults.zombie_rate:
            link.later(self._random.uniform(0, faults.zombie_within), self._zombify, link)
        if self._random.random() < faults.drop_rate:
            link.later(self._random.uniform(0, faults.drop_within), self._drop, link)

    async def _shutdown(self, _app: web.Application) -> None:
        self._delivery.shutdown()
        await asyncio.gather(*(link.close() for link in list(self._delivery.links.values())))

    # -- HTTP handlers ---------------------------------------------------------------

    async def _handle_open(self, request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Accept", ""):
            # The gateway answers XML without it (the Node SDK's comment).
            return web.Response(status=200, text="<xml/>", content_type="application/xml")
        body = await json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("subscriptions"), list):
            return error_reply(
                400, "invalidParameter", "参数错误: clientId, clientSecret, subscriptions"
            )
        if body.get("clientId") != self.app_key or not secrets.compare_digest(
            str(body.get("clientSecret", "")).encode(), self._app_secret.encode()
        ):
            return error_reply(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        subscriptions = frozenset(
            (str(entry["type"]), str(entry.get("topic", "")))
            for entry in body["subscriptions"]
            if isinstance(entry, dict) and entry.get("type") in _TYPES
        )
        now = time.monotonic()
        for stale in [key for key, (expiry, _) in self._tickets.items() if expiry < now]:
            del self._tickets[stale]
        ticket = secrets.token_hex(16)
        self._tickets[ticket] = (now + self.settings.ticket_lifetime, subscriptions)
        self.stats.tickets += 1
        endpoint = self._base_url().replace("http", "ws", 1) + CONNECT_PATH
        return json_reply(200, {"endpoint": endpoint, "ticket": ticket})

    async def _handle_connect(self, request: web.Request) -> web.StreamResponse:
        entry = self._tickets.pop(request.query.get("ticket", ""), None)
        if entry is None or entry[0] < time.monotonic():
            return web.Response(status=403, text="invalid or used ticket")
        websocket = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
        await websocket.prepare(request)
        link = GatewayLink(
            websocket, request, connection_id=make.connection_id(), subscriptions=entry[1]
        )
        self.stats.connections += 1
        self._schedule(link)
        self._delivery.link_opened(link)
        try:
            async for message in websocket:
                if message.type == web.WSMsgType.TEXT:
                    self._delivery.received(link, message.data)
        finally:
            self._delivery.link_closed(link)
            await link.finish()
        return websocket

    async def _handle_webhook(self, request: web.Request) -> web.StreamResponse:
        session_id = request.query.get("session", "")
        body = await json_body(request)
        session = self._sessions.get(session_id)
        accepted = session is not None and session.expires_at > time.time()
        self.webhook_posts.append(WebhookPost(session=session_id, body=body, accepted=accepted))
        if not accepted:
            errcode, errmsg = SESSION_GONE
            return json_reply(200, {"errcode": errcode, "errmsg": errmsg})
        return json_reply(200, {"errcode": 0, "errmsg": "ok"})

    async def _handle_admin_message(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        fields = body if isinstance(body, dict) else {}
        data = self.inject_message(
            str(fields.get("text", "hello")),
            sender_staff_id=str(fields.get("senderStaffId", "user123")),
            open_conversation_id=fields.get("openConversationId"),
            conversation_type=str(fields.get("conversationType", "2")),
        )
        return json_reply(200, {"msgId": data["msgId"]})

    async def _handle_admin_event(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("eventType"), str):
            return error_reply(400, "invalidParameter", "eventType is required")
        data = body.get("data")
        event_id = self.push_event(body["eventType"], data if isinstance(data, dict) else {})
        return json_reply(200, {"eventId": event_id})


def _default_conversation(sender: str, conversation_type: str) -> str:
    """A group id when none is given (one-to-one chats get their own)."""
    return open_conversation_id() if conversation_type == "2" else f"cid1to1{sender}"

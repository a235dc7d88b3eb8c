"""`StreamGateway`: DingTalk's Stream mode, emulated on the emulator's own aiohttp app.

It serves `POST /v1.0/gateway/connections/open` (single-use tickets), the
WebSocket those tickets open (`/connect?ticket=...`), the sessionWebhook
sink bot messages point to (`/oapi/robot/sendBySession?session=...`).
Tests push with `inject_message(...)` and `push_event(...)`; the emulator's
group endpoints push their events with `push_event(...)` too. Its controls,
in process and over the admin API (`/_emulator/stream/...`), are in
`stream/controls.py`.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

from .._ids import open_conversation_id
from . import data as make
from .delivery import AckHook, Delivery
from .entrance import CONNECT_PATH, OPEN_PATH, Clients, Entrance
from .lifecycle import Lifecycle
from .settings import GatewaySettings, GatewayStats, StreamAck, StreamFaults
from .webhooks import WEBHOOK_PATH, WebhookPost, WebhookSink

__all__ = [
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

BOT_MESSAGE_TOPIC = "/v1.0/im/bot/messages/get"


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
        clients: Clients = dict,
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
        self._lifecycle = Lifecycle(
            delivery=self._delivery,
            settings=self.settings,
            faults=self.faults,
            stats=self.stats,
            rng=self._random,
        )
        self._entrance = Entrance(
            app_key=app_key,
            app_secret=app_secret,
            settings=self.settings,
            stats=self.stats,
            delivery=self._delivery,
            lifecycle=self._lifecycle,
            clients=clients,
        )
        self._webhooks = WebhookSink()

    def __repr__(self) -> str:
        return f"StreamGateway(app_key={self.app_key!r}, connections={len(self._delivery.links)})"

    def mount(self, app: web.Application, base_url: Callable[[], str]) -> None:
        """Serve the gateway on `app`; `base_url()` says where the emulator listens."""
        self._entrance.base_url = base_url
        app.router.add_post(OPEN_PATH, self._entrance.handle_open)
        app.router.add_get(CONNECT_PATH, self._entrance.handle_connect)
        app.router.add_post(WEBHOOK_PATH, self._webhooks.handle)
        app.on_shutdown.append(self._shutdown)

    # -- inspection ----------------------------------------------------------

    @property
    def acks(self) -> list[StreamAck]:
        """Every acknowledgement received, oldest first."""
        return self._delivery.acks

    @property
    def open_requests(self) -> list[dict[str, Any]]:
        """Each `connections/open` body received, `clientSecret` masked."""
        return self._entrance.requests

    @property
    def webhook_posts(self) -> list[WebhookPost]:
        """Every post to an injected message's sessionWebhook, oldest first."""
        return self._webhooks.posts

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
        ttl = self.settings.webhook_ttl if webhook_ttl is None else webhook_ttl
        session, expires_at = self._webhooks.open_session(ttl)
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
            webhook=f"{self._entrance.base_url()}{WEBHOOK_PATH}?session={session}",
            webhook_expires_ms=int(expires_at * 1000),
        )
        self.push_frame("CALLBACK", BOT_MESSAGE_TOPIC, make.encode(data), key=data["msgId"])
        return data

    def push_event(
        self,
        event_type: str,
        data: Mapping[str, Any] | None = None,
        *,
        event_id: str | None = None,
        client_id: str | None = None,
        corp_id: str | None = None,
    ) -> str:
        """Push an event of `event_type` whose data holds `data` (wire keys: `chatId`,
        `openConversationId`, `operator`, `userId`, `title`, `owner`, ...); `timeStamp`,
        `corpId` and `eventId` are filled in. It goes to the connections of `client_id` (a
        suite's key; None: the app's), from `corp_id` (None: the app's organisation).
        Returns the `eventId`."""
        event_id = event_id or make.event_id()
        corp = self.corp_id if corp_id is None else corp_id
        payload = make.event_data(event_type, data or {}, event_id=event_id, corp_id=corp)
        headers = {
            "eventType": event_type,
            "eventId": event_id,
            "eventBornTime": str(make.now_ms()),
            "eventCorpId": corp,
            "eventUnifiedAppId": self._delivery.app_id,
        }
        self.push_frame(
            "EVENT", "*", make.encode(payload), headers=headers, key=event_id, client_id=client_id
        )
        return event_id

    def push_frame(
        self,
        frame_type: str,
        topic: str,
        data: str,
        *,
        headers: Mapping[str, str] | None = None,
        key: str | None = None,
        on_ack: AckHook | None = None,
        client_id: str | None = None,
    ) -> None:
        """Push any frame: `data` goes out as given (even if it is not JSON), with `headers`
        added to the usual ones; `key` names the push in the stats (default: a new id);
        `on_ack` gets the acknowledgement that settles it; `client_id` picks the connections
        (a suite's key; None: the app's)."""
        self._delivery.push(
            frame_type,
            topic,
            data,
            dict(headers or {}),
            key or make.event_id(),
            on_ack,
            client_id=self.app_key if client_id is None else client_id,
        )

    # -- faults on command -------------------------------------------------------

    def reseed(self, seed: int | None) -> None:
        """Seed the fault draws and routing choices, for reproducible runs."""
        self._random.seed(seed)

    def send_disconnect(self) -> int:
        """Send `disconnect` on every routable connection now; returns how many."""
        links = [link for link in self._delivery.links.values() if link.routable]
        for link in links:
            self._lifecycle.disconnect(link)
        return len(links)

    def drop_connections(self) -> int:
        """Cut every connection's TCP without a close frame; returns how many."""
        links = list(self._delivery.links.values())
        for link in links:
            self._lifecycle.drop(link)
        return len(links)

    def make_zombies(self) -> int:
        """Make every live connection silent (pings answered, nothing sent); returns how many."""
        links = [link for link in self._delivery.links.values() if not link.zombie]
        for link in links:
            self._lifecycle.zombify(link)
        return len(links)

    def expire_webhooks(self) -> None:
        """End every sessionWebhook handed out so far."""
        self._webhooks.expire_all()

    def fail_webhooks(self, count: int = 1, *, errcode: int, errmsg: str = "") -> None:
        """Answer the next `count` posts to valid sessionWebhooks with this errcode."""
        self._webhooks.fail_next(count, errcode, errmsg)

    def fail_opens(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: str = "system.error",
        message: str = "系统错误",
    ) -> None:
        """Answer the next `count` calls to `connections/open` with this error."""
        self._entrance.fail_next(count, status, code, message)

    def reject_tickets(self, count: int = 1) -> None:
        """Refuse the WebSocket handshake of the next `count` connections (HTTP 403)."""
        self._entrance.reject_next(count)

    async def _shutdown(self, _app: web.Application) -> None:
        self._delivery.shutdown()
        await asyncio.gather(*(link.close() for link in list(self._delivery.links.values())))


def _default_conversation(sender: str, conversation_type: str) -> str:
    """A group id when none is given (one-to-one chats get their own)."""
    return open_conversation_id() if conversation_type == "2" else f"cid1to1{sender}"

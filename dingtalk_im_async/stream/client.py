"""`StreamClient`: hear the bot's messages and the groups' events over DingTalk's Stream mode.

Two ways to consume, one per client:

    async with StreamClient(app_key=..., app_secret=...) as stream:
        async for item in stream:            # BotMessage or a StreamEvent
            ...

    stream = StreamClient(app_key=..., app_secret=...)

    @stream.on_message
    async def hear(message: BotMessage) -> None: ...

    await stream.run()                       # until close() or cancellation

Every frame is acknowledged as soon as it is read, before any user code
runs; items are handed on once per msgId / eventId, across reconnects. With
`fleet_dedup` (several instances of one bot), items are handled once across
the fleet and acknowledged after their handler (see `FleetDedup`). Card
button presses (`on_card_action`) are the exception: their acknowledgement
carries the handler's card update, so it waits for the handler (a task per
press, `card_action_timeout` at most).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from yarl import URL

from .._core.fleet_dedup import FleetDedup
from .._core.hosts import resolve_base_url
from .._core.redaction import forget, register
from ..budget import PushCounter
from ..cards.callbacks import CARD_CALLBACK_TOPIC
from ..robot.messages import RobotMessage
from ._backoff import Backoff
from ._buffer import BufferClosedError
from ._card_actions import CardActionHandler, CardActions
from ._connection import OPEN_PATH, StreamConnection, open_ticket, open_websocket
from ._dedup import SeenIds
from ._frames import BOT_MESSAGE_TOPIC, CALLBACK, EVENT
from ._handlers import EventHandler, HandlerRunner, MessageHandler
from ._intake import Intake, StreamStats
from ._robot_contract import RobotSender
from ._settings import StreamSettings
from ._supervisor import Supervisor
from .models import BotMessage, StreamItem
from .reply import Replier, ReplyResult

__all__ = ["StreamClient"]

logger = logging.getLogger("dingtalk_im_async.stream")

_H = TypeVar("_H", bound=Callable[..., Awaitable[None]])
_C = TypeVar("_C", bound=CardActionHandler)


class StreamClient:
    """One app's Stream connection: bot messages (`messages`) and events (`events`).

    `session` is yours to own and close; without one the client makes and
    closes its own. `base_url` (default `$DINGTALK_BASE_URL`, else DingTalk's
    host) is where `connections/open` is called. `robot` lets `reply()` fall
    back to the robot API (e.g. `client.robot`). `fleet_dedup` (e.g.
    `fleet_stream.RedisStreamDedup`) handles each item once across every instance of the bot.
    """

    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        session: aiohttp.ClientSession | None = None,
        base_url: str | None = None,
        messages: bool = True,
        events: bool = True,
        settings: StreamSettings | None = None,
        robot: RobotSender | None = None,
        allow_http: bool = False,
        fleet_dedup: FleetDedup | None = None,
    ) -> None:
        if not app_key or not app_secret:
            raise ValueError("app_key and app_secret must not be empty")
        if not messages and not events:
            raise ValueError("subscribe to messages, events, or both")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise TypeError("session must be an aiohttp.ClientSession")
        if fleet_dedup is not None and not isinstance(fleet_dedup, FleetDedup):
            raise TypeError("fleet_dedup must be a FleetDedup, e.g. fleet_stream.RedisStreamDedup")
        #: Shares which items were handled with the other instances of this bot (see
        #: `FleetDedup`); items are then acknowledged after their handler.
        self.fleet_dedup = fleet_dedup
        self.app_key = app_key
        self._app_secret = app_secret
        # Scrubbed from every error text while this client lives (`_core/redaction.py`).
        register(app_secret)
        weakref.finalize(self, forget, app_secret)
        self._open_url = URL(resolve_base_url(base_url, allow_http=allow_http) + OPEN_PATH)
        self._subscriptions = [
            *([{"type": CALLBACK, "topic": BOT_MESSAGE_TOPIC}] if messages else []),
            *([{"type": EVENT, "topic": "*"}] if events else []),
        ]
        self.settings = settings or StreamSettings()
        self._allow_http = allow_http
        self._session = session
        self._owns_session = session is None
        self._robot = robot
        #: Counters: connections, reconnects, items, duplicates suppressed, handler errors.
        self.stats = StreamStats()
        #: Pushes received per month, against `settings.push_budget` (warned, never refused).
        self.pushes = PushCounter(self.settings.push_budget, warn_at=self.settings.push_warn_at)
        self._on_message: MessageHandler | None = None
        self._on_event: EventHandler | None = None
        self._on_card_action: CardActionHandler | None = None
        self._card_actions: CardActions | None = None
        self._intake: Intake | None = None
        self._supervisor: Supervisor | None = None
        self._supervisor_task: asyncio.Task[None] | None = None
        self._runner_task: asyncio.Task[None] | None = None
        self._replier: Replier | None = None
        self._failure: BaseException | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "started" if self._intake else "new"
        return f"StreamClient(app_key={self.app_key!r}, {state})"

    # -- handlers ------------------------------------------------------------

    def on_message(self, handler: _H) -> _H:
        """Register the async function that gets each `BotMessage` (one per client)."""
        if self._on_message is not None:
            raise ValueError("a message handler is already registered")
        self._on_message = handler
        return handler

    def on_event(self, handler: _H) -> _H:
        """Register the async function that gets each event (one per client; match on its class)."""
        if self._on_event is not None:
            raise ValueError("an event handler is already registered")
        self._on_event = handler
        return handler

    def on_card_action(self, handler: _C) -> _C:
        """Register the async function that gets each press of a card's button
        (`CardCallback`, for cards created with `CallbackType.STREAM`) and may return a
        `CardCallbackReply`, the card's new data, sent back in the acknowledgement (one
        per client; register before `start()`). It works with `run()` and with
        `async for` alike."""
        if self._on_card_action is not None:
            raise ValueError("a card-action handler is already registered")
        if self._intake is not None:
            raise RuntimeError("register on_card_action before the client starts")
        self._on_card_action = handler
        self._subscriptions.append({"type": CALLBACK, "topic": CARD_CALLBACK_TOPIC})
        return handler

    @property
    def card_actions(self) -> CardActions | None:
        """The presses handled so far (`presses`, `failures`); None without a handler."""
        return self._card_actions

    # -- lifecycle -------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """True once the first connection opened (and until `close()`)."""
        return (
            self._supervisor is not None
            and self._supervisor.connected.is_set()
            and not self._closed
        )

    async def start(self) -> None:
        """Open the first connection; returns once it is up.

        Transient failures are retried with backoff (and logged); a refusal
        that retrying cannot fix, such as wrong credentials, is raised.
        """
        if self._closed:
            raise RuntimeError("this StreamClient is closed")
        if self._intake is not None:
            return
        if self._session is None:
            self._session = aiohttp.ClientSession()
        settings = self.settings
        self._intake = Intake(
            seen=SeenIds(capacity=settings.dedup_capacity, ttl=settings.dedup_ttl),
            max_pending=settings.max_pending,
            stats=self.stats,
            max_items=settings.max_items,
            pushes=self.pushes,
        )
        if self._on_card_action is not None:
            self._card_actions = CardActions(
                self._on_card_action, timeout=settings.card_action_timeout
            )
        self._supervisor = Supervisor(
            open_connection=self._open_connection,
            accept=self._intake.accept,
            backoff=Backoff(settings.reconnect),
            idle_timeout=settings.idle_timeout,
            drain_timeout=settings.drain_timeout,
            stats=self.stats,
            card_actions=self._card_actions,
            hold=None if self.fleet_dedup is None else self._intake.hold,
        )
        self._supervisor_task = asyncio.ensure_future(self._supervisor.run())
        self._supervisor_task.add_done_callback(self._supervisor_ended)
        up = asyncio.ensure_future(self._supervisor.connected.wait())
        try:
            await asyncio.wait({up, self._supervisor_task}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            await self._close(grace=0)
            raise
        finally:
            up.cancel()
        if self._failure is not None:
            await self._close(grace=0)
            raise self._failure

    async def _open_connection(self, number: int) -> StreamConnection:
        assert self._session is not None
        body: dict[str, object] = {
            "clientId": self.app_key,
            "clientSecret": self._app_secret,
            "subscriptions": self._subscriptions,
            "ua": "dingtalk-im-async",
        }
        timeout = self.settings.open_timeout
        ticket = await open_ticket(self._session, self._open_url, body, timeout)
        websocket = await open_websocket(
            self._session,
            ticket,
            heartbeat=self.settings.heartbeat,
            timeout=timeout,
            allow_insecure=self._allow_http,
        )
        return StreamConnection(websocket, number=number)

    def _supervisor_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._failure = task.exception()
            logger.error("Stream client stopped: %s", self._failure)
        if self._intake is not None:
            self._intake.finish()

    async def run(self) -> None:
        """Hand every item to the registered handlers until `close()`, a fatal error (raised),
        or cancellation; closes the client on the way out."""
        if self._on_message is None and self._on_event is None and self._on_card_action is None:
            raise RuntimeError("register a handler with on_message, on_event or on_card_action")
        if self._runner_task is not None:
            raise RuntimeError("run() is already running (or has run) on this client")
        await self.start()
        assert self._intake is not None
        settings = self.settings
        runner = HandlerRunner(
            on_message=self._on_message,
            on_event=self._on_event,
            concurrency=settings.handler_concurrency,
            timeout=settings.handler_timeout,
            slow_after=settings.slow_handler_after,
            stats=self.stats,
            fleet=self.fleet_dedup,
        )
        self._runner_task = asyncio.ensure_future(runner.run(self._intake))
        try:
            await asyncio.wait({self._runner_task})
        except asyncio.CancelledError:
            await self._close(grace=0)
            raise
        await self._close(grace=settings.shutdown_grace)
        if self._failure is not None:
            raise self._failure

    async def close(self) -> None:
        """Stop receiving: connections are closed cleanly, handlers get `shutdown_grace` to
        finish what was queued, then are cancelled; an iterator still gets what was queued.
        Idempotent; nothing is left running."""
        await self._close(grace=self.settings.shutdown_grace)

    async def _close(self, *, grace: float) -> None:
        if self._closed:
            return
        self._closed = True
        if self._supervisor_task is not None:
            self._supervisor_task.cancel()
            await asyncio.wait({self._supervisor_task})
        if self._intake is not None:
            self._intake.finish()
        if self._runner_task is not None:
            done, _ = await asyncio.wait({self._runner_task}, timeout=grace)
            if not done:
                logger.warning("handlers still running after %ss; cancelling them", grace)
                self._runner_task.cancel()
                await asyncio.wait({self._runner_task})
        if self._card_actions is not None:
            await self._card_actions.close()
        if self._owns_session and self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> StreamClient:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()
        if self._intake is not None and self._runner_task is None:
            left = len(self._intake.buffer)
            if left > 0:
                logger.warning("%d received items were never taken from the iterator", left)

    # -- iteration -------------------------------------------------------------

    def __aiter__(self) -> StreamClient:
        if self._on_message is not None or self._on_event is not None:
            raise RuntimeError("this client hands items to its handlers: call run(), not async for")
        if self.fleet_dedup is not None:
            raise RuntimeError(
                "fleet_dedup needs handlers (on_message / on_event and run()): an item is "
                "marked handled when its handler returns"
            )
        return self

    async def __anext__(self) -> StreamItem:
        if self._intake is None:
            await self.start()
        assert self._intake is not None
        try:
            return await self._intake.buffer.get()
        except BufferClosedError:
            if self._failure is not None:
                raise self._failure from None
            raise StopAsyncIteration from None

    # -- replying ----------------------------------------------------------------

    async def reply(
        self,
        message: BotMessage,
        content: str | RobotMessage,
        *,
        at_sender: bool = False,
    ) -> ReplyResult:
        """Answer `message`: its sessionWebhook while valid, else the robot API (see `Replier`)."""
        if self._replier is None:
            if self._session is None or self._session.closed:
                raise RuntimeError("start the StreamClient before replying")
            self._replier = Replier(self._session, robot=self._robot, allow_http=self._allow_http)
        return await self._replier.reply(message, content, at_sender=at_sender)

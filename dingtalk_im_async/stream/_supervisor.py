"""Keeps one live connection to the gateway, replacing it without losing a frame.

- `disconnect` frame: the gateway routes nothing new to that connection, so a
  new one is opened at once, and the old one is still read until the gateway
  closes it (at most `drain_timeout`): make before break.
- Silence (no frame, not even a `ping`, for `idle_timeout`): a connection
  that answers WebSocket pings but is no longer routed to; it is replaced
  the same way, and closed as soon as the new one is up.
- Drop (closed without `disconnect`): reconnect at once if it had been up
  for `stable_after`, else after a jittered backoff (`Backoff`).

Acknowledgements go back on the connection each frame came on; a card button press's
waits for its handler (`_card_actions`), the reading does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from ..cards.callbacks import CARD_CALLBACK_TOPIC
from ..errors import ApiError, DingTalkError, RateLimitError, ServerError, Verdict
from ._backoff import Backoff
from ._card_actions import CardActions
from ._connection import StreamConnection
from ._frames import (
    CALLBACK,
    DISCONNECT,
    SYSTEM,
    Frame,
    FrameError,
    acknowledgement,
    message_id_in,
    parse_frame,
    system_ack,
)
from ._intake import StreamStats

__all__ = ["Supervisor", "is_fatal"]

logger = logging.getLogger("dingtalk_im_async.stream")

_IDLE = "idle"


def is_fatal(error: DingTalkError) -> bool:
    """A refusal that trying again cannot fix (credentials, parameters, permissions)."""
    return (
        isinstance(error, ApiError)
        and error.verdict is Verdict.REJECTED
        and not isinstance(error, (RateLimitError, ServerError))
    )


class Supervisor:
    """Runs the connections of one client until cancelled; `connected` is set once one is up."""

    def __init__(
        self,
        *,
        open_connection: Callable[[int], Awaitable[StreamConnection]],
        accept: Callable[[Frame], str],
        backoff: Backoff,
        idle_timeout: float | None,
        drain_timeout: float,
        stats: StreamStats,
        card_actions: CardActions | None = None,
        hold: Callable[[Frame, StreamConnection], str | None] | None = None,
    ) -> None:
        self._open_connection = open_connection
        #: With `fleet_dedup`, what takes items in instead of `accept` (acknowledged later).
        self._hold = hold
        self._card_actions = card_actions
        self._accept = accept
        self._backoff = backoff
        self._idle_timeout = idle_timeout
        self._drain_timeout = drain_timeout
        self._stats = stats
        self._opened = 0
        self._connections: set[StreamConnection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()

    async def run(self) -> None:
        """Connect, and keep a connection until cancelled; fatal refusals are raised."""
        try:
            connection = await self._connect(0.0)
            while True:
                connection = await self._serve(connection)
        finally:
            await self._shut_down()

    async def _serve(self, connection: StreamConnection) -> StreamConnection:
        """Read `connection` until it must be replaced; return its replacement."""
        reader = self._spawn(self._read(connection))
        watcher = asyncio.ensure_future(self._replacement_reason(connection))
        try:
            await asyncio.wait({reader, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watcher.cancel()
        if not reader.done():
            reason = watcher.result()
            delay = self._backoff.after_connection(connection.uptime)
            replacement = await self._connect(delay)  # the old one is still being read
            grace = self._drain_timeout if reason == DISCONNECT else 0.0
            self._spawn(self._retire(connection, reader, grace))
            return replacement
        reader.result()  # a bug in reading is raised, not hidden
        await connection.close()
        self._connections.discard(connection)
        if connection.disconnect_requested.is_set():
            logger.info("connection %d closed by the gateway after disconnect", connection.number)
        else:
            self._stats.connections_lost += 1
            logger.warning(
                "connection %d lost after %.1fs; reconnecting", connection.number, connection.uptime
            )
        return await self._connect(self._backoff.after_connection(connection.uptime))

    async def _replacement_reason(self, connection: StreamConnection) -> str:
        """Wait for a `disconnect` frame, or for `idle_timeout` without any frame."""
        if self._idle_timeout is None:
            await connection.disconnect_requested.wait()
            return DISCONNECT
        while True:
            remaining = self._idle_timeout - connection.idle_for
            if remaining <= 0:
                self._stats.idle_replacements += 1
                logger.warning(
                    "connection %d: nothing (not even a ping) for %.0fs; replacing it",
                    connection.number,
                    connection.idle_for,
                )
                return _IDLE
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(connection.disconnect_requested.wait(), remaining)
                return DISCONNECT

    async def _connect(self, delay: float) -> StreamConnection:
        """Open a connection, after `delay`, retrying transient failures with backoff."""
        while True:
            if delay > 0:
                logger.info("opening a Stream connection in %.2fs", delay)
                await asyncio.sleep(delay)
            self._opened += 1
            try:
                connection = await self._open_connection(self._opened)
            except DingTalkError as error:
                if is_fatal(error):
                    raise
                self._stats.connect_failures += 1
                delay = self._backoff.next_delay()
                logger.warning(
                    "could not open a Stream connection: %s; retrying in %.2fs", error, delay
                )
                continue
            self._connections.add(connection)
            self._stats.connections_opened += 1
            self.connected.set()
            logger.info("connection %d open", connection.number)
            return connection

    async def _read(self, connection: StreamConnection) -> None:
        accept = self._accept
        card_actions = self._card_actions

        def answer(text: str) -> str | None:
            try:
                frame = parse_frame(text)
            except FrameError as error:
                return self._unreadable(connection, text, error)
            if frame.type == SYSTEM:
                return self._system(connection, frame)
            return accept(frame)

        hold = self._hold
        if hold is not None:

            def answer_held(text: str) -> str | None:
                # Items acknowledged by their handler's worker, on this connection.
                try:
                    frame = parse_frame(text)
                except FrameError as error:
                    return self._unreadable(connection, text, error)
                if frame.type == SYSTEM:
                    return self._system(connection, frame)
                if (
                    card_actions is not None
                    and frame.type == CALLBACK
                    and frame.headers.get("topic") == CARD_CALLBACK_TOPIC
                ):
                    card_actions.take(frame, connection)
                    return None
                return hold(frame, connection)

            await connection.serve(answer_held)
            return
        if card_actions is None:
            await connection.serve(answer)
            return

        def answer_with_cards(text: str) -> str | None:
            # `answer`, and card presses, acknowledged once their handler answers: a loop
            # of its own, so a client without a card handler pays nothing for them.
            try:
                frame = parse_frame(text)
            except FrameError as error:
                return self._unreadable(connection, text, error)
            if frame.type == SYSTEM:
                return self._system(connection, frame)
            if frame.type == CALLBACK and frame.headers.get("topic") == CARD_CALLBACK_TOPIC:
                card_actions.take(frame, connection)
                return None
            return accept(frame)

        await connection.serve(answer_with_cards)

    def _system(self, connection: StreamConnection, frame: Frame) -> str:
        if frame.topic == DISCONNECT and not connection.disconnect_requested.is_set():
            self._stats.disconnect_frames += 1
            logger.info("connection %d: the gateway sent disconnect", connection.number)
            connection.disconnect_requested.set()
        return system_ack(frame)

    def _unreadable(self, connection: StreamConnection, text: str, error: FrameError) -> str | None:
        """Skip a message that is not a frame (never stop reading); acknowledge it if its
        messageId can be found, so that the gateway does not redeliver it forever."""
        self._stats.unreadable += 1
        message_id = message_id_in(text)
        logger.warning(
            "connection %d: skipping a message that cannot be read as a frame (%s); %s",
            connection.number,
            error,
            "no messageId to acknowledge"
            if message_id is None
            else f"acknowledged as messageId {message_id}",
        )
        return None if message_id is None else acknowledgement(message_id)

    async def _retire(
        self, connection: StreamConnection, reader: asyncio.Task[None], grace: float
    ) -> None:
        """Keep reading a replaced connection for up to `grace` seconds, then close it."""
        try:
            if grace > 0:
                await asyncio.wait({reader}, timeout=grace)
        finally:
            reader.cancel()
            try:
                await reader
            except asyncio.CancelledError:
                pass
            except Exception:
                logger.exception("connection %d: reading failed", connection.number)
            await connection.close()
            self._connections.discard(connection)

    def _spawn(self, coroutine: Awaitable[None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _shut_down(self) -> None:
        """Cancel every task and close every connection cleanly."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(connection.close() for connection in self._connections))
        self._connections.clear()

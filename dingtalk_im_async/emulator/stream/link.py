"""One client's WebSocket as the emulated Stream gateway sees it.

Frames leave through one writer task per connection, so pushes made from
synchronous code (a route handler, a test) keep their order. A "zombie"
connection still answers WebSocket pings (aiohttp does that) but its frames
never leave: the gateway's failure that a WebSocket heartbeat cannot see.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from aiohttp import web

__all__ = ["GatewayLink"]

EVENT = "EVENT"


class GatewayLink:
    """A live connection: its id, what it subscribed to, and whether it is still routed to."""

    def __init__(
        self,
        websocket: web.WebSocketResponse,
        request: web.Request,
        *,
        connection_id: str,
        subscriptions: frozenset[tuple[str, str]],
        client_id: str = "",
    ) -> None:
        self.connection_id = connection_id
        #: The app (or suite) key the connection was opened with: only its pushes come here.
        self.client_id = client_id
        self.subscriptions = subscriptions
        self.websocket = websocket
        self._request = request
        loop = asyncio.get_running_loop()
        self._loop = loop
        self.opened_at = loop.time()
        #: False once `disconnect` was sent: nothing new is routed here.
        self.routable = True
        #: True when frames are swallowed instead of sent.
        self.zombie = False
        self.frames_sent = 0
        self._outbox: asyncio.Queue[str] = asyncio.Queue()
        self._timers: list[asyncio.TimerHandle] = []
        self._writer = asyncio.ensure_future(self._write())

    def __repr__(self) -> str:
        return (
            f"GatewayLink({self.connection_id!r}, routable={self.routable}, zombie={self.zombie})"
        )

    @property
    def age(self) -> float:
        return self._loop.time() - self.opened_at

    def subscribed(self, frame_type: str, topic: str) -> bool:
        if frame_type == EVENT:
            return (EVENT, "*") in self.subscriptions
        return (frame_type, topic) in self.subscriptions

    def send(self, text: str) -> None:
        """Queue `text` for sending (swallowed if the connection is a zombie by then)."""
        self._outbox.put_nowait(text)

    def later(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        """Run `callback(*args)` after `delay` unless the connection has ended by then."""
        self._timers.append(self._loop.call_later(delay, callback, *args))

    def drop(self) -> None:
        """End the connection abruptly: no close frame, as when a network path dies."""
        transport = self._request.transport
        if transport is not None:
            transport.abort()

    async def close(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.websocket.close(code=1001, message=b"emulator shutting down")

    async def finish(self) -> None:
        """Stop its timers and writer; called when the connection has ended."""
        self.routable = False
        for timer in self._timers:
            timer.cancel()
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer

    async def _write(self) -> None:
        while True:
            text = await self._outbox.get()
            if self.zombie or self.websocket.closed:
                continue
            try:
                await self.websocket.send_str(text)
            except (ConnectionError, RuntimeError):
                continue
            self.frames_sent += 1

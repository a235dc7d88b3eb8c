"""One Stream connection: the ticket from `connections/open`, then the WebSocket it opens.

The ticket is a one-time credential, so it never appears in a repr, a log
line or an error (aiohttp's handshake errors carry the URL, ticket included:
they are never kept as a cause).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import aiohttp
from attrs import define, field
from yarl import URL

from .. import _json
from .._http import JSON_HEADERS, exchange
from ..errors import ResponseError, TransportError

__all__ = ["OPEN_PATH", "StreamConnection", "Ticket", "open_ticket", "open_websocket"]

OPEN_PATH = "/v1.0/gateway/connections/open"
#: How long closing our side of a WebSocket may wait for the gateway's close frame.
CLOSE_TIMEOUT = 2.0
#: Frames are small JSON documents; the Java SDK caps them at 256 KiB.
MAX_FRAME_BYTES = 1 << 20
_ENDINGS = frozenset(
    {
        aiohttp.WSMsgType.CLOSE,
        aiohttp.WSMsgType.CLOSING,
        aiohttp.WSMsgType.CLOSED,
        aiohttp.WSMsgType.ERROR,
    }
)


@define(frozen=True)
class Ticket:
    """Where to connect, and the single-use ticket (valid 90 s) that admits one connection."""

    endpoint: str
    ticket: str = field(repr=False)


async def open_ticket(
    session: aiohttp.ClientSession, url: URL, body: dict[str, object], timeout: float
) -> Ticket:
    """Register a connection; errors are typed (`ApiError` with its verdict, `TransportError`)."""
    status, reply = await exchange(
        session,
        "POST",
        url,
        data=_json.encode(body),
        headers=JSON_HEADERS,
        timeout=aiohttp.ClientTimeout(total=timeout),
        secret_reply=True,  # it holds the ticket
    )
    endpoint = reply.get("endpoint") if isinstance(reply, dict) else None
    ticket = reply.get("ticket") if isinstance(reply, dict) else None
    if not isinstance(endpoint, str) or not endpoint or not isinstance(ticket, str) or not ticket:
        raise ResponseError("connections/open reply without endpoint and ticket", status=status)
    return Ticket(endpoint=endpoint, ticket=ticket)


def websocket_url(ticket: Ticket, *, allow_insecure: bool) -> URL:
    """`endpoint?ticket=...`; plain `ws://` only to loopback, like plain http."""
    url = URL(ticket.endpoint)
    if url.scheme not in ("ws", "wss") or not url.host:
        raise ResponseError("the gateway's endpoint is not a ws(s) URL", status=200)
    if (
        url.scheme == "ws"
        and not allow_insecure
        and url.host not in ("127.0.0.1", "::1", "localhost")
    ):
        raise ResponseError(
            f"refusing an unencrypted WebSocket to {url.host} (pass allow_http=True to override)",
            status=200,
        )
    return url.update_query(ticket=ticket.ticket)


async def open_websocket(
    session: aiohttp.ClientSession,
    ticket: Ticket,
    *,
    heartbeat: float | None,
    timeout: float,
    allow_insecure: bool,
) -> aiohttp.ClientWebSocketResponse[bool]:
    """The WebSocket the ticket admits; WebSocket pings every `heartbeat` seconds."""
    url = websocket_url(ticket, allow_insecure=allow_insecure)

    async def handshake() -> aiohttp.ClientWebSocketResponse[bool]:
        return await session.ws_connect(
            url,
            heartbeat=heartbeat,
            autoping=True,
            max_msg_size=MAX_FRAME_BYTES,
            timeout=aiohttp.ClientWSTimeout(ws_close=CLOSE_TIMEOUT),
        )

    try:
        return await asyncio.wait_for(handshake(), timeout)
    except aiohttp.WSServerHandshakeError as error:
        # Its repr holds the URL, and so the ticket: keep only the status.
        reason = f"the gateway refused the WebSocket handshake (HTTP {error.status})"
    except aiohttp.ClientError as error:
        reason = f"could not open the WebSocket ({type(error).__name__})"
    except asyncio.TimeoutError:
        reason = f"no WebSocket within {timeout}s"
    raise TransportError(reason, may_have_reached_server=False)


class StreamConnection:
    """One open WebSocket to the gateway, numbered in the order they were opened."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse[bool], *, number: int) -> None:
        self.number = number
        self._websocket = websocket
        loop = asyncio.get_running_loop()
        self._loop = loop
        self.opened_at = loop.time()
        #: When the last frame of any kind (a `ping` too) arrived.
        self.last_frame_at = self.opened_at
        #: Set when the gateway sent `disconnect`: it routes nothing new here from then on.
        self.disconnect_requested = asyncio.Event()

    def __repr__(self) -> str:
        return f"StreamConnection(number={self.number}, closed={self.closed})"

    @property
    def uptime(self) -> float:
        return self._loop.time() - self.opened_at

    @property
    def idle_for(self) -> float:
        return self._loop.time() - self.last_frame_at

    @property
    def closed(self) -> bool:
        return self._websocket.closed

    async def serve(self, answer: Callable[[str], str | None]) -> None:
        """Read every text message until the connection closes, for whatever reason, and
        send back what `answer` makes of it (None: nothing).

        The one loop per message, kept flat: the cost of each frame is the
        client's main cost under a burst.
        """
        websocket = self._websocket
        receive, send = websocket.receive, websocket.send_str
        clock = self._loop.time
        text = aiohttp.WSMsgType.TEXT
        while True:
            try:
                message = await receive()
            except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError):
                return
            if message.type is not text:
                if message.type in _ENDINGS:
                    return
                continue  # binary: reserved by the protocol, unused
            self.last_frame_at = clock()
            reply = answer(message.data)
            if reply is not None:
                try:
                    await send(reply)
                except (aiohttp.ClientError, ConnectionError, RuntimeError):
                    continue  # closing: the next receive() ends the loop

    async def send(self, text: str) -> bool:
        """Send `text` on this connection; False if it is closed or closing."""
        if self._websocket.closed:
            return False
        try:
            await self._websocket.send_str(text)
        except (aiohttp.ClientError, ConnectionError, RuntimeError):
            return False
        return True

    async def close(self) -> None:
        """Close cleanly (so the gateway stops routing here); idempotent."""
        with contextlib.suppress(aiohttp.ClientError, ConnectionError, asyncio.TimeoutError):
            await self._websocket.close()

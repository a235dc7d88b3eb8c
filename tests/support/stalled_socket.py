"""A TCP port whose connects stall: a listening socket that never accepts, its accept queue
filled by a few connects first, as a server whose backlog is full (the kernel then drops
the SYN and the connect hangs until the client gives up)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Iterator

__all__ = ["TokenThenStall", "stalled_port"]


@contextlib.contextmanager
def stalled_port() -> Iterator[int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port: int = server.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        yield port
    finally:
        for filler in fillers:
            filler.close()
        server.close()


class TokenThenStall:
    """A port that answers one token request (`POST /v1.0/oauth2/accessToken`, then closes
    the connection), then stops accepting with its accept queue full: every later connect
    stalls. So a client gets its token and its API call's connect then never opens, as
    when DingTalk's accept queue overflows after the token came from a warm connection.

    Served by hand on the test's loop (raw HTTP/1.1), so nothing in between can accept.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.served = 0
        self._server = socket.socket()
        # A server may take the port over afterwards (DingTalk answering again at the address).
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(0)
        self._server.setblocking(False)
        self.port: int = self._server.getsockname()[1]
        self._fillers: list[socket.socket] = []
        self._accepting: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> TokenThenStall:
        self._accepting = asyncio.get_running_loop().create_task(self._serve_one())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._accepting is not None:
            self._accepting.cancel()
            await asyncio.gather(self._accepting, return_exceptions=True)
        for filler in self._fillers:
            filler.close()
        self._server.close()

    async def _serve_one(self) -> None:
        loop = asyncio.get_running_loop()
        connection, _ = await loop.sock_accept(self._server)
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                request += await loop.sock_recv(connection, 65536)
            head, _, body = request.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            while len(body) < length:
                body += await loop.sock_recv(connection, 65536)
            # Stop accepting before the token leaves: the client's next connect stalls.
            self._fill_the_queue()
            reply = json.dumps({"accessToken": self.token, "expireIn": 7200}).encode()
            await loop.sock_sendall(
                connection,
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(reply)}\r\nConnection: close\r\n\r\n".encode()
                + reply,
            )
            self.served += 1

    def _fill_the_queue(self) -> None:
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", self.port))
            self._fillers.append(filler)

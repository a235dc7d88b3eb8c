"""A TCP port whose connects stall: a listening socket that never accepts, its accept queue
filled by a few connects first, as a server whose backlog is full (the kernel then drops
the SYN and the connect hangs until the client gives up)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

__all__ = ["stalled_port"]


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

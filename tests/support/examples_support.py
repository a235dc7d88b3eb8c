"""Helpers for tests/project/test_examples.py: load an example file, serve an app on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import uvicorn
from aiohttp import web
from fastapi import FastAPI

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SERVER_START_SECONDS = 10


def load_example(stem: str) -> ModuleType:
    """Import `examples/<stem>.py` as module `example_<stem>` (examples are not a package)."""
    name = f"example_{stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{stem}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def env_without_credentials() -> dict[str, str]:
    """This process's environment minus anything that would point an example at DingTalk."""
    return {key: value for key, value in os.environ.items() if not key.startswith("DINGTALK_")}


@contextlib.asynccontextmanager
async def serve_aiohttp(app: web.Application) -> AsyncIterator[str]:
    """Run an aiohttp app (startup and cleanup included) on a free port; yield its URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def serve_uvicorn(app: FastAPI) -> AsyncIterator[str]:
    """Run an ASGI app under uvicorn, lifespan included, on a free port; yield its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_config=None))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await asyncio.wait_for(_started(server, serving), SERVER_START_SECONDS)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()


async def _started(server: uvicorn.Server, serving: asyncio.Task[None]) -> None:
    # uvicorn offers a `started` flag, not an event; a failed startup ends the task.
    while not server.started:
        if serving.done():
            serving.result()
            raise RuntimeError("uvicorn stopped before it started serving")
        await asyncio.sleep(0.01)

"""What a test looks at to prove nothing was left behind: the client side's pending tasks."""

from __future__ import annotations

import asyncio
from typing import Any

#: Where the emulator's server-side tasks (aiohttp's request handlers) come from.
_SERVER_SIDE = ("/aiohttp/web_", "/dingtalk_im_async/emulator/")


def client_tasks() -> list[asyncio.Task[Any]]:
    """Pending tasks other than the current one, leaving out the in-process emulator's."""
    current = asyncio.current_task()
    return [
        task
        for task in asyncio.all_tasks()
        if task is not current and not task.done() and not _is_server_side(task)
    ]


def _is_server_side(task: asyncio.Task[Any]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    filename = code.co_filename if code is not None else ""
    return any(part in filename for part in _SERVER_SIDE)


async def no_client_tasks_left(*, within: float = 5.0) -> None:
    """Wait (at most `within` s) for client-side work to finish; fail naming what is left."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while client_tasks():
        if loop.time() > deadline:
            raise AssertionError(f"tasks still pending after {within}s: {client_tasks()}")
        await asyncio.sleep(0.01)

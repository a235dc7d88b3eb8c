"""How a call learns that its session was closed under it, wherever it was waiting.

A call in flight when the session closes fails through aiohttp (see
`failures`); these cover the two waits aiohttp does not end with a clear
error: a retry backoff, and a wait for a free connection, which aiohttp
ends by cancelling it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp

from ..errors import ClientClosedError
from .failures import closed_before_sending

__all__ = ["CLOSED_POLL_INTERVAL", "Sleep", "backoff_unless_closed", "closed_while_waiting"]

#: How often a retry backoff looks whether the session was closed, in seconds.
CLOSED_POLL_INTERVAL = 0.05

Sleep = Callable[[float], Awaitable[None]]


def backoff_unless_closed(session: aiohttp.ClientSession) -> Sleep:
    """A sleep for retry backoffs that ends with `ClientClosedError` once `session` closes
    (looked at every `CLOSED_POLL_INTERVAL` s), so closing never waits out a backoff."""

    async def backoff(seconds: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not session.closed:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining, CLOSED_POLL_INTERVAL))
        raise closed_before_sending("the session was closed while waiting to retry")

    return backoff


def closed_while_waiting(session: aiohttp.ClientSession) -> ClientClosedError | None:
    """When closing the session cancelled a call still waiting for a connection, the error
    to raise instead of a `CancelledError` the caller never asked for; else None.

    Python 3.10 cannot tell that from a cancellation of the caller, so there
    the cancellation is left alone.
    """
    if not session.closed:
        return None
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    if cancelling is None or cancelling():
        return None
    return closed_before_sending("the session was closed while the call waited for a connection")

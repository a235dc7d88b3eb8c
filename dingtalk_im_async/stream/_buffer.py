"""The items taken in and not yet taken out: a FIFO for the iterator or the handler workers.

`asyncio.Queue` does more than this needs (task accounting, a bound,
putters), and wakes one waiting consumer per item put: after a burst of 64
items, 16 idle handler workers would all wake to find the buffer already
drained by the first. Here a put wakes one waiting consumer, and a consumer
that takes an item and leaves more behind wakes the next, so each wake-up
finds work. `close()` marks the end: consumers drain what is left, then get
`BufferClosedError`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Generic, TypeVar

__all__ = ["Buffer", "BufferClosedError"]

_T = TypeVar("_T")


class BufferClosedError(Exception):
    """The buffer is closed and empty: nothing more will come."""


class Buffer(Generic[_T]):
    """An unbounded FIFO (the intake bounds it), shared by any number of consumers."""

    __slots__ = ("_closed", "_items", "_waiters", "_woken")

    def __init__(self) -> None:
        self._items: deque[_T] = deque()
        self._waiters: deque[asyncio.Future[None]] = deque()
        #: Consumers woken that have not run yet (each will take an item, if one is left).
        self._woken = 0
        self._closed = False

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, item: _T) -> None:
        self._items.append(item)
        if self._waiters and not self._woken:
            self._wake_one()

    def close(self) -> None:
        """Nothing more will be put: every consumer ends once the buffer is empty."""
        self._closed = True
        while self._waiters:
            self._wake_one()

    async def get(self) -> _T:
        """The oldest item, waiting for one if need be; `BufferClosedError` at the end."""
        items = self._items
        while not items:
            if self._closed:
                raise BufferClosedError
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self._woken -= 1  # woken for an item it will not take: pass it on
                    if (items or self._closed) and self._waiters and not self._woken:
                        self._wake_one()
                else:
                    with contextlib.suppress(ValueError):  # not there if a wake-up skipped it
                        self._waiters.remove(waiter)
                raise
            self._woken -= 1
        item = items.popleft()
        if items and self._waiters and not self._woken:
            self._wake_one()
        return item

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._woken += 1
                return

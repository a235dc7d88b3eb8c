"""Which items were already taken in, bounded in memory, shared by every connection.

DingTalk redelivers a frame whose acknowledgement it did not see (and
sometimes one it did), possibly on another connection, possibly under a new
`messageId`; the item's own id (`msgId`, `eventId`) is what stays the same.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["SeenIds"]


class SeenIds:
    """The ids seen in the last `ttl` seconds, at most `capacity` of them (oldest forgotten first).

    Redeliveries come within about a minute (observed: 16 to 60 s), so the
    defaults keep far more than that window at the usual rates.
    """

    __slots__ = ("_clock", "_ids", "capacity", "ttl")

    def __init__(
        self,
        *,
        capacity: int = 50_000,
        ttl: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.capacity = capacity
        self.ttl = ttl
        self._clock = clock
        self._ids: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        seen_at = self._ids.get(key)
        return seen_at is not None and self._clock() - seen_at < self.ttl

    def add(self, key: str) -> None:
        """Remember `key` as seen now, forgetting what is too old or beyond capacity."""
        now = self._clock()
        self._ids[key] = now
        self._ids.move_to_end(key)
        horizon = now - self.ttl
        while self._ids:
            oldest_key, oldest_at = next(iter(self._ids.items()))
            if oldest_at > horizon and len(self._ids) <= self.capacity:
                break
            del self._ids[oldest_key]

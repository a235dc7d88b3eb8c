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
    defaults keep far more than that window at the usual rates. Checking and
    remembering an id is one lookup (`add_new`); ids past their `ttl` no
    longer count as seen, and are swept out of memory every `ttl / 8`.
    """

    __slots__ = ("_clock", "_ids", "_next_sweep", "capacity", "ttl")

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
        #: id -> when it was seen, oldest first (ids are only ever added at the end).
        self._ids: OrderedDict[str, float] = OrderedDict()
        self._next_sweep = 0.0

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        seen_at = self._ids.get(key)
        return seen_at is not None and self._clock() - seen_at < self.ttl

    def add(self, key: str) -> None:
        """Remember `key` as seen now, forgetting what is too old or beyond capacity."""
        self._ids.pop(key, None)  # seen again: it moves to the end, as new
        self.add_new(key)

    def add_new(self, key: str) -> bool:
        """Remember `key` as seen now and return True, unless it was seen within `ttl`:
        then return False and change nothing."""
        ids = self._ids
        now = self._clock()
        seen_at = ids.get(key)
        if seen_at is not None:
            if now - seen_at < self.ttl:
                return False
            del ids[key]  # seen long ago: it goes to the end, as new
        ids[key] = now
        if len(ids) > self.capacity:
            ids.popitem(last=False)
        if now >= self._next_sweep:
            self._sweep(now)
        return True

    def discard(self, key: str) -> None:
        """Forget `key` (an item taken back before it was handed on)."""
        self._ids.pop(key, None)

    def _sweep(self, now: float) -> None:
        horizon = now - self.ttl
        ids = self._ids
        while ids:
            oldest = next(iter(ids))
            if ids[oldest] > horizon:
                break
            del ids[oldest]
        self._next_sweep = now + self.ttl / 8

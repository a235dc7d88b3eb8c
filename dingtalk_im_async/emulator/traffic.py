"""Per-API accounting, as DingTalk keeps it per app and API: calls, QPS windows, faults."""

from __future__ import annotations

import time
from collections import Counter

from .faults import FaultInjector

__all__ = ["ApiTraffic"]


class ApiTraffic:
    """What one API (`im.group.create`, `oapi.chat.get`, ...) received, and its faults.

    - `calls`: every request that reached the route, refused or not;
    - `windows`: calls counted towards the QPS limit (those with a valid
      token), per whole second of `time.monotonic()`;
    - `rate_limited`: calls refused with the QPS error;
    - `quota_used`: calls counted against the monthly call quota;
    - `faults`: the `FaultInjector` drawn for calls that passed the gateway.
    """

    __slots__ = ("api", "calls", "faults", "quota_used", "rate_limited", "windows")

    def __init__(self, api: str) -> None:
        self.api = api
        self.calls = 0
        self.rate_limited = 0
        self.quota_used = 0
        self.windows: Counter[int] = Counter()
        self.faults = FaultInjector()

    def __repr__(self) -> str:
        return f"ApiTraffic(api={self.api!r}, calls={self.calls}, rate_limited={self.rate_limited})"

    def count_in_window(self, limit: int | None) -> bool:
        """Count a call in the current one-second window; False when it goes over `limit`."""
        window = int(time.monotonic())
        self.windows[window] += 1
        if limit is not None and self.windows[window] > limit:
            self.rate_limited += 1
            return False
        return True

    def clear(self) -> None:
        """Forget the counts and the faults (the injector stays the same object)."""
        self.calls = 0
        self.rate_limited = 0
        self.quota_used = 0
        self.windows.clear()
        self.faults.clear()

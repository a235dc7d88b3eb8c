"""The request journal: the newest lines, each with the index it was written at.

A standalone emulator serves for days, so the journal keeps at most `limit`
lines (the `journal_limit` setting): older ones are dropped, but indexes keep
counting from the first line since the last reset, so `?since=N` readers (the
dashboard, `RemoteEmulator.read_journal`) never see an index twice.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from itertools import islice

from .records import LoggedRequest

__all__ = ["Journal", "is_failure"]


def is_failure(logged: LoggedRequest) -> bool:
    """A call that did not get a clean 2xx: refused, faulted or cut off."""
    return logged.status is None or logged.status >= 400 or logged.fault is not None


class Journal:
    """Journal lines by index, the newest `limit` kept (None: all)."""

    __slots__ = ("_dropped", "_failed", "_limit", "_lines")

    def __init__(self, limit: int | None) -> None:
        self._lines: deque[LoggedRequest] = deque(maxlen=limit)
        self._limit = limit
        self._dropped = 0
        self._failed = 0

    def __repr__(self) -> str:
        return f"Journal(kept={len(self._lines)}, total={self.total}, limit={self._limit})"

    def __len__(self) -> int:
        return len(self._lines)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(list(self._lines))

    @property
    def limit(self) -> int | None:
        return self._limit

    @limit.setter
    def limit(self, limit: int | None) -> None:
        """Keep at most `limit` lines from now on (the oldest go first)."""
        kept = list(self._lines)
        dropped = max(0, len(kept) - limit) if limit is not None else 0
        self._dropped += dropped
        self._lines = deque(kept[dropped:], maxlen=limit)
        self._limit = limit

    @property
    def total(self) -> int:
        """Lines written since the last reset, dropped ones included (the next line's index)."""
        return self._dropped + len(self._lines)

    @property
    def first(self) -> int:
        """The index of the oldest line kept."""
        return self._dropped

    @property
    def failed(self) -> int:
        """Calls answered with a failure since the last reset (`is_failure`), dropped lines
        included."""
        return self._failed

    def append(self, line: LoggedRequest) -> int:
        """Add a line; returns its index."""
        if self._limit is not None and len(self._lines) == self._limit:
            self._dropped += 1
        self._lines.append(line)
        return self.total - 1

    def complete(self, index: int, line: LoggedRequest, written: LoggedRequest) -> None:
        """Replace the line `written` at `index` by `line` (the call was answered), unless it was
        dropped or a reset forgot it meanwhile."""
        position = index - self._dropped
        if 0 <= position < len(self._lines) and self._lines[position] is written:
            self._lines[position] = line
            if is_failure(line):
                self._failed += 1

    def lines_from(self, since: int, limit: int | None = None) -> list[tuple[int, LoggedRequest]]:
        """(index, line) of the lines kept from index `since`, at most the newest `limit`."""
        start = max(since, self._dropped)
        if limit is not None:
            start = max(start, self.total - limit)
        kept = islice(self._lines, start - self._dropped, None)
        return list(enumerate(kept, start))

    def clear(self) -> None:
        """Forget every line and start the indexes at 0 again."""
        self._lines.clear()
        self._dropped = 0
        self._failed = 0

"""Pacers decide when the next call may go out, so creates stay within DingTalk's rate.

DingTalk counts calls per app and API in one-second windows (20 per second
on the standard edition) and answers the excess with 403
`Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`. A pacer that lets a burst
through at the start of each second can still spill into the server's next
window, so pacers here space calls evenly, `1 / rate` seconds apart, plus
`HEADROOM` (1%): calls exactly `1 / rate` apart would put `rate + 1` of them
into one server window whenever network jitter delays the one just before
the window's start, while 1% leaves 10 ms of slack per window for jitter.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .errors import MissingExtraError

if TYPE_CHECKING:
    from aiolimiter import AsyncLimiter

__all__ = ["HEADROOM", "LocalPacer", "Pacer", "check_rate", "pacer_for", "spacing_for"]

#: Extra spacing between calls, as a fraction of `1 / rate` (see the module docstring).
HEADROOM = 0.01


@runtime_checkable
class Pacer(Protocol):
    """Something that says when the next call may be sent; shared by every caller that uses it."""

    async def wait(self) -> None:
        """Return when the caller may send one call."""
        ...


def check_rate(rate: float) -> float:
    """`rate` as a float, or `ValueError` unless it is a positive finite number of calls/s."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise TypeError(f"rate must be a number of calls per second, got {type(rate).__name__}")
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"rate must be a positive number of calls per second, got {rate!r}")
    return float(rate)


def spacing_for(rate: float) -> float:
    """Seconds between two calls at `rate` calls per second, headroom included."""
    return (1 + HEADROOM) / check_rate(rate)


class LocalPacer:
    """Paces the calls of one process with aiolimiter (extra `bulk`).

    The leaky bucket holds a single call and drains in `spacing_for(rate)`
    seconds, so calls are never closer together than that: no bursts,
    whatever the number of waiting tasks. Create one per event loop.
    """

    def __init__(self, rate: float) -> None:
        self.rate = check_rate(rate)
        self._limiter = _async_limiter(1, spacing_for(self.rate))

    def __repr__(self) -> str:
        return f"LocalPacer(rate={self.rate!r})"

    async def wait(self) -> None:
        await self._limiter.acquire()


def _async_limiter(max_rate: float, time_period: float) -> AsyncLimiter:
    try:
        from aiolimiter import AsyncLimiter
    except ImportError:
        raise MissingExtraError(
            feature="rate pacing (rate_limit=...; pass rate_limit=None to turn it off)",
            package="aiolimiter",
            extra="bulk",
        ) from None
    return AsyncLimiter(max_rate, time_period)


def pacer_for(rate_limit: float | Pacer | None) -> Pacer | None:
    """A number becomes a `LocalPacer` at that rate; a `Pacer` is used as given; None: no pacing."""
    if rate_limit is None:
        return None
    if isinstance(rate_limit, Pacer):
        return rate_limit
    return LocalPacer(rate_limit)

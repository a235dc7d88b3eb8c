"""Pacers decide when the next call to an API may go out, so calls stay within DingTalk's rate.

DingTalk counts calls per app and per API in one-second windows (20 per
second on the standard edition) and answers the excess with 403
`Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`. The transport asks the
pacer for a slot right before each HTTP send (first tries, retries, token
replays alike), keyed by the endpoint's API name, so the limit holds
whatever the number of concurrent callers.

A pacer that lets a burst through at the start of each second can still
spill into the server's next window, so pacers here space calls evenly,
`1 / rate` seconds apart, plus `HEADROOM` (1%): calls exactly `1 / rate`
apart would put `rate + 1` of them into one server window whenever network
jitter delays the one just before the window's start, while 1% leaves 10 ms
of slack per window for jitter.
"""

from __future__ import annotations

import abc
import asyncio
import math
from contextvars import ContextVar
from typing import Final, Protocol, runtime_checkable

__all__ = [
    "DEFAULT_RATE",
    "HEADROOM",
    "PACER_KEY_PREFIX",
    "RUN_PACER",
    "SERVICE_PACER",
    "LocalPacer",
    "Pacer",
    "PacerLayer",
    "check_rate",
    "pacer_for",
    "pacer_key",
    "spacing_for",
]

#: Extra spacing between calls, as a fraction of `1 / rate` (see the module docstring).
HEADROOM = 0.01
#: Calls per second per API that DingTalk's standard edition allows each app.
DEFAULT_RATE = 20.0
PACER_KEY_PREFIX = "dingtalk-im-async:pace"


def pacer_key(app_key: str, api: str) -> str:
    """The shared pacer's key for one app and one API, e.g.
    `dingtalk-im-async:pace:dingxxxx:im.group.create`.

    The only place the key is made: the library's `RedisPacer`, the CLI and the
    docs all use it, so every process pacing one app's calls to one API shares
    one budget, as DingTalk counts it.
    """
    return f"{PACER_KEY_PREFIX}:{app_key}:{api}"


@runtime_checkable
class Pacer(Protocol):
    """Says when the next call to an API may be sent; shared by every caller that uses it."""

    async def wait(self, api: str) -> None:
        """Return when the caller may send one call to `api` (e.g. `im.group.create`)."""
        ...


class _ServicePacer:
    def __repr__(self) -> str:
        return "SERVICE_PACER"


#: "Pace with the service's own pacer" (the default of a bulk run's `rate_limit`).
SERVICE_PACER: Final = _ServicePacer()


class PacerLayer(abc.ABC):
    """A pacer laid over whichever pacer each call would use (its service's own, unless the
    layer names another): set as `RUN_PACER`, it sees every send of a group of calls, e.g.
    to stop admitting them all at once. `over(pacer)` is the pacer a call then waits on."""

    @abc.abstractmethod
    def over(self, pacer: Pacer | None) -> Pacer:
        """The pacer of a call whose service paces with `pacer` (None: not paced)."""


#: A bulk run's own pacer (or layer), set in each of its tasks; the transport uses it over
#: its own.
RUN_PACER: ContextVar[Pacer | PacerLayer | _ServicePacer | None] = ContextVar(
    "dingtalk_run_pacer", default=SERVICE_PACER
)


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
    """Paces the calls of one process: per API, calls at least `spacing_for(rate)` apart.

    Each call reserves the next free send time for its API and sleeps until
    it (a generic cell rate algorithm with no burst allowance, the same one
    `RedisPacer` runs in Redis): first come, first served, no lock, and no
    await at all when the API's budget is not used up. Not a library's
    limiter because the package's runtime dependencies are aiohttp, attrs,
    cattrs and tenacity only, and pacing is on by default.
    """

    def __init__(self, rate: float = DEFAULT_RATE) -> None:
        self.rate = check_rate(rate)
        self._spacing = spacing_for(self.rate)
        self._next: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"LocalPacer(rate={self.rate!r})"

    async def wait(self, api: str) -> None:
        now = asyncio.get_running_loop().time()
        send_at = self._next.get(api, now)
        if send_at <= now:
            self._next[api] = now + self._spacing
            return
        self._next[api] = send_at + self._spacing
        await asyncio.sleep(send_at - now)


def pacer_for(rate_limit: float | Pacer | None) -> Pacer | None:
    """A number becomes a `LocalPacer` at that rate; a `Pacer` is used as given; None: no pacing."""
    if rate_limit is None:
        return None
    if isinstance(rate_limit, Pacer):
        return rate_limit
    return LocalPacer(rate_limit)

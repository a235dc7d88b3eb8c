"""Fault injection: what the emulator does instead of a clean answer, and when.

Faults come from three sources, checked in this order for every call:

1. a queue of scheduled faults (`schedule`, `schedule_reply`): the next N calls;
2. periodic faults (`every`): e.g. revoke the tokens on every 1,000th call;
3. probabilistic rates (`set_rates`), drawn from a seeded `random.Random`.

When rates are set, every call draws exactly one number, whatever the queue
holds, so a seed gives the same fault on the k-th call of every run; delays
come from a second generator derived from the same seed.
`injected` counts what was injected, by kind.
"""

from __future__ import annotations

import enum
import random
from collections import Counter, deque
from collections.abc import Mapping
from types import MappingProxyType

from attrs import define, field, validators

__all__ = [
    "CannedReply",
    "ErrcodeReply",
    "ErrorReply",
    "Fault",
    "FaultInjector",
    "Injection",
    "Latency",
    "check_rates",
]


class Fault(enum.Enum):
    """A way a call can go wrong; the value is the name the CLI accepts."""

    SYSTEM_ERROR = "system-error"
    """HTTP 500 `system.error` (DingTalk's "retry"); nothing is created."""
    SYSTEM_BUSY = "system-busy"
    """HTTP 429 `system.busy`; nothing is created."""
    TOKEN_REVOKED = "token-revoked"
    """Every token issued so far is revoked; this call gets 400 `InvalidAuthentication`."""
    SLOW = "slow"
    """The call is answered normally after a delay (see `Latency`)."""
    CONNECTION_CLOSED = "connection-closed"
    """The connection is closed before any reply; nothing is created."""
    DROPPED_MID_RESPONSE = "dropped-mid-response"
    """The call is processed (a group is created), then the headers and half the body are sent and
    the connection is closed: the client cannot know the outcome.
    """
    HTML_PAGE = "html-page"
    """HTTP 502 with a proxy's HTML page; nothing is created."""
    TRUNCATED_JSON = "truncated-json"
    """The call is processed (a group is created); the reply is complete at the HTTP level but its
    JSON body stops halfway.
    """
    IP_BLOCKED = "ip-blocked"
    """HTTP 200 with DingTalk's IP-block body `{"status":1111,"wait":5,...}`; nothing is created."""
    CANNED_REPLY = "canned-reply"
    """A reply chosen by the test (`schedule_reply`); only schedulable."""


def _check_range(instance: Latency, _attribute: object, high: float | None) -> None:
    if high is not None and high < instance.low:
        raise ValueError(f"latency high ({high}) must not be below low ({instance.low})")


@define(frozen=True, kw_only=True)
class Latency:
    """How long a delayed call waits: `low` seconds, or uniformly between `low` and `high`."""

    low: float = field(validator=validators.ge(0.0))
    """The shortest wait, in seconds (the only one when `high` is None)."""
    high: float | None = field(default=None, validator=_check_range)
    """The longest wait, in seconds; None: always `low`."""

    @classmethod
    def of(cls, value: Latency | float | tuple[float, float] | Mapping[str, float]) -> Latency:
        """Accept a `Latency`, fixed seconds, a `(low, high)` range (a list from JSON too) or
        `{"low": ..., "high": ...}`."""
        if isinstance(value, Latency):
            return value
        if isinstance(value, (tuple, list)):
            low, high = value
            return cls(low=low, high=high)
        if isinstance(value, Mapping):
            if "low" not in value:
                raise TypeError(f"a latency object needs low (and high), got {value!r}")
            return cls(low=value["low"], high=value.get("high"))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"a latency is seconds or (low, high), got {value!r}")
        return cls(low=value)

    def draw(self, rng: random.Random) -> float:
        return self.low if self.high is None else rng.uniform(self.low, self.high)


def _frozen_headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(headers))


@define(frozen=True, kw_only=True)
class CannedReply:
    """Raw bytes to answer with, for replies no `Fault` describes."""

    status: int = 200
    """The HTTP status."""
    body: bytes = b""
    """The body's bytes, sent as given."""
    content_type: str = "application/json"
    """The `Content-Type` header."""
    headers: Mapping[str, str] = field(factory=dict, converter=_frozen_headers, hash=False)
    """More headers, sent as given (e.g. a `Location` for a redirect, or a `Content-Encoding` the
    body does or does not match)."""
    applied: bool = False
    """Carry the call out first (a group is created), then answer with these bytes: a gateway's 504
    or a broken reply after the work was done."""


@define(frozen=True, kw_only=True)
class ErrorReply:
    """A DingTalk error body with fresh request ids, for codes no `Fault` names.

    E.g. `ErrorReply(status=403, code="Forbidden.AccessDenied.IpNotInWhiteList", message="...")`.
    """

    status: int
    """The HTTP status."""
    code: str
    """DingTalk's error code (`code`)."""
    message: str
    """The error message (`message`)."""


def _frozen_extra(extra: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(extra))


@define(frozen=True, kw_only=True)
class ErrcodeReply:
    """A legacy oapi error: HTTP 200 with `{"errcode", "errmsg", ...extra}`.

    E.g. `ErrcodeReply(errcode=40016, errmsg="不合法的chatid")` for a `chat/get` call.
    """

    errcode: int
    """The legacy error number (`errcode`)."""
    errmsg: str
    """The legacy error message (`errmsg`)."""
    extra: Mapping[str, object] = field(factory=dict, converter=_frozen_extra, hash=False)
    """More keys of the body."""


#: What a test can schedule as the whole reply to a call.
ScheduledReply = CannedReply | ErrorReply | ErrcodeReply


@define(frozen=True, kw_only=True)
class Injection:
    """The fault chosen for one call, with the wait before it is carried out."""

    fault: Fault
    delay: float = 0.0
    reply: ScheduledReply | None = None


@define(frozen=True, kw_only=True)
class _Periodic:
    fault: Fault
    period: int
    offset: int


class FaultInjector:
    """Chooses a fault (or none) for each call to one endpoint, and counts what it chose."""

    def __init__(self) -> None:
        self.injected: Counter[Fault] = Counter()
        #: Calls this injector was asked about (the k in "the k-th call").
        self.calls = 0
        #: How long SLOW calls chosen by rate or scheduled without a delay wait.
        self.latency = Latency(low=0.1, high=0.5)
        self._queue: deque[Injection] = deque()
        self._periodic: list[_Periodic] = []
        self._rates: dict[Fault, float] = {}
        self._thresholds: list[tuple[float, Fault]] = []
        self._rng = random.Random()
        self._latency_rng = random.Random()

    def __repr__(self) -> str:
        return (
            f"FaultInjector(pending={len(self._queue)}, rates={self.rates}, "
            f"injected={dict(self.injected)})"
        )

    @property
    def pending(self) -> int:
        """Scheduled faults not yet used."""
        return len(self._queue)

    @property
    def rates(self) -> dict[Fault, float]:
        """The probability of each fault per call, as last set."""
        return dict(self._rates)

    @property
    def periods(self) -> dict[Fault, int]:
        """Periodic faults: each one's period in calls."""
        return {rule.fault: rule.period for rule in self._periodic}

    def schedule(
        self,
        fault: Fault,
        count: int = 1,
        *,
        delay: Latency | float | tuple[float, float] | None = None,
    ) -> None:
        """Give the next `count` calls this fault, after `delay` (SLOW: default `latency`)."""
        if fault is Fault.CANNED_REPLY:
            raise ValueError("use schedule_reply() for a canned reply")
        _check_count(count)
        wait = Latency.of(delay) if delay is not None else None
        for _ in range(count):
            seconds = self._delay_for(fault, wait)
            self._queue.append(Injection(fault=fault, delay=seconds))

    def schedule_reply(self, reply: ScheduledReply, count: int = 1) -> None:
        """Answer the next `count` calls with this reply (counted as `CANNED_REPLY`)."""
        _check_count(count)
        injection = Injection(fault=Fault.CANNED_REPLY, reply=reply)
        self._queue.extend(injection for _ in range(count))

    def every(self, fault: Fault, calls: int) -> None:
        """Give every `calls`-th call from now on this fault (e.g. revoke tokens every 1,000)."""
        if fault is Fault.CANNED_REPLY:
            raise ValueError("a canned reply can only be scheduled")
        _check_count(calls)
        self._periodic.append(_Periodic(fault=fault, period=calls, offset=self.calls))

    def set_periods(self, periods: Mapping[Fault, int]) -> None:
        """Replace the periodic faults with these (each fault on every N-th call from now)."""
        self._periodic.clear()
        for fault, calls in periods.items():
            self.every(fault, calls)

    def set_rates(
        self,
        rates: Mapping[Fault, float],
        *,
        seed: int | None = None,
        latency: Latency | float | tuple[float, float] | None = None,
    ) -> None:
        """Give each call `fault` with probability `rates[fault]` (at most one fault per call).

        The rates must add up to at most 1. A `seed` makes the sequence of
        faults the same on every run; `latency` sets how long SLOW calls wait.
        """
        check_rates(rates)
        self._rates = {fault: rate for fault, rate in rates.items() if rate > 0}
        self._thresholds = []
        cumulative = 0.0
        for fault, rate in self._rates.items():
            cumulative += rate
            self._thresholds.append((cumulative, fault))
        self._rng = random.Random(seed)
        self._latency_rng = random.Random(None if seed is None else f"latency-{seed}")
        if latency is not None:
            self.latency = Latency.of(latency)

    def clear(self) -> None:
        """Forget scheduled, periodic and probabilistic faults, and the counts."""
        self._queue.clear()
        self._periodic.clear()
        self._rates = {}
        self._thresholds = []
        self.injected.clear()
        self.calls = 0

    def draw(self) -> Injection | None:
        """The fault for the next call, or None to answer it normally."""
        self.calls += 1
        if not (self._queue or self._periodic or self._thresholds):
            return None
        chance = self._rng.random() if self._thresholds else 1.0
        injection = self._queue.popleft() if self._queue else self._periodic_due()
        if injection is None:
            injection = self._by_chance(chance)
        if injection is not None:
            self.injected[injection.fault] += 1
        return injection

    def _periodic_due(self) -> Injection | None:
        for rule in self._periodic:
            if (self.calls - rule.offset) % rule.period == 0:
                return Injection(fault=rule.fault, delay=self._delay_for(rule.fault, None))
        return None

    def _by_chance(self, chance: float) -> Injection | None:
        for threshold, fault in self._thresholds:
            if chance < threshold:
                return Injection(fault=fault, delay=self._delay_for(fault, None))
        return None

    def _delay_for(self, fault: Fault, wait: Latency | None) -> float:
        if wait is not None:
            return wait.draw(self._latency_rng)
        return self.latency.draw(self._latency_rng) if fault is Fault.SLOW else 0.0


def check_rates(rates: Mapping[Fault, float]) -> None:
    """ValueError unless each rate is in [0, 1], they add up to at most 1, and none is a
    canned reply (which can only be scheduled)."""
    for fault, rate in rates.items():
        if fault is Fault.CANNED_REPLY:
            raise ValueError("a canned reply can only be scheduled")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate of {fault.value} must be between 0 and 1, got {rate}")
    total = sum(rates.values())
    if total > 1.0 + 1e-9:
        raise ValueError(f"fault rates add up to {total:g}, more than 1")


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")

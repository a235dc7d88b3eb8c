"""How long to wait before the next connection attempt: never a tight loop.

A connection that stayed up long enough (`stable_after`) earns an immediate
reconnect; otherwise each attempt waits a jittered, doubling delay up to
`max_delay`. So a gateway that closes every connection at once, or cannot be
reached, is retried at most every `max_delay` seconds, never in a loop.
"""

from __future__ import annotations

import random

from attrs import define, field, validators

__all__ = ["Backoff", "ReconnectPolicy"]


@define(frozen=True, kw_only=True)
class ReconnectPolicy:
    """Reconnection timing: `initial_delay` doubling up to `max_delay`, each delay drawn
    in [½, 1] of its value; a connection up for `stable_after` seconds resets it."""

    initial_delay: float = field(default=0.5, validator=validators.gt(0))
    """Seconds before the first reconnect after a failure; each failure doubles it."""
    max_delay: float = field(default=30.0, validator=validators.gt(0))
    """The longest wait between attempts, in seconds."""
    stable_after: float = field(default=1.0, validator=validators.ge(0))
    """Seconds a connection must stay up to reset the backoff (its end then reconnects at once)."""


class Backoff:
    """The delays of one client's consecutive failed or short-lived connections."""

    __slots__ = ("_failures", "_policy", "_random")

    def __init__(self, policy: ReconnectPolicy, *, rng: random.Random | None = None) -> None:
        self._policy = policy
        self._failures = 0
        self._random = rng or random.Random()

    @property
    def failures(self) -> int:
        return self._failures

    def reset(self) -> None:
        self._failures = 0

    def next_delay(self) -> float:
        """The wait before the next attempt, counting one more failure."""
        ceiling = min(self._policy.max_delay, self._policy.initial_delay * 2.0**self._failures)
        self._failures = min(self._failures + 1, 64)
        return ceiling * (0.5 + self._random.random() / 2)

    def after_connection(self, uptime: float) -> float:
        """The wait before replacing a connection that was up for `uptime` seconds."""
        if uptime >= self._policy.stable_after:
            self.reset()
            return 0.0
        return self.next_delay()

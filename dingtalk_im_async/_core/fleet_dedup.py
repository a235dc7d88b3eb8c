"""Fleet-wide de-duplication for several instances of one bot listening to the same app.

DingTalk spreads an app's pushes over all its Stream connections, one connection
each, and redelivers a push whose acknowledgement it did not get, possibly to
another connection ("负载均衡", https://opensource.dingtalk.com/developerpedia/docs/learn/stream/protocol):
there a process's own duplicate filter cannot see it. A `FleetDedup` (Redis:
`dingtalk_im_async.fleet_stream.RedisStreamDedup`) decides across the fleet, on the
logical id (`msgId`, `eventId`), never the frame's `messageId`:

- `claim(key)`: a short claim, taken before the handler runs; refused while
  another instance holds it (that frame is answered LATER, redelivered later), or
  once the item was handled (acknowledged, not handled again);
- `done(key, token)`: after the handler succeeded: "seen" for a bounded time,
  the claim dropped;
- `release(key, token)`: after it failed: the claim dropped, so a redelivery,
  on any instance, runs it again;
- `refresh(key, token)`: keeps the claim while a long handler runs.

A process killed mid-handler leaves a claim that expires, and a push never
acknowledged, which DingTalk redelivers: nothing is lost. When the store
cannot answer, the item is handled anyway (at least once, never lost), with a
warning and `StreamStats.fleet_unavailable` counted.
"""

from __future__ import annotations

import abc
import enum

__all__ = ["Claim", "FleetDedup", "FleetDedupError"]


class Claim(enum.Enum):
    """What `FleetDedup.claim` found."""

    CLAIMED = "claimed"
    """Ours: run the handler, then `done` or `release`."""
    BUSY = "busy"
    """Another instance is handling it now: answer LATER, DingTalk redelivers it."""
    SEEN = "seen"
    """Handled already, somewhere in the fleet: acknowledge it, do not handle it again."""


class FleetDedupError(Exception):
    """The shared store could not answer (down, frozen, failing); never carries a secret."""


class FleetDedup(abc.ABC):
    """The fleet's shared record of claimed and handled items (see the module docstring).

    `claim_ttl` is how long a claim outlives its holder (a crashed instance's items
    are handled elsewhere after it). Every method raises `FleetDedupError` when the
    store cannot answer.
    """

    claim_ttl: float

    @abc.abstractmethod
    async def claim(self, key: str, token: str) -> Claim:
        """Claim `key` (an item's identity, e.g. `msg:<msgId>`) for `token` (this attempt)."""

    @abc.abstractmethod
    async def done(self, key: str, token: str) -> None:
        """`key` was handled: remember it as seen and drop `token`'s claim."""

    @abc.abstractmethod
    async def release(self, key: str, token: str) -> None:
        """Handling `key` failed: drop `token`'s claim (a redelivery may claim it again)."""

    @abc.abstractmethod
    async def refresh(self, key: str, token: str) -> None:
        """Extend `token`'s claim of `key` by `claim_ttl` (a long handler still runs)."""

"""`StreamSettings`: how a `StreamClient` keeps its connection and runs handlers."""

from __future__ import annotations

from typing import Any

from attrs import Attribute, define, field, validators

from ._backoff import ReconnectPolicy

__all__ = ["StreamSettings"]


def _none_or_positive(_instance: object, attribute: Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:
        raise ValueError(f"{attribute.name} must be positive, or None, got {value!r}")


@define(frozen=True, kw_only=True)
class StreamSettings:
    """How a `StreamClient` keeps its connection and runs handlers (defaults suit production)."""

    reconnect: ReconnectPolicy = field(factory=ReconnectPolicy)
    """The backoff after failed or short-lived connections."""
    idle_timeout: float | None = field(default=60.0, validator=_none_or_positive)
    """Seconds without any frame, not even a `ping`, before the connection is replaced
    (None: never); a false alarm costs one reconnect."""
    heartbeat: float | None = field(default=15.0, validator=_none_or_positive)
    """WebSocket ping interval in seconds; no pong within half of it drops the connection."""
    drain_timeout: float = field(default=15.0, validator=validators.ge(0.0))
    """Seconds a connection is still read after its `disconnect` frame."""
    open_timeout: float = field(default=10.0, validator=validators.gt(0.0))
    """Seconds for `connections/open` and the WebSocket handshake."""
    max_pending: int = field(default=1000, validator=validators.ge(1))
    """Items waiting for handlers (or the iterator) before new frames are answered LATER,
    for DingTalk to redeliver."""
    handler_concurrency: int = field(default=16, validator=validators.ge(1))
    """Handler calls running at once."""
    handler_timeout: float | None = field(default=None, validator=_none_or_positive)
    """Seconds a handler call may run before it is cancelled (None: no limit)."""
    slow_handler_after: float | None = field(default=30.0, validator=_none_or_positive)
    """Seconds after which a running handler call is logged as slow (None: never)."""
    dedup_capacity: int = field(default=50_000, validator=validators.ge(1))
    """How many msgIds / eventIds are remembered to drop redeliveries."""
    dedup_ttl: float = field(default=900.0, validator=validators.gt(0.0))
    """Seconds an id is remembered."""
    shutdown_grace: float = field(default=5.0, validator=validators.ge(0.0))
    """Seconds `close()` lets handlers finish the items already queued."""
    card_action_timeout: float = field(default=2.5, validator=validators.gt(0.0))
    """Seconds a card button press's acknowledgement waits for the handler's card update
    (DingTalk waits 3 s for it)."""
    push_budget: int = field(default=3_000, validator=validators.ge(1))
    """Stream pushes the organisation may receive per month (3,000 on DingTalk's standard
    edition); they are counted (`StreamClient.pushes`) and one warning is logged per month
    at `push_warn_at` of it. Nothing is ever refused."""
    push_warn_at: float = field(default=0.8, validator=[validators.gt(0.0), validators.le(1.0)])
    """The fraction of `push_budget` at which the month's warning is logged."""
    max_items: int | None = field(default=None, validator=validators.optional(validators.ge(1)))
    """Take at most this many items (None: no limit); frames after them are answered LATER,
    unacknowledged, so DingTalk delivers them again, e.g. to another listener."""

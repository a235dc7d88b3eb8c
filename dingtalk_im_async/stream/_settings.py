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
    """How a `StreamClient` keeps its connection and runs handlers (defaults suit production).

    - `reconnect`: backoff after failed or short-lived connections;
    - `idle_timeout`: replace a connection that delivered nothing, not even a
      `ping`, for this long (None: never); a false alarm costs one reconnect;
    - `heartbeat`: WebSocket ping interval; no pong within half of it drops
      the connection;
    - `drain_timeout`: how long a connection is still read after `disconnect`;
    - `open_timeout`: for `connections/open` and the WebSocket handshake;
    - `max_pending`: items waiting for handlers (or the iterator) before new
      frames are answered LATER for DingTalk to redeliver;
    - `handler_concurrency`, `handler_timeout` (None: no limit),
      `slow_handler_after` (log a warning when a handler runs this long);
    - `dedup_capacity`, `dedup_ttl`: how many ids, for how long, are
      remembered to drop redeliveries;
    - `shutdown_grace`: how long `close()` lets handlers finish queued items;
    - `card_action_timeout`: how long a card button press's acknowledgement waits
      for the handler's card update (DingTalk waits 3 s for it).
    """

    reconnect: ReconnectPolicy = field(factory=ReconnectPolicy)
    idle_timeout: float | None = field(default=60.0, validator=_none_or_positive)
    heartbeat: float | None = field(default=15.0, validator=_none_or_positive)
    drain_timeout: float = field(default=15.0, validator=validators.ge(0.0))
    open_timeout: float = field(default=10.0, validator=validators.gt(0.0))
    max_pending: int = field(default=1000, validator=validators.ge(1))
    handler_concurrency: int = field(default=16, validator=validators.ge(1))
    handler_timeout: float | None = field(default=None, validator=_none_or_positive)
    slow_handler_after: float | None = field(default=30.0, validator=_none_or_positive)
    dedup_capacity: int = field(default=50_000, validator=validators.ge(1))
    dedup_ttl: float = field(default=900.0, validator=validators.gt(0.0))
    shutdown_grace: float = field(default=5.0, validator=validators.ge(0.0))
    card_action_timeout: float = field(default=2.5, validator=validators.gt(0.0))

"""The emulated gateway's knobs and counters: timing, injected faults, stats, and acks seen."""

from __future__ import annotations

from typing import Any

from attrs import define

__all__ = ["GatewaySettings", "GatewayStats", "StreamAck", "StreamFaults"]


@define(kw_only=True)
class GatewaySettings:
    """The emulated gateway's timing; change them on a running emulator too.

    - `ack_timeout`: redeliver a frame not acknowledged within it (real: 16 to 60 s);
    - `later_delay`: redeliver this soon after a failure acknowledgement;
    - `max_redeliveries`: then the push is given up (counted in `given_up`);
    - `new_message_id_on_redelivery`: redeliveries get a fresh `messageId`;
    - `ping_interval`: SYSTEM `ping` to each connection (None: never);
    - `disconnect_after`: connection age at which `disconnect` is sent (None:
      never), varied by up to ± `disconnect_jitter` of itself;
    - `disconnect_grace`: TCP is cut this long after `disconnect` (real: 10 s);
    - `ticket_lifetime`: a ticket admits one connection within it (real: 90 s);
    - `webhook_ttl`: lifetime of injected messages' sessionWebhook (real: 20 to 90 min).
    """

    ack_timeout: float = 60.0
    later_delay: float = 1.0
    max_redeliveries: int = 3
    new_message_id_on_redelivery: bool = True
    ping_interval: float | None = 30.0
    disconnect_after: float | None = None
    disconnect_jitter: float = 0.0
    disconnect_grace: float = 10.0
    ticket_lifetime: float = 90.0
    webhook_ttl: float = 5400.0


@define(kw_only=True)
class StreamFaults:
    """Failures the gateway injects, each a probability in [0, 1] (0: never).

    - `drop_rate`: per connection, cut its TCP (no close frame) at a random
      moment of its first `drop_within` seconds;
    - `duplicate_rate`: per push acknowledged, push it once more anyway;
    - `ack_loss_rate`: per acknowledgement, ignore it as if it never came;
    - `ack_delay`: seconds before an acknowledgement counts (late acks);
    - `zombie_rate`: per connection, turn it silent (WebSocket pings still
      answered, no frame sent) at a random moment of its first
      `zombie_within` seconds.
    """

    drop_rate: float = 0.0
    drop_within: float = 5.0
    duplicate_rate: float = 0.0
    ack_loss_rate: float = 0.0
    ack_delay: float = 0.0
    zombie_rate: float = 0.0
    zombie_within: float = 2.0


@define(kw_only=True)
class GatewayStats:
    """What the gateway did, for assertions and reports."""

    tickets: int = 0
    connections: int = 0
    pushes: int = 0
    frames: int = 0
    redeliveries: int = 0
    duplicates: int = 0
    acked: int = 0
    failure_acks: int = 0
    acks_lost: int = 0
    given_up: int = 0
    pings: int = 0
    disconnects: int = 0
    drops: int = 0
    zombies: int = 0


@define(frozen=True, kw_only=True)
class StreamAck:
    """An acknowledgement as received: `kind` is `ping`, `disconnect`, `push` or `unknown`."""

    message_id: str
    code: int | None
    message: str | None
    data: Any
    connection_id: str
    kind: str

"""The emulated gateway's knobs and counters: timing, injected faults, stats, and acks seen."""

from __future__ import annotations

from typing import Any

from attrs import define

__all__ = ["GatewaySettings", "GatewayStats", "StreamAck", "StreamFaults"]


@define(kw_only=True)
class GatewaySettings:
    """The emulated gateway's timing; change them on a running emulator too."""

    ack_timeout: float = 60.0
    """Seconds before a frame not acknowledged is redelivered (real: 16 to 60 s)."""
    later_delay: float = 1.0
    """Seconds before a frame answered with a failure (or LATER) is redelivered."""
    max_redeliveries: int = 3
    """Redeliveries before a push is given up (counted in `given_up`)."""
    new_message_id_on_redelivery: bool = True
    """Redeliveries get a fresh `messageId` (the payload's msgId or eventId stays)."""
    ping_interval: float | None = 30.0
    """Seconds between SYSTEM `ping` frames to each connection (None: never)."""
    disconnect_after: float | None = None
    """Connection age, in seconds, at which `disconnect` is sent (None: never)."""
    disconnect_jitter: float = 0.0
    """The share of `disconnect_after` by which each connection's moment varies (±)."""
    disconnect_grace: float = 10.0
    """Seconds after `disconnect` until the TCP connection is cut (real: 10 s)."""
    ticket_lifetime: float = 90.0
    """Seconds in which a ticket admits one connection (real: 90 s)."""
    webhook_ttl: float = 5400.0
    """Seconds the sessionWebhook of injected messages lives (real: 20 to 90 min)."""


@define(kw_only=True)
class StreamFaults:
    """Failures the gateway injects, each rate a probability in [0, 1] (0: never)."""

    drop_rate: float = 0.0
    """Per connection: cut its TCP (no close frame) at a random moment of its first `drop_within`
    seconds."""
    drop_within: float = 5.0
    """The seconds of a connection's life in which a drop happens."""
    duplicate_rate: float = 0.0
    """Per push acknowledged: push it once more anyway."""
    ack_loss_rate: float = 0.0
    """Per acknowledgement: ignore it as if it never came."""
    ack_delay: float = 0.0
    """Seconds before an acknowledgement counts (late acks)."""
    zombie_rate: float = 0.0
    """Per connection: turn it silent (WebSocket pings still answered, no frame sent) at a random
    moment of its first `zombie_within` seconds."""
    zombie_within: float = 2.0
    """The seconds of a connection's life in which it turns silent."""


@define(kw_only=True)
class GatewayStats:
    """What the gateway did, for assertions and reports."""

    tickets: int = 0
    """Tickets issued by `connections/open`."""
    connections: int = 0
    """WebSocket connections admitted."""
    pushes: int = 0
    """Messages and events pushed (each once, whatever its redeliveries)."""
    frames: int = 0
    """Frames of pushes sent, redeliveries included."""
    redeliveries: int = 0
    """Frames sent again after no, a failure or a LATER acknowledgement."""
    duplicates: int = 0
    """Acknowledged pushes sent once more by `duplicate_rate`."""
    acked: int = 0
    """Pushes acknowledged with success."""
    failure_acks: int = 0
    """Acknowledgements that asked for a redelivery (a failure code or LATER)."""
    acks_lost: int = 0
    """Acknowledgements ignored by `ack_loss_rate`."""
    given_up: int = 0
    """Pushes dropped after `max_redeliveries`."""
    pings: int = 0
    """SYSTEM `ping` frames sent."""
    disconnects: int = 0
    """`disconnect` frames sent."""
    drops: int = 0
    """Connections cut without a close frame (faults and the end of `disconnect_grace`)."""
    zombies: int = 0
    """Connections turned silent by `zombie_rate`."""


@define(frozen=True, kw_only=True)
class StreamAck:
    """An acknowledgement as received by the emulated gateway."""

    message_id: str
    """The frame it acknowledges (`messageId` header)."""
    code: int | None
    """Its `code` (200 for success), None when absent."""
    message: str | None
    """Its `message`, None when absent."""
    data: Any
    """Its `data` as sent (for a push: `{"status": ...}` or the handler's reply)."""
    connection_id: str
    """The connection it came on."""
    kind: str
    """What it answers: `ping`, `disconnect`, `push` or `unknown`."""

"""A gateway connection's life: pings, `disconnect` at its age, and the faults that end it.

After `disconnect` the gateway routes nothing new to the connection and cuts
its TCP `disconnect_grace` seconds later, as DingTalk does ~10 s after.
"""

from __future__ import annotations

import random

from . import data as make
from .delivery import Delivery
from .link import GatewayLink
from .settings import GatewaySettings, GatewayStats, StreamFaults

__all__ = ["Lifecycle"]


class Lifecycle:
    """Schedules each new connection's timers and carries out the connection faults."""

    def __init__(
        self,
        *,
        delivery: Delivery,
        settings: GatewaySettings,
        faults: StreamFaults,
        stats: GatewayStats,
        rng: random.Random,
    ) -> None:
        self._delivery = delivery
        self._settings = settings
        self._faults = faults
        self._stats = stats
        self._random = rng

    def start(self, link: GatewayLink) -> None:
        """A new connection's timers: pings, `disconnect` at its age, maybe a zombie or a drop."""
        settings, faults = self._settings, self._faults
        if settings.ping_interval is not None:
            link.later(settings.ping_interval, self.ping, link)
        if settings.disconnect_after is not None:
            spread = settings.disconnect_after * settings.disconnect_jitter
            age = settings.disconnect_after + self._random.uniform(-spread, spread)
            link.later(max(age, 0.0), self.disconnect, link)
        if self._random.random() < faults.zombie_rate:
            link.later(self._random.uniform(0, faults.zombie_within), self.zombify, link)
        if self._random.random() < faults.drop_rate:
            link.later(self._random.uniform(0, faults.drop_within), self.drop, link)

    def ping(self, link: GatewayLink) -> None:
        interval = self._settings.ping_interval
        if interval is None:
            return
        self._stats.pings += 1
        self._delivery.send_system(link, "ping", {"opaque": make.message_id()})
        link.later(interval, self.ping, link)

    def disconnect(self, link: GatewayLink) -> None:
        if not link.routable:
            return
        link.routable = False
        self._stats.disconnects += 1
        self._delivery.send_system(
            link, "disconnect", {"reason": "persistent connection is timeout"}
        )
        link.later(self._settings.disconnect_grace, link.drop)  # the gateway's own, not a fault

    def drop(self, link: GatewayLink) -> None:
        self._stats.drops += 1
        link.drop()

    def zombify(self, link: GatewayLink) -> None:
        if not link.zombie:
            link.zombie = True
            self._stats.zombies += 1

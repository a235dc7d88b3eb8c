"""The Stream chaos scenario: many pushes through a gateway that keeps failing.

The emulator's gateway sends `disconnect` every few seconds, cuts TCP at
random, turns connections into zombies, loses acknowledgements and pushes
duplicates; a `StreamClient` with handlers that sometimes raise or dawdle
must hand every msgId / eventId to them exactly once. Shared by
tests/stream/test_stream_chaos.py (and its `--soak` variant).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter

from attrs import define, field

from dingtalk_im_async.emulator import GatewayStats
from dingtalk_im_async.stream import (
    BotMessage,
    ReconnectPolicy,
    StreamClient,
    StreamItem,
    StreamSettings,
    StreamStats,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.leak_checks import no_client_tasks_left

#: Event types pushed in turn: the six group events and one this client does not know.
EVENT_TYPES = (
    ("chat_add_member", {"userId": ["u1", "u2"], "unionId": ["n1", "n2"]}),
    ("chat_remove_member", {"userId": ["u2"]}),
    ("chat_quit", {}),
    ("chat_update_owner", {"owner": "u3"}),
    ("chat_update_title", {"title": "新名字"}),
    ("chat_disband", {}),
    ("chat_brand_new_kind", {"whatever": 1}),
)
#: Pushes per tick, and ticks per second: about 800 frames a second.
BATCH = 40
TICK = 0.05


@define(kw_only=True)
class StreamChaosRun:
    """What one run pushed, what the handlers saw, and when."""

    frames: int
    seconds: float = 0.0
    pushed_at: dict[str, float] = field(factory=dict)
    seen: Counter[str] = field(factory=Counter)
    seen_at: dict[str, float] = field(factory=dict)
    handler_times: list[float] = field(factory=list)
    client: StreamStats = field(factory=StreamStats)
    gateway: GatewayStats = field(factory=GatewayStats)
    unacknowledged: int = 0

    @property
    def longest_gap(self) -> float:
        """The longest time between two consecutive handler calls."""
        times = sorted(self.handler_times)
        return max((b - a for a, b in itertools.pairwise(times)), default=0.0)

    @property
    def slowest(self) -> float:
        """The longest time from a push to its handler call (redeliveries show here)."""
        return max(self.seen_at[key] - self.pushed_at[key] for key in self.seen_at)


def settings() -> StreamSettings:
    """Production defaults, except a watchdog fitted to the gateway's fast pings."""
    return StreamSettings(
        idle_timeout=1.0,
        heartbeat=5.0,
        reconnect=ReconnectPolicy(),
        slow_handler_after=None,
    )


def chaotic(emulator: DingTalkEmulator, seed: int) -> None:
    gateway = emulator.stream
    gateway.settings.ack_timeout = 1.0
    gateway.settings.later_delay = 0.2
    gateway.settings.max_redeliveries = 100
    gateway.settings.ping_interval = 0.25
    gateway.settings.disconnect_after = 3.0
    gateway.settings.disconnect_jitter = 0.3
    gateway.faults.drop_rate = 0.25
    gateway.faults.drop_within = 3.0
    gateway.faults.duplicate_rate = 0.03
    gateway.faults.ack_loss_rate = 0.01
    gateway.faults.zombie_rate = 0.1
    gateway.faults.zombie_within = 2.0
    gateway.reseed(seed)


async def run_stream_chaos(frames: int, *, seed: int = 17) -> StreamChaosRun:
    """Push `frames` items under every fault at once; wait until each was handled."""
    run = StreamChaosRun(frames=frames)
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    async with DingTalkEmulator() as emulator:
        chaotic(emulator, seed)
        stream = StreamClient(
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
            settings=settings(),
        )
        everything_seen = asyncio.Event()

        async def handle(item: StreamItem) -> None:
            key = item.msg_id if isinstance(item, BotMessage) else item.event_id
            now = loop.time()
            run.seen[key] += 1
            run.seen_at.setdefault(key, now)
            run.handler_times.append(now)
            if len(run.seen_at) == frames:
                everything_seen.set()
            draw = rng.random()
            if draw < 0.01:
                raise RuntimeError(f"handler failure on {key}")
            if draw < 0.03:
                await asyncio.sleep(0.05)

        stream.on_message(handle)
        stream.on_event(handle)
        started = time.perf_counter()
        await stream.start()
        running = asyncio.ensure_future(stream.run())
        try:
            await push_all(emulator, run, frames)
            await asyncio.wait_for(everything_seen.wait(), timeout=30)
            await emulator.stream.wait_until_acknowledged(timeout=10)
            await asyncio.sleep(0.3)  # a duplicate still on its way would show now
        finally:
            await stream.close()
            await asyncio.wait({running})
        run.seconds = time.perf_counter() - started
        run.client = stream.stats
        run.gateway = emulator.stream.stats
        run.unacknowledged = emulator.stream.unacknowledged
        await no_client_tasks_left()
    return run


async def push_all(emulator: DingTalkEmulator, run: StreamChaosRun, frames: int) -> None:
    loop = asyncio.get_running_loop()
    gateway = emulator.stream
    for number in range(frames):
        if number % 2 == 0:
            key = gateway.inject_message(f"message {number}")["msgId"]
        else:
            event_type, data = EVENT_TYPES[(number // 2) % len(EVENT_TYPES)]
            key = gateway.push_event(
                event_type, {"openConversationId": "cidchaos", "chatId": "chatchaos", **data}
            )
        run.pushed_at[key] = loop.time()
        if number % BATCH == BATCH - 1:
            await asyncio.sleep(TICK)
        # Besides the random ones, each fault for sure.
        if number in (frames // 6, frames // 2, 5 * frames // 6):
            gateway.send_disconnect()
        elif number == frames // 3:
            gateway.make_zombies()
        elif number == 2 * frames // 3:
            gateway.drop_connections()


def figures(run: StreamChaosRun) -> list[str]:
    """The run in a few lines, for the test log and the reliability page."""
    duplicates_received = sum(count - 1 for count in run.seen.values())
    return [
        f"stream chaos: {run.frames:,} frames pushed in {run.seconds:.1f} s; "
        f"handlers saw {len(run.seen):,} distinct ids, {duplicates_received} twice",
        f"  gateway: {run.gateway.frames:,} frames sent, {run.gateway.redeliveries} redeliveries, "
        f"{run.gateway.duplicates} duplicate pushes, {run.gateway.acks_lost} acks lost, "
        f"{run.gateway.disconnects} disconnect frames, {run.gateway.drops} TCP drops, "
        f"{run.gateway.zombies} zombies",
        f"  client: {run.client.connections_opened} connections opened "
        f"({run.client.connections_opened - 1} reconnects), "
        f"{run.client.duplicates_suppressed} duplicates suppressed, "
        f"{run.client.idle_replacements} silent connections replaced, "
        f"{run.client.connections_lost} lost, {run.client.handler_errors} handler errors",
        f"  longest gap between deliveries {run.longest_gap * 1000:.0f} ms; "
        f"slowest push to handler {run.slowest * 1000:.0f} ms",
    ]

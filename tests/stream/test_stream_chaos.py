"""Stream chaos: 10,000 pushes while the gateway disconnects, drops, goes silent and repeats.

The emulator's gateway sends `disconnect` every 3 s (± 30%), cuts TCP at a
random moment of a quarter of the connections, silences a tenth (zombies),
loses 1% of the acknowledgements and pushes 3% of the items again after
they were acknowledged; three disconnects, one zombie and one drop are
forced on top. Handlers
raise on 1% of the items and dawdle on 2%. The figures land in the test
log's "chaos figures" section; `--soak` makes it 100,000 pushes.
"""

from __future__ import annotations

import asyncio
import logging
import os

import pytest

from tests.conftest import _CHAOS_FIGURES
from tests.support.stream_chaos import StreamChaosRun, figures, run_stream_chaos

pytestmark = pytest.mark.slow  # 10,000 pushes through a gateway that breaks connections

STREAM_CHAOS_FRAMES = 10_000
STREAM_SOAK_FRAMES = 100_000
#: The issue's budget for the 10,000-frame run on a 2-core machine.
WALL_SECONDS = 30


@pytest.fixture(scope="module")
def stream_chaos(pytestconfig: pytest.Config) -> StreamChaosRun:
    soak = pytestconfig.getoption("--soak") or os.environ.get("DINGTALK_SOAK") == "1"
    frames = STREAM_SOAK_FRAMES if soak else STREAM_CHAOS_FRAMES
    # Each handler failure is logged with its traceback: right in production, noise here.
    logger = logging.getLogger("dingtalk_im_async.stream")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        run = asyncio.run(run_stream_chaos(frames))
    finally:
        logger.setLevel(level)
    pytestconfig.stash.setdefault(_CHAOS_FIGURES, []).extend(figures(run))
    return run


def test_handlers_see_every_id_exactly_once(stream_chaos: StreamChaosRun) -> None:
    assert set(stream_chaos.seen) == set(stream_chaos.pushed_at)
    assert len(stream_chaos.seen) == stream_chaos.frames
    assert set(stream_chaos.seen.values()) == {1}


def test_every_push_was_acknowledged(stream_chaos: StreamChaosRun) -> None:
    assert stream_chaos.unacknowledged == 0
    assert stream_chaos.gateway.given_up == 0


def test_every_fault_happened(stream_chaos: StreamChaosRun) -> None:
    """The faults forced on top of the random ones happened (a zombie may swallow a disconnect
    frame, or be dropped before the watchdog sees it: tests/stream/test_stream_reconnect.py checks
    each reaction on its own)."""
    gateway, client = stream_chaos.gateway, stream_chaos.client
    assert gateway.disconnects >= 3
    assert client.disconnect_frames >= 1
    assert gateway.drops >= 1
    assert gateway.zombies >= 1
    assert client.connections_opened >= 4
    assert gateway.duplicates > 0
    assert gateway.acks_lost > 0
    assert gateway.redeliveries > 0
    assert client.handler_errors > 0


def test_redeliveries_and_duplicates_were_suppressed_not_delivered(
    stream_chaos: StreamChaosRun,
) -> None:
    """Every frame the gateway sent beyond the first of each item was dropped by the client,
    except those lost with their connection."""
    extra_frames = stream_chaos.gateway.frames - stream_chaos.frames
    assert 0 < stream_chaos.client.duplicates_suppressed <= extra_frames
    assert stream_chaos.client.items == stream_chaos.frames


def test_delivery_never_stalls_for_long(stream_chaos: StreamChaosRun) -> None:
    """Usually the longest silence is a zombie's (the 1 s watchdog, then the 1 s redelivery);
    a streak of three short-lived connections adds backoffs of up to 0.5, 1 and 2 s. Beyond
    that the client would have stopped hearing."""
    assert stream_chaos.longest_gap < 6.0
    assert stream_chaos.slowest < 10.0


def test_it_runs_within_the_budget(stream_chaos: StreamChaosRun) -> None:
    if stream_chaos.frames == STREAM_CHAOS_FRAMES:
        assert stream_chaos.seconds < WALL_SECONDS

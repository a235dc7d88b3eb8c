"""Where a Stream client's CPU per message goes, piece by piece, without the network.

    python benchmarks/stream_parts.py [--repeats 9] [--number 20000]

Times each step the client takes for one ~1 KB bot-message frame (the
gateway benchmark's frame), in this process, with the default install's
JSON codec (`DINGTALK_IM_ASYNC_JSON=stdlib` is set before the package is
imported): reading the envelope, decoding `data`, building the typed
`BotMessage` (and, for reference, the converter alone), the duplicate
filter, the acknowledgement, the buffer, and the intake's whole decision.
Each figure is the median [min-max] of `--repeats` timings of `--number`
calls, in µs per call. It runs against whichever `dingtalk_im_async` is
importable, so putting an older checkout first on PYTHONPATH measures that
one: docs/performance.md compares the two.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["DINGTALK_IM_ASYNC_JSON"] = "stdlib"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--number", type=int, default=20_000)
    return parser.parse_args()


def _time(function: Callable[[], Any], repeats: int, number: int) -> list[float]:
    return [t / number * 1e6 for t in timeit.repeat(function, number=number, repeat=repeats)]


def _buffer_round_trip() -> Callable[[], Any]:
    """One item put into the intake's buffer and taken out by a consumer, in a running loop."""
    loop = asyncio.new_event_loop()
    buffer: Any
    try:
        from dingtalk_im_async.stream._buffer import Buffer
    except ImportError:  # before the deque buffer: an asyncio.Queue
        buffer = asyncio.Queue()
        put, get = buffer.put_nowait, buffer.get
    else:
        buffer = Buffer()
        put, get = buffer.put, buffer.get

    async def rounds(count: int) -> None:
        for _ in range(count):
            put(1)
            await get()

    def run(count: int = 1000) -> None:
        loop.run_until_complete(rounds(count))

    return run


def main() -> None:
    args = _parse_args()
    from _stream_gateway import Gateway

    import dingtalk_im_async
    from dingtalk_im_async import _wire
    from dingtalk_im_async.stream import _codec, _dedup, _frames, _intake
    from dingtalk_im_async.stream.models import BotMessage

    print(f"dingtalk_im_async from {Path(dingtalk_im_async.__file__).parent}")
    gateway = Gateway()
    counter = iter(range(10**9))
    text = gateway.frame(1, 0)
    frame = _frames.parse_frame(text)
    payload = frame.payload()
    seen = _dedup.SeenIds()

    def remember() -> None:
        key = f"msg:{next(counter)}"
        if hasattr(seen, "add_new"):
            seen.add_new(key)
        elif key not in seen:
            seen.add(key)

    frames = [_frames.parse_frame(gateway.frame(n, 0)) for n in range(args.number)]

    def accepting() -> list[float]:
        """`intake.accept` of `number` new frames, a fresh intake each repeat."""
        timings = []
        for _ in range(args.repeats):
            intake = _intake.Intake(
                seen=_dedup.SeenIds(), max_pending=10**9, stats=_intake.StreamStats()
            )
            accept = intake.accept
            # What the consumer takes out: the items are dropped as they are in a client.
            taken = intake.buffer if hasattr(intake, "buffer") else intake.queue
            items = taken._items if hasattr(taken, "_items") else taken._queue
            started = time.perf_counter()
            for each in frames:
                accept(each)
                items.clear()
            timings.append((time.perf_counter() - started) / len(frames) * 1e6)
        return timings

    round_trip = _buffer_round_trip()
    pieces: list[tuple[str, Callable[[], Any], int]] = [
        ("envelope: parse_frame(text)", lambda: _frames.parse_frame(text), 1),
        ("data: frame.payload()", frame.payload, 1),
        ("BotMessage: from the payload", lambda: _codec.from_wire(BotMessage, payload), 1),
        ("  (the converter alone, for reference)", lambda: _wire.from_wire(BotMessage, payload), 1),
        ("duplicate filter: a new id", remember, 1),
        ("acknowledgement: consumed_ack(frame)", lambda: _frames.consumed_ack(frame), 1),
        ("buffer: put + get, in a running loop", round_trip, 1000),
    ]
    print(f"µs per call, median [min-max] of {args.repeats} x {args.number} calls:")
    for name, function, per_call in pieces:
        number = max(args.number // per_call, 1)
        values = [v / per_call for v in _time(function, args.repeats, number)]
        print(
            f"  {name:44s} {statistics.median(values):6.2f} [{min(values):.2f}-{max(values):.2f}]"
        )
    values = accepting()
    print(
        f"  {'intake.accept(frame): payload to acknowledgement':44s} "
        f"{statistics.median(values):6.2f} [{min(values):.2f}-{max(values):.2f}]"
    )


if __name__ == "__main__":
    main()

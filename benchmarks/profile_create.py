"""Profile the client side of `GroupService.create` with pyinstrument.

    python benchmarks/profile_create.py [--calls N] [--html out.html]

Same setup as compare.py (emulator over HTTPS in its own process, concurrency
50), but only this client runs, under pyinstrument. Prints the functions with
the most time of their own, and the time spent under the project's code,
tenacity, cattrs and the JSON codec, which is the overhead above raw aiohttp.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from _certs import write_certificates
from _clients import ThisClient, measure
from _server import emulator_process
from pyinstrument import Profiler
from pyinstrument.frame import Frame

CONCURRENCY = 50
#: Path fragments naming where a sample's time goes; the first that matches wins.
#: Frames matching none (built-ins, other stdlib) count for their caller's part.
PARTS = {
    "dingtalk_im_async/": "dingtalk_im_async",
    "tenacity/": "tenacity",
    "cattrs/": "cattrs",
    "/attr/": "attrs",
    "/json/": "json",
    "aiohttp/": "aiohttp",
    "yarl/": "aiohttp",
    "multidict/": "aiohttp",
    "asyncio/": "asyncio",
    "/ssl.py": "ssl",
}


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--top", type=int, default=25, help="how many functions to list")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    return parser.parse_args()


def _part_of(frame: Frame, inherited: str) -> str:
    path = frame.file_path or ""
    return next((part for fragment, part in PARTS.items() if fragment in path), inherited)


def _tally(
    frame: Frame, part: str, by_function: dict[str, float], by_part: dict[str, float]
) -> None:
    """Add each leaf's time to its function (a `[self]` leaf is its parent's) and its part."""
    if not frame.children:
        owner = frame.parent if frame.is_synthetic and frame.parent is not None else frame
        key = f"{owner.function}  {owner.file_path_short}:{owner.line_no}  [{part}]"
        by_function[key] = by_function.get(key, 0.0) + frame.time
        by_part[part] = by_part.get(part, 0.0) + frame.time
    for child in frame.children:
        _tally(child, _part_of(child, part), by_function, by_part)


async def _profile(base_url: str, ca_pem: Path, calls: int) -> Profiler:
    client = ThisClient(base_url, ca_pem)
    try:
        await measure(client.create, 2_000, CONCURRENCY)  # warm up: connections, token
        profiler = Profiler(interval=0.0002, async_mode="disabled")
        profiler.start()
        await measure(client.create, calls, CONCURRENCY)
        profiler.stop()
    finally:
        await client.close()
    return profiler


def main() -> None:
    args = _parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        ca_pem, chain_pem = write_certificates(Path(scratch))
        with emulator_process(chain_pem) as server:
            profiler = asyncio.run(_profile(server.base_url, ca_pem, args.calls))
    session = profiler.last_session
    assert session is not None
    root = session.root_frame()
    assert root is not None
    by_function: dict[str, float] = {}
    by_part: dict[str, float] = {}
    _tally(root, "other", by_function, by_part)
    wall = session.duration
    print(f"{args.calls} creates at concurrency {CONCURRENCY}, {wall:.2f}s sampled")
    print("functions by own time:")
    for name, seconds in sorted(by_function.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {seconds / wall:6.1%}  {name}")
    print("...of which outside aiohttp, asyncio and ssl:")
    theirs = ("[aiohttp]", "[asyncio]", "[ssl]")
    outside = {name: t for name, t in by_function.items() if not name.endswith(theirs)}
    for name, seconds in sorted(outside.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {seconds / wall:6.1%}  {name}")
    print("own time by package (built-ins count for their caller; us inflated by the profiler):")
    for part, seconds in sorted(by_part.items(), key=lambda item: -item[1]):
        print(f"  {seconds / wall:6.1%}  {seconds / args.calls * 1e6:7.1f} us/create  {part}")
    if args.html:
        args.html.write_text(profiler.output_html())
        print(f"HTML report: {args.html}")


if __name__ == "__main__":
    main()

"""Where the client's extra CPU goes: pyinstrument on (a) the bare aiohttp loop and (b) this client.

    python benchmarks/profile_create.py [--codec default|orjson] [--calls 20000] [--html b.html]

Same setup as compare.py (emulator over HTTPS in its own process, concurrency
50). (a) and (b) run the same creates under pyinstrument, in alternating
chunks so a busy spell of the machine hits both; idle time (the event loop
waiting in `select`) is left out. Prints, per create, the time each side
spent per package and in the functions where (b) spends more than (a): the
cost of this client beyond the floor. `--codec default` (the default) is the
default install, with the standard library's json; `orjson` uses the extra.
Sampled times are inflated by the profiler: compare the two sides, and read
compare.py for the real CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

CONCURRENCY = 50
CHUNKS = 4
#: Path fragments naming where a sample's time goes; the first that matches wins.
#: Frames matching none (built-ins, other stdlib) count for their caller's part.
PARTS = {
    "dingtalk_im_async/": "dingtalk_im_async",
    "<cattrs generated": "dingtalk_im_async (cattrs-generated)",
    "<attrs generated": "attrs-generated",
    "_clients.py": "benchmark loop",
    "tenacity/": "tenacity",
    "cattrs/": "cattrs",
    "/json/": "json",
    "aiohttp/": "aiohttp",
    "yarl/": "aiohttp",
    "multidict/": "aiohttp",
    "asyncio/": "asyncio",
    "/ssl.py": "ssl",
    "/enum.py": "enum",
}


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codec", choices=("default", "orjson"), default="default")
    parser.add_argument("--calls", type=int, default=20_000, help="creates per side")
    parser.add_argument("--top", type=int, default=25, help="how many functions to list")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report of (b)")
    return parser.parse_args()


class Tally:
    """Own time per function and per part, summed over the chunks of one side."""

    def __init__(self) -> None:
        self.by_function: Counter[str] = Counter()
        self.by_part: Counter[str] = Counter()

    def add(self, frame: Any, part: str) -> None:
        """Add each leaf's time to its function (a `[self]` leaf is its parent's) and part."""
        if not frame.children:
            owner = frame.parent if frame.is_synthetic and frame.parent is not None else frame
            if owner.function == "select" and (owner.file_path or "").endswith("selectors.py"):
                return  # the loop waiting for the server: idle, not work
            self.by_function[f"{owner.function}  {owner.file_path_short}:{owner.line_no}"] += (
                frame.time
            )
            self.by_part[part] += frame.time
        for child in frame.children:
            path = child.file_path or ""
            self.add(child, next((p for f, p in PARTS.items() if f in path), part))


async def _profile(base_url: str, ca_pem: Path, calls: int) -> tuple[dict[str, Tally], Any]:
    """Each side's tally, and the profiler of (b)'s last chunk (for the HTML report)."""
    import aiohttp
    from _clients import RawAiohttp, ThisClient, client_ssl_context, fetch_token, measure
    from pyinstrument import Profiler

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=client_ssl_context(ca_pem))
    ) as session:
        token = await fetch_token(session, base_url)
    clients = {"a": RawAiohttp(base_url, ca_pem, token), "b": ThisClient(base_url, ca_pem)}
    tallies = {key: Tally() for key in clients}
    last_of_b: Any = None
    try:
        for client in clients.values():
            await measure(client.call, 2_000, CONCURRENCY)  # warm up: connections, token
        for chunk in range(CHUNKS):
            for key in ("a", "b") if chunk % 2 == 0 else ("b", "a"):
                profiler = Profiler(interval=0.0002, async_mode="disabled")
                profiler.start()
                await measure(clients[key].call, calls // CHUNKS, CONCURRENCY)
                profiler.stop()
                root = profiler.last_session.root_frame() if profiler.last_session else None
                if root is not None:
                    tallies[key].add(root, "other")
                if key == "b":
                    last_of_b = profiler
    finally:
        for client in clients.values():
            await client.close()
    return tallies, last_of_b


def _print(tallies: dict[str, Tally], calls: int, top: int) -> None:
    a, b = tallies["a"], tallies["b"]

    def us(seconds: float) -> str:
        return f"{seconds / calls * 1e6:7.2f}"

    total_a, total_b = sum(a.by_part.values()), sum(b.by_part.values())
    print(f"{calls} creates per side at concurrency {CONCURRENCY}, sampled time per create, us")
    print(f"  (a) bare aiohttp loop {us(total_a)}   (b) this client {us(total_b)}   "
          f"b/a {total_b / total_a:.3f}   (idle time in select left out)")  # fmt: skip
    print("\nby package:        (a)      (b)     b-a")
    for part in sorted(a.by_part.keys() | b.by_part.keys(), key=lambda p: -b.by_part[p]):
        print(
            f"  {part:36s} {us(a.by_part[part])} {us(b.by_part[part])} "
            f"{us(b.by_part[part] - a.by_part[part])}"
        )
    extra = b.by_function.copy()
    extra.subtract(a.by_function)
    print(f"\nfunctions where (b) spends more than (a), top {top} by b-a:")
    print("       (a)      (b)     b-a")
    for name, _ in extra.most_common(top):
        print(f"  {us(a.by_function[name])} {us(b.by_function[name])} {us(extra[name])}  {name}")


def main() -> None:
    args = _parse_args()
    # Decided before the package is imported: its JSON codec is chosen at import.
    os.environ["DINGTALK_IM_ASYNC_JSON"] = "stdlib" if args.codec == "default" else "auto"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _certs import write_certificates
    from _server import emulator_process

    from dingtalk_im_async._core import json_codec as _json

    print(f"dingtalk-im-async JSON codec: {'orjson' if _json.uses_orjson else 'standard library'}")
    with tempfile.TemporaryDirectory() as scratch:
        ca_pem, chain_pem = write_certificates(Path(scratch))
        with emulator_process(chain_pem) as server:
            tallies, last_of_b = asyncio.run(_profile(server.base_url, ca_pem, args.calls))
    _print(tallies, args.calls, args.top)
    if args.html and last_of_b is not None:
        args.html.write_text(last_of_b.output_html())
        print(f"\nHTML report of (b)'s last chunk: {args.html}")


if __name__ == "__main__":
    main()

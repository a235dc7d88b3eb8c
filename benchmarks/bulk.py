"""Benchmark of `GroupService.create_many` (issue 5). Run: `.venv/bin/python benchmarks/bulk.py`.

Prints, each measured in this run:
1. creates/s for N creates at concurrency 50 with no rate limit, against an
   emulator in a separate process (so client and server do not share one
   event loop), next to a baseline measured the same way: plain
   `GroupService.create` calls under an `asyncio.Semaphore(50)` with every
   task created up front. Also the client's CPU time per create for both.
2. peak RSS of a fresh client process for 10,000 and for 100,000 lazily
   generated inputs (target: under 50 MB more for the larger run).
3. a service paced as it is by default (`rate_limit=20`: 20 sends per second
   per API, each send taking its slot right before it goes on the wire) and
   `create_many` with its default pacing (the service's), against an emulator
   enforcing DingTalk's 20 calls/s per API (in this process: the load is
   tiny): the achieved rate over 30 s (target >= 98.5% of 20, 19.7/s), the
   403 replies (target 0) and the busiest one-second window of the server
   (target <= 20).

`--quick` shrinks every size for a smoke run; `--part 3` runs only part 3.
Exits non-zero if part 3 misses a target.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import resource
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkError,
    GroupService,
    RetryPolicy,
)
from dingtalk_im_async.pacing import DEFAULT_RATE, LocalPacer
from dingtalk_im_async.testing import DingTalkEmulator

CONCURRENCY = 50


def requests(count: int | None) -> Iterator[CreateGroupRequest]:
    """Lazily generated inputs (endless when `count` is None)."""
    numbers = itertools.count() if count is None else range(count)
    for number in numbers:
        yield CreateGroupRequest(name=f"群{number}", owner="manager4220", useridlist=["user1"])


@contextlib.asynccontextmanager
async def client(server: dict[str, str]) -> AsyncIterator[GroupService]:
    """A service with its token already fetched (so no run pays for it)."""
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        tokens = AppTokenProvider(
            session,
            app_key=server["app_key"],
            app_secret=server["app_secret"],
            base_url=server["base_url"],
        )
        await tokens.get_token()
        yield GroupService(
            session,
            tokens,
            base_url=server["base_url"],
            retry=RetryPolicy(attempts=1),
            rate_limit=None,
        )


async def with_create_many(groups: GroupService, count: int) -> int:
    created = 0
    async with groups.create_many(
        requests(count), concurrency=CONCURRENCY, rate_limit=None
    ) as outcomes:
        async for outcome in outcomes:
            created += outcome.ok
    return created


async def with_semaphore(groups: GroupService, count: int) -> int:
    """The baseline: what a caller would write without create_many."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def create(request: CreateGroupRequest) -> bool:
        async with limit:
            try:
                await groups.create(request)
            except DingTalkError:
                return False
            return True

    return sum(await asyncio.gather(*(create(request) for request in requests(count))))


async def timed(run: Any, groups: GroupService, count: int) -> tuple[float, float, int]:
    """(wall seconds, client CPU seconds, groups created)."""
    wall, cpu = time.perf_counter(), time.process_time()
    created = await run(groups, count)
    return time.perf_counter() - wall, time.process_time() - cpu, created


async def throughput(server: dict[str, str], count: int) -> None:
    async with client(server) as groups:
        await with_create_many(groups, 500)  # warm up: token, connections
        best: dict[str, tuple[float, float, int]] = {}
        for _ in range(2):  # interleaved, best of two, to damp noise from other load
            for name, run in (("baseline", with_semaphore), ("create_many", with_create_many)):
                result = await timed(run, groups, count)
                if name not in best or result[0] < best[name][0]:
                    best[name] = result
    print(
        f"1. {count:,} creates, concurrency {CONCURRENCY}, no rate limit (emulator in a"
        " separate process)"
    )
    for name, (wall, cpu, created) in best.items():
        print(
            f"   {name:<12} {created / wall:8.0f} creates/s   "
            f"client CPU {cpu / count * 1e6:6.0f} µs/create   ({created:,} created)"
        )
    ratio = (best["create_many"][2] / best["create_many"][0]) / (
        best["baseline"][2] / best["baseline"][0]
    )
    cpu_ratio = best["create_many"][1] / best["baseline"][1]
    print(f"   create_many / baseline: {ratio:.2f}x throughput, {cpu_ratio:.2f}x client CPU")


async def peak_rss(server: dict[str, str], counts: list[int]) -> None:
    print("2. peak RSS of a fresh client process, lazily generated inputs, concurrency 50")
    peaks = []
    for count in counts:
        child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--rss-child", str(count), json.dumps(server),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        stdout, _ = await child.communicate()
        report = json.loads(stdout)
        peaks.append(report["maxrss_kb"] / 1024)
        print(
            f"   {count:>9,} inputs: {peaks[-1]:6.1f} MB peak RSS "
            f"({report['created']:,} created in {report['seconds']:.0f} s)"
        )
    growth = peaks[-1] - peaks[0]
    verdict = "under" if growth < 50 else "OVER"
    print(f"   growth: {growth:+.1f} MB ({verdict} the 50 MB target)")


async def rss_child(count: int, server: dict[str, str]) -> None:
    started = time.perf_counter()
    async with client(server) as groups:
        created = await with_create_many(groups, count)
    print(json.dumps({
        "created": created,
        "seconds": time.perf_counter() - started,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))  # fmt: skip


async def paced(seconds: float) -> bool:
    """Item 3; True when every target is met."""
    rate = DEFAULT_RATE
    async with DingTalkEmulator(qps_limit=int(rate)) as emulator:
        async with aiohttp.ClientSession() as session:
            tokens = AppTokenProvider(
                session,
                app_key=emulator.app_key,
                app_secret=emulator.app_secret,
                base_url=emulator.base_url,
            )
            await tokens.get_token()
            groups = GroupService(session, tokens, base_url=emulator.base_url)  # default pacing
            assert isinstance(groups.pacer, LocalPacer)
            assert groups.pacer.rate == rate
            created = 0
            started = time.perf_counter()
            async with groups.create_many(requests(None), concurrency=10) as outcomes:
                async for outcome in outcomes:
                    created += outcome.ok
                    if time.perf_counter() - started >= seconds:
                        break
            elapsed = time.perf_counter() - started
            await tokens.close()
        refused = emulator.rate_limited
        busiest = max(emulator.windows("im.group.create").values())
    achieved = created / elapsed
    target = rate * 0.985
    met = achieved >= target and refused == 0 and busiest <= rate
    print(
        f"3. {groups.pacer!r} (the default rate_limit) and create_many's default pacing, "
        f"against an emulator enforcing {rate:g}/s per API, for {elapsed:.1f} s"
    )
    print(
        f"   achieved {achieved:.2f} creates/s (target >= {target:g}); "
        f"403 replies: {refused} (target 0); busiest server second: {busiest} creates "
        f"(target <= {rate:g}): {'met' if met else 'MISSED'}"
    )
    return met


@contextlib.asynccontextmanager
async def emulator_process() -> AsyncIterator[dict[str, str]]:
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert server.stdout is not None
    assert server.stdin is not None
    try:
        yield json.loads(await server.stdout.readline())
    finally:
        server.stdin.close()
        await server.wait()


async def serve() -> None:
    """The emulator process: serve until stdin closes."""
    async with DingTalkEmulator() as emulator:
        print(json.dumps({
            "base_url": emulator.base_url,
            "app_key": emulator.app_key,
            "app_secret": emulator.app_secret,
        }), flush=True)  # fmt: skip
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def main(options: argparse.Namespace) -> bool:
    creates, sizes, seconds = 10_000, [10_000, 100_000], 30.0
    if options.quick:
        creates, sizes, seconds = 1_000, [1_000, 10_000], 5.0
    print(f"Python {sys.version.split()[0]}, aiohttp {aiohttp.__version__}")
    parts = options.part or [1, 2, 3]
    if 1 in parts:
        async with emulator_process() as server:
            await throughput(server, creates)
    if 2 in parts:
        async with emulator_process() as server:
            await peak_rss(server, sizes)
    return await paced(seconds) if 3 in parts else True


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--part", type=int, choices=(1, 2, 3), action="append", help="run only this part"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        asyncio.run(serve())
    elif options.rss_child:
        asyncio.run(rss_child(int(options.rss_child[0]), json.loads(options.rss_child[1])))
    else:
        sys.exit(0 if asyncio.run(main(options)) else 1)

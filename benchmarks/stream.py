"""Stream mode's receive path: CPU per delivered message, messages/s, latency and memory.

    python benchmarks/stream.py [--rounds 7] [--messages 20000] [--parts throughput,latency,memory]

A minimal gateway (`_stream_gateway.py`) serves 127.0.0.1 in a process of
its own: pre-encoded bot-message frames of about 1 KB, at most 64
unacknowledged, a new frame only when an acknowledgement comes back. Every
client run is a process of its own (`_stream_client.py`), so its CPU is
measured alone: a bare aiohttp loop (the baseline), `StreamClient` as an
iterator and with a no-op handler, and the official `dingtalk-stream` SDK
with a no-op `ChatbotHandler`. This package's clients run as the default
install has them (`DINGTALK_IM_ASYNC_JSON=stdlib`: the standard library's
json even where orjson is installed), and once more as an iterator with the
`orjson` extra (`iterator-orjson`).

Parts:

- throughput: `--rounds` rounds, each client once per round, the order
  reversed every other round; with the gateway refusing compression, then
  accepting it (the SDK's `websockets` asks for permessage-deflate, aiohttp's
  client does not, so only the SDK's connection is compressed). Medians over
  rounds with their spread [min-max], and per-round ratios;
- latency: push-to-handler p50 and p99 at 100 and 1,000 messages/s;
- memory: each client's resident memory after 1,000 to 200,000 messages.

Exits non-zero if a target of issue 27 is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KINDS = ("bare", "iterator", "handler", "sdk", "iterator-orjson")
#: The JSON codec of this package in each client process: the default install's (the
#: standard library, even where orjson is installed), except for the orjson extra's run.
CODEC = {"iterator-orjson": "auto"}
LATENCY_RATES = (100, 1000)
MEMORY_CHECKPOINTS = (1_000, 10_000, 50_000, 100_000, 200_000)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="throughput rounds per mode (>= 5)")
    parser.add_argument("--messages", type=int, default=20_000, help="timed messages per run")
    parser.add_argument("--warm", type=int, default=2_000, help="untimed messages first")
    parser.add_argument("--latency-seconds", type=float, default=5.0, help="per latency run")
    parser.add_argument("--latency-rounds", type=int, default=3)
    parser.add_argument("--parts", default="throughput,latency,memory")
    parser.add_argument("--kinds", default=",".join(KINDS), help="clients to run")
    return parser.parse_args()


class Gateway:
    """The gateway process: its address, and its plan for the next connection."""

    def __init__(self, port: int) -> None:
        self.base_url = f"http://127.0.0.1:{port}"

    def _call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        with urllib.request.urlopen(f"{self.base_url}{path}", data=data, timeout=10) as reply:
            result: dict[str, Any] = json.loads(reply.read())
            return result

    def plan(self, **plan: Any) -> None:
        self._call("/bench/plan", plan)

    def last(self) -> dict[str, Any]:
        return self._call("/bench/last")


@contextlib.contextmanager
def gateway_process() -> Iterator[Gateway]:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "_stream_gateway.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield Gateway(int(process.stdout.readline()))
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(10)


def run_client(
    gateway: Gateway, kind: str, scratch: Path, *, compress: bool, rate: float = 0, **settings: Any
) -> dict[str, Any]:
    """One client process's run: the plan set, the client run, the gateway's view added."""
    total = settings["warm"] + settings["count"]
    gateway.plan(messages=total, window=64, rate=rate, compress=compress)
    result_json = scratch / f"{kind}.json"
    result_json.unlink(missing_ok=True)
    subprocess.run(
        [
            sys.executable,
            str(HERE / "_stream_client.py"),
            kind.removesuffix("-orjson"),
            json.dumps({"base_url": gateway.base_url, **settings}),
            str(result_json),
        ],
        env={**os.environ, "DINGTALK_IM_ASYNC_JSON": CODEC.get(kind, "stdlib")},
        check=True,
        timeout=600,
    )
    result: dict[str, Any] = json.loads(result_json.read_text())
    result["gateway"] = gateway.last()
    return result


def _balanced(kinds: list[str], rounds: int) -> Iterator[tuple[int, list[str]]]:
    for number in range(rounds):
        yield number, kinds if number % 2 == 0 else kinds[::-1]


def throughput(
    gateway: Gateway, kinds: list[str], args: argparse.Namespace, scratch: Path
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per compression mode, per client, every round's result."""
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for mode, compress in (("off", False), ("accepted", True)):
        runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
        for number, order in _balanced(kinds, args.rounds):
            cells = []
            for kind in order:
                result = run_client(
                    gateway, kind, scratch, compress=compress, warm=args.warm, count=args.messages
                )
                runs[kind].append(result)
                later = result["gateway"]["later"]
                deflate = "deflate" if result["gateway"]["compressed"] else ""
                cells.append(
                    f"{kind} {result['cpu_us']:5.1f} us {result['rate']:6.0f}/s"
                    + (f" LATER {later}" if later else "")
                    + (f" {deflate}" if deflate else "")
                )
            print(f"  compression {mode}, round {number + 1}: " + " | ".join(cells), flush=True)
        results[mode] = runs
    return results


def latency(
    gateway: Gateway, kinds: list[str], args: argparse.Namespace, scratch: Path
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """Per rate, per client, every round's result (with its latency samples)."""
    kinds = [kind for kind in kinds if kind in KINDS[:4]]
    results: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for rate in LATENCY_RATES:
        count = int(rate * args.latency_seconds)
        runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
        for number, order in _balanced(kinds, args.latency_rounds):
            for kind in order:
                runs[kind].append(
                    run_client(
                        gateway,
                        kind,
                        scratch,
                        compress=False,
                        rate=rate,
                        warm=max(rate // 10, 20),
                        count=count,
                        latency=True,
                    )
                )
            print(f"  latency at {rate}/s, round {number + 1} done", flush=True)
        results[rate] = runs
    return results


def memory(gateway: Gateway, kinds: list[str], scratch: Path) -> dict[str, dict[str, Any]]:
    """Per client, one run of 100,000 messages with its resident memory along the way."""
    results = {}
    for kind in [kind for kind in kinds if kind in KINDS[:4]]:
        results[kind] = run_client(
            gateway,
            kind,
            scratch,
            compress=False,
            warm=0,
            count=MEMORY_CHECKPOINTS[-1],
            checkpoints=list(MEMORY_CHECKPOINTS),
        )
        print(f"  memory: {kind} done", flush=True)
    return results


def main() -> int:
    args = _parse_args()
    kinds = [kind for kind in args.kinds.split(",") if kind]
    parts = set(args.parts.split(","))
    sys.path.insert(0, str(HERE))
    from _machine import MachineLoad, describe_machine, load_average
    from _stream_report import print_latency, print_memory, print_throughput, verdicts

    print(describe_machine())
    print(f"stream clients: {_versions()}")
    print(f"load average at the start: {load_average()}")
    machine_load = MachineLoad()
    measured: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch, gateway_process() as gateway:
        print(f"gateway at {gateway.base_url}, its own process", flush=True)
        if "throughput" in parts:
            measured["throughput"] = throughput(gateway, kinds, args, Path(scratch))
        if "latency" in parts:
            measured["latency"] = latency(gateway, kinds, args, Path(scratch))
        if "memory" in parts:
            measured["memory"] = memory(gateway, kinds, Path(scratch))
    print(f"\nload average at the end: {load_average()}")
    print(f"during the run: {machine_load.summary()}")
    if "throughput" in measured:
        print_throughput(measured["throughput"], args.messages)
    if "latency" in measured:
        print_latency(measured["latency"])
    if "memory" in measured:
        print_memory(measured["memory"])
    if "throughput" not in measured:
        return 0
    return 0 if all(met for _name, met in verdicts(measured["throughput"])) else 1


def _versions() -> str:
    from importlib import metadata

    names = ("dingtalk-stream", "websockets")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


if __name__ == "__main__":
    sys.exit(main())

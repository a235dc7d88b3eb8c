"""Client CPU per create, throughput and latency: dingtalk-im-async against a bare aiohttp loop.

    python benchmarks/compare.py [--rounds 10] [--calls 5000] [--no-sdk] [--configs default,orjson]

One run: a certificate authority and a 127.0.0.1 certificate are made, the
project's emulator serves HTTPS with them in a process of its own, and each
configuration is measured in a client process of its own, started with the
environment that picks its JSON codec:

- `default`: the default install, `pip install dingtalk-im-async`, which has
  the standard library's json (`DINGTALK_IM_ASYNC_JSON=stdlib`, so orjson is
  not used even if the bench extra installed it);
- `orjson`: with the `orjson` extra.

Each client process measures, in order-balanced rounds (a b, then b a):
throughput and client CPU per create at concurrency 50 against the bare loop
posting the same body (and the official SDK unless `--no-sdk`), latency per
call at concurrency 1, and pacing on (a rate never reached, so only the
bookkeeping counts) against pacing off. Client CPU is `time.process_time()`
of the client process. The summary prints medians of per-round ratios with
their spread; the chart goes to docs/performance.png. Exits non-zero if a
target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CHART = HERE.parent / "docs" / "performance.png"
#: Each configuration: its title, and the environment its client process gets.
CONFIGURATIONS = {
    "default": ("default install (stdlib json)", {"DINGTALK_IM_ASYNC_JSON": "stdlib"}),
    "orjson": ("orjson extra", {"DINGTALK_IM_ASYNC_JSON": "auto"}),
}


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="rounds of each part (>= 7)")
    parser.add_argument("--calls", type=int, default=5_000, help="creates per round, a and b")
    parser.add_argument(
        "--blocks", type=int, default=10, help="turns per round: each client's calls in blocks"
    )
    parser.add_argument(
        "--latency-calls", type=int, default=1_000, help="creates per round at concurrency 1"
    )
    parser.add_argument(
        "--operation-calls",
        type=int,
        default=2_500,
        help="calls per round of update and of robot send (0: leave them out)",
    )
    parser.add_argument(
        "--sdk-calls",
        type=int,
        default=100,
        help="creates per round for the SDK (c), ~100x slower; rates are compared",
    )
    parser.add_argument("--no-sdk", action="store_true", help="leave out the official SDK (c)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--configs",
        default="default,orjson",
        help="comma-separated configurations to measure: default, orjson",
    )
    parser.add_argument("--chart", type=Path, default=DEFAULT_CHART, help="PNG to write")
    parser.add_argument("--no-chart", action="store_true", help="skip the matplotlib chart")
    return parser.parse_args()


def _measure(key: str, settings: dict[str, Any], scratch: Path) -> dict[str, Any]:
    """Run one configuration's client process; its rounds print as they finish."""
    results_json = scratch / f"{key}.json"
    environment = {**os.environ, **CONFIGURATIONS[key][1]}
    subprocess.run(
        [sys.executable, str(HERE / "_measured.py"), json.dumps(settings), str(results_json)],
        env=environment,
        check=True,
    )
    results: dict[str, Any] = json.loads(results_json.read_text())
    return results


def main() -> int:
    args = _parse_args()
    keys = [key.strip() for key in args.configs.split(",") if key.strip()]
    unknown = [key for key in keys if key not in CONFIGURATIONS]
    if unknown or not keys:
        sys.exit(f"--configs: unknown {unknown}; choose from {', '.join(CONFIGURATIONS)}")
    sys.path.insert(0, str(HERE))
    from _certs import write_certificates
    from _machine import MachineLoad, describe_machine, load_average
    from _report import print_configuration, verdicts_of
    from _server import emulator_process

    print(describe_machine())
    print(f"load average at the start: {load_average()}")
    measured: dict[str, dict[str, Any]] = {}
    machine_load = MachineLoad()
    with tempfile.TemporaryDirectory() as scratch:
        ca_pem, chain_pem = write_certificates(Path(scratch))
        with emulator_process(chain_pem) as server:
            print(f"emulator over HTTPS at {server.base_url}, its own process (pid {server.pid})")
            for number, key in enumerate(keys):
                settings = {
                    "name": key,
                    "base_url": server.base_url,
                    "ca_pem": str(ca_pem),
                    "server_pid": server.pid,
                    "rounds": args.rounds,
                    "blocks": args.blocks,
                    "calls": args.calls,
                    "latency_calls": args.latency_calls,
                    "operation_calls": args.operation_calls,
                    "concurrency": args.concurrency,
                    # The SDK's speed does not depend on this package's codec: measured once.
                    "sdk": number == 0 and not args.no_sdk,
                    "sdk_calls": args.sdk_calls,
                }
                print(f"\n[{key}] {CONFIGURATIONS[key][0]}: client process starts", flush=True)
                measured[key] = _measure(key, settings, Path(scratch))
    print(f"\nload average at the end: {load_average()}")
    print(f"during the run: {machine_load.summary()}")
    for key, results in measured.items():
        print_configuration(CONFIGURATIONS[key][0], results)
    print("\nratios, median of per-round ratios [min-max]:")
    verdicts = [
        verdict
        for key, results in measured.items()
        for verdict in verdicts_of(key, CONFIGURATIONS[key][0], results)
    ]
    if not args.no_chart:
        from _chart import draw_chart

        draw_chart(args.chart, measured, verdicts)
        print(f"\nchart written to {args.chart}")
    return 0 if all(v.met for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

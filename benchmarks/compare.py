"""Creates per second and client CPU: raw aiohttp vs dingtalk-im-async vs the official SDK.

    python benchmarks/compare.py [--rounds 5] [--calls 5000] [--sdk-calls 200]

One run: a certificate authority and a 127.0.0.1 certificate are made, the
project's emulator serves HTTPS with them in a separate process, and each
client trusts the CA through its SSL context. Every round runs each client
once at concurrency 50, in a rotating order so drift hits all alike; the
summary takes medians over rounds and prints b/a and b/c against the targets.
Client CPU is user+sys of this process only (the server has its own).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import aiohttp
from _certs import write_certificates
from _clients import (
    Client,
    Measurement,
    OfficialSdk,
    RawAiohttp,
    ThisClient,
    client_ssl_context,
    fetch_token,
    measure,
    official_sdk_installed,
)
from _machine import describe_machine
from _server import EmulatorProcess, emulator_process

CONCURRENCY = 50
TARGET_VS_FLOOR = 0.90
TARGET_VS_SDK = 50.0
TARGET_CPU_VS_FLOOR = 1.15
DEFAULT_CHART = Path(__file__).resolve().parent.parent / "docs" / "performance.png"


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=5_000, help="creates per round for a and b")
    parser.add_argument(
        "--sdk-calls",
        type=int,
        default=200,
        help="creates per round for c (the SDK is ~100x slower; rates are compared)",
    )
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--chart", type=Path, default=DEFAULT_CHART, help="PNG to write")
    parser.add_argument("--no-chart", action="store_true", help="skip the matplotlib chart")
    return parser.parse_args()


class _Contender:
    """A client, how many calls it makes per round, and what each round measured."""

    def __init__(self, key: str, client: Client, calls: int) -> None:
        self.key = key
        self.client = client
        self.calls = calls
        self.rounds: list[Measurement] = []
        self.server_busy: list[float] = []

    @property
    def median_rate(self) -> float:
        return statistics.median(m.rate for m in self.rounds)

    @property
    def median_cpu(self) -> float:
        return statistics.median(m.cpu_per_10k for m in self.rounds)


async def _run(args: argparse.Namespace, server: EmulatorProcess, ca_pem: Path) -> list[_Contender]:
    base_url = server.base_url
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=client_ssl_context(ca_pem))
    ) as session:
        token = await fetch_token(session, base_url)
    contenders = [
        _Contender("a", RawAiohttp(base_url, ca_pem, token), args.calls),
        _Contender("b", ThisClient(base_url, ca_pem), args.calls),
    ]
    if official_sdk_installed():
        contenders.append(_Contender("c", OfficialSdk(base_url, ca_pem, token), args.sdk_calls))
    else:
        print("alibabacloud-dingtalk is not installed: (c) skipped (pip install -e '.[bench]')")
    try:
        for contender in contenders:  # warm up: connections, token, code paths
            await measure(contender.client.create, max(contender.calls // 10, 10), args.concurrency)
        for round_number in range(args.rounds):
            shift = round_number % len(contenders)
            for contender in contenders[shift:] + contenders[:shift]:
                server_cpu = server.cpu_seconds()
                result = await measure(contender.client.create, contender.calls, args.concurrency)
                contender.server_busy.append((server.cpu_seconds() - server_cpu) / result.seconds)
                contender.rounds.append(result)
            _print_round(round_number + 1, contenders)
    finally:
        for contender in contenders:
            await contender.client.close()
    return contenders


def _print_round(number: int, contenders: Sequence[_Contender]) -> None:
    by_key = {c.key: c.rounds[-1] for c in contenders}
    cells = [
        f"{c.key} {c.rounds[-1].rate:7.0f}/s {c.rounds[-1].cpu_per_10k:6.2f} cpu-s/10k"
        for c in contenders
    ]
    ratios = f"b/a {by_key['b'].rate / by_key['a'].rate:.3f}"
    ratios += f"  cpu b/a {by_key['b'].cpu_per_10k / by_key['a'].cpu_per_10k:.3f}"
    if "c" in by_key:
        ratios += f"  b/c {by_key['b'].rate / by_key['c'].rate:6.1f}"
    print(f"round {number}: " + " | ".join(cells) + " || " + ratios, flush=True)


def _spread(values: Sequence[float]) -> str:
    return f"min {min(values):.3f} max {max(values):.3f}"


def _print_summary(contenders: Sequence[_Contender]) -> list[bool]:
    by_key = {c.key: c for c in contenders}
    print(f"\nmedians over {len(by_key['a'].rounds)} rounds:")
    for c in contenders:
        rates = [m.rate for m in c.rounds]
        cpus = [m.cpu_per_10k for m in c.rounds]
        print(
            f"  ({c.key}) {c.client.label:22s} {c.median_rate:8.1f} creates/s "
            f"[{min(rates):.0f}-{max(rates):.0f}]  "
            f"{c.median_cpu:7.2f} client cpu-s per 10k [{min(cpus):.2f}-{max(cpus):.2f}]  "
            f"server busy {statistics.median(c.server_busy):.0%}  ({c.calls} calls/round)"
        )
    a, b = by_key["a"], by_key["b"]
    per_round = [mb.rate / ma.rate for ma, mb in zip(a.rounds, b.rounds, strict=True)]
    cpu_per_round = [
        mb.cpu_per_10k / ma.cpu_per_10k for ma, mb in zip(a.rounds, b.rounds, strict=True)
    ]
    verdicts = [
        _verdict(
            "b/a throughput", b.median_rate / a.median_rate, ">=", TARGET_VS_FLOOR, per_round
        ),
        _verdict(
            "b/a client CPU", b.median_cpu / a.median_cpu, "<=", TARGET_CPU_VS_FLOOR, cpu_per_round
        ),
    ]
    if "c" in by_key:
        c = by_key["c"]
        sdk_rounds = [mb.rate / mc.rate for mb, mc in zip(b.rounds, c.rounds, strict=True)]
        verdicts.append(
            _verdict("b/c throughput", b.median_rate / c.median_rate, ">=", TARGET_VS_SDK, sdk_rounds)
        )
    return verdicts


def _verdict(
    name: str, value: float, relation: str, target: float, per_round: Sequence[float]
) -> bool:
    met = value >= target if relation == ">=" else value <= target
    print(
        f"  {name}: {value:.3f} (target {relation} {target:g}: {'met' if met else 'MISSED'}; "
        f"per round {_spread(per_round)})"
    )
    return met


def main() -> int:
    args = _parse_args()
    print(describe_machine())
    with tempfile.TemporaryDirectory() as scratch:
        ca_pem, chain_pem = write_certificates(Path(scratch))
        with emulator_process(chain_pem) as server:
            print(f"emulator over HTTPS at {server.base_url}, in its own process\n")
            contenders = asyncio.run(_run(args, server, ca_pem))
    verdicts = _print_summary(contenders)
    if not args.no_chart:
        from _chart import draw_chart

        draw_chart(
            args.chart,
            [(c.client.label, c.key, c.rounds) for c in contenders],
            concurrency=args.concurrency,
        )
        print(f"\nchart written to {args.chart}")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Creates per second and client CPU: raw aiohttp vs dingtalk-im-async vs the official SDK.

    python benchmarks/compare.py [--rounds 5] [--calls 5000] [--sdk-calls 200]

One run: a certificate authority and a 127.0.0.1 certificate are made, the
project's emulator serves HTTPS with them in a separate process, and each
client trusts the CA through its SSL context. Every round runs each client
once at concurrency 50, back to back (a b c, then c b a) so drift hits all
alike; the summary prints medians over rounds, and b/a and b/c as the median
of per-round ratios, against the targets.
Client CPU is user+sys of this process only (the server has its own).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
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
    parser.add_argument("--no-sdk", action="store_true", help="leave out (c)")
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
    if args.no_sdk:
        print("(c) left out (--no-sdk)")
    elif official_sdk_installed():
        contenders.append(_Contender("c", OfficialSdk(base_url, ca_pem, token), args.sdk_calls))
    else:
        print("alibabacloud-dingtalk is not installed: (c) skipped (pip install -e '.[bench]')")
    try:
        for contender in contenders:  # warm up: connections, token, code paths
            await measure(contender.client.create, max(contender.calls // 10, 10), args.concurrency)
        for round_number in range(args.rounds):
            # a b c, then c b a: b always sits between the others, each pair back to back.
            order = contenders if round_number % 2 == 0 else contenders[::-1]
            for contender in order:
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
    latest = {c.key: c.rounds[-1] for c in contenders}
    cells = [f"{key} {m.rate:6.0f}/s {m.cpu_per_10k:6.2f} cpu-s/10k" for key, m in latest.items()]
    a, b = latest["a"], latest["b"]
    ratios = f"b/a {b.rate / a.rate:.3f}  cpu b/a {b.cpu_per_10k / a.cpu_per_10k:.3f}"
    if "c" in latest:
        ratios += f"  b/c {b.rate / latest['c'].rate:5.1f}"
    print(f"round {number:2d}: " + " | ".join(cells) + " || " + ratios, flush=True)


def _paired(
    numerator: _Contender, denominator: _Contender, value: Callable[[Measurement], float]
) -> list[float]:
    """Per-round ratios: each pair ran back to back, so slow spells hit both sides."""
    return [value(n) / value(d) for n, d in zip(numerator.rounds, denominator.rounds, strict=True)]


def _print_summary(contenders: Sequence[_Contender], concurrency: int) -> list[bool]:
    by_key = {c.key: c for c in contenders}
    a, b = by_key["a"], by_key["b"]
    print(f"\nmedians over {len(a.rounds)} rounds at concurrency {concurrency} [min-max]:")
    for c in contenders:
        rates = [m.rate for m in c.rounds]
        cpus = [m.cpu_per_10k for m in c.rounds]
        print(
            f"  ({c.key}) {c.client.label:21s} {statistics.median(rates):7.1f} creates/s "
            f"[{min(rates):.0f}-{max(rates):.0f}]  {statistics.median(cpus):7.2f} "
            f"client cpu-s/10k creates [{min(cpus):.2f}-{max(cpus):.2f}]  "
            f"server busy {statistics.median(c.server_busy):4.0%}  ({c.calls} creates/round)"
        )
    print("ratios (median of per-round ratios [min-max]):")
    verdicts = [
        _verdict("b/a creates/s", _paired(b, a, _rate), ">=", TARGET_VS_FLOOR),
        _verdict("b/a client CPU", _paired(b, a, _cpu), "<=", TARGET_CPU_VS_FLOOR),
    ]
    lowest = min(m.cpu_per_10k for m in b.rounds) / min(m.cpu_per_10k for m in a.rounds)
    print(f"  b/a client CPU, least-disturbed rounds (min b / min a): {lowest:.3f}")
    if "c" in by_key:
        verdicts.append(
            _verdict("b/c creates/s", _paired(b, by_key["c"], _rate), ">=", TARGET_VS_SDK)
        )
    return verdicts


def _rate(measurement: Measurement) -> float:
    return measurement.rate


def _cpu(measurement: Measurement) -> float:
    return measurement.cpu_per_10k


def _verdict(name: str, per_round: Sequence[float], relation: str, target: float) -> bool:
    value = statistics.median(per_round)
    met = value >= target if relation == ">=" else value <= target
    print(
        f"  {name}: {value:.3f} [{min(per_round):.3f}-{max(per_round):.3f}]  "
        f"target {relation} {target:g}: {'met' if met else 'MISSED'}"
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
    verdicts = _print_summary(contenders, args.concurrency)
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

"""What a run prints: one line per round, then medians and the ratios against the targets."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from _clients import Measurement
from attrs import define

if TYPE_CHECKING:
    from _rounds import Contender

TARGET_VS_FLOOR = 0.90
TARGET_VS_SDK = 50.0
TARGET_CPU_VS_FLOOR = 1.15


def print_round(number: int, contenders: Sequence[Contender]) -> None:
    latest = {c.key: c.rounds[-1] for c in contenders}
    cells = [f"{key} {m.rate:6.0f}/s {m.cpu_per_10k:6.2f} cpu-s/10k" for key, m in latest.items()]
    a, b = latest["a"], latest["b"]
    ratios = f"b/a {b.rate / a.rate:.3f}  cpu b/a {b.cpu_per_10k / a.cpu_per_10k:.3f}"
    if "c" in latest:
        ratios += f"  b/c {b.rate / latest['c'].rate:5.1f}"
    print(f"round {number:2d}: " + " | ".join(cells) + " || " + ratios, flush=True)


def _paired(
    numerator: Contender, denominator: Contender, value: Callable[[Measurement], float]
) -> list[float]:
    """Per-round ratios: each pair ran back to back, so slow spells hit both sides."""
    return [value(n) / value(d) for n, d in zip(numerator.rounds, denominator.rounds, strict=True)]


@define(frozen=True, kw_only=True)
class Verdict:
    """One ratio against its target."""

    name: str
    value: float
    met: bool


def print_summary(contenders: Sequence[Contender], concurrency: int) -> list[Verdict]:
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


def _verdict(name: str, per_round: Sequence[float], relation: str, target: float) -> Verdict:
    value = statistics.median(per_round)
    met = value >= target if relation == ">=" else value <= target
    print(
        f"  {name}: {value:.3f} [{min(per_round):.3f}-{max(per_round):.3f}]  "
        f"target {relation} {target:g}: {'met' if met else 'MISSED'}"
    )
    return Verdict(name=name, value=value, met=met)

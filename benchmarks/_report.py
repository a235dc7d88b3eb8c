"""What a run prints after its rounds: medians per configuration, then the ratios and targets.

Every ratio is the median of per-round ratios (the two sides of a round ran
back to back), printed with the spread of the rounds [min-max]; nothing is a
best-of.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from _clients import Measurement
from attrs import define

#: Client CPU per create of (b) over (a), at most, per configuration.
TARGET_CPU = {"default": 1.05, "orjson": 1.00}
#: Creates per second of (b) over (a), at least (issue 11).
TARGET_RATE = 0.95
#: Extra client CPU per create of a paced call whose budget is never used up, at most.
TARGET_PACING_US = 5.0
#: Creates per second of (b) over the official SDK, at least.
TARGET_VS_SDK = 50.0


@define(frozen=True, kw_only=True)
class Verdict:
    """One figure against its target."""

    name: str
    value: float
    met: bool


class Part:
    """One part of one configuration's results: each contender's label and rounds."""

    def __init__(self, results: Mapping[str, Any]) -> None:
        self.labels: dict[str, str] = {key: entry["label"] for key, entry in results.items()}
        self.rounds: dict[str, list[Measurement]] = {
            key: [Measurement(**m) for m in entry["rounds"]] for key, entry in results.items()
        }

    def paired(
        self, numerator: str, denominator: str, value: Callable[[Measurement], float]
    ) -> list[float]:
        """`value(numerator) / value(denominator)`, round by round."""
        pairs = zip(self.rounds[numerator], self.rounds[denominator], strict=True)
        return [value(n) / value(d) for n, d in pairs]


def percentile(values: Sequence[float], percent: float) -> float:
    """The value below which `percent` % of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


def _spread(values: Sequence[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} [{min(values):{fmt}}-{max(values):{fmt}}]"


def print_configuration(title: str, results: Mapping[str, Any]) -> None:
    """The medians of one configuration's three parts."""
    throughput, latency, pacing = (Part(results[p]) for p in ("throughput", "latency", "pacing"))
    rounds = len(throughput.rounds["a"])
    print(f"\n== {title}: dingtalk-im-async JSON codec {results['codec']} ==")
    print(f"throughput and client CPU at concurrency 50, medians of {rounds} rounds [min-max]:")
    for key, measurements in throughput.rounds.items():
        rates = [m.rate for m in measurements]
        cpus = [m.cpu_us for m in measurements]
        busy = [m.server_busy for m in measurements if m.server_busy is not None]
        server = f"  server busy {statistics.median(busy):4.0%}" if busy else ""
        print(
            f"  ({key}) {throughput.labels[key]:22s} {_spread(rates, '.0f')} creates/s  "
            f"{_spread(cpus, '.1f')} us client CPU/create{server}  "
            f"({measurements[0].calls} creates/round)"
        )
    print("latency per call at concurrency 1, every call of every round:")
    for key, measurements in latency.rounds.items():
        samples = [s for m in measurements for s in m.latencies]
        print(
            f"  ({key}) {latency.labels[key]:22s} p50 {percentile(samples, 50) * 1e3:6.3f} ms  "
            f"p99 {percentile(samples, 99) * 1e3:6.3f} ms  ({len(samples)} calls)"
        )
    print(f"pacing: this client at concurrency 50, medians of {rounds} rounds [min-max]:")
    for key, measurements in pacing.rounds.items():
        cpus = [m.cpu_us for m in measurements]
        print(f"  ({key}) {pacing.labels[key]:26s} {_spread(cpus, '.1f')} us client CPU/create")
    print(
        f"  one `await LocalPacer.wait(api)` alone, budget never used up: "
        f"{results['pacer_wait_us']:.2f} us CPU"
    )
    for name, entries in results.get("operations", {}).items():
        part = Part(entries)
        print(f"{name} at concurrency 50, medians of {rounds} rounds [min-max]:")
        for key, measurements in part.rounds.items():
            rates = [m.rate for m in measurements]
            cpus = [m.cpu_us for m in measurements]
            print(
                f"  ({key}) {part.labels[key]:22s} {_spread(rates, '.0f')} calls/s  "
                f"{_spread(cpus, '.1f')} us client CPU/call"
            )


def verdicts_of(key: str, title: str, results: Mapping[str, Any]) -> list[Verdict]:
    """Print one configuration's ratios against the targets."""
    throughput, latency, pacing = (Part(results[p]) for p in ("throughput", "latency", "pacing"))
    verdicts = [
        _verdict(
            f"{title}: b/a client CPU per create",
            throughput.paired("b", "a", _cpu),
            "<=",
            TARGET_CPU[key],
        ),
        _verdict(f"{title}: b/a creates/s", throughput.paired("b", "a", _rate), ">=", TARGET_RATE),
    ]
    p50 = [
        percentile(b.latencies, 50) / percentile(a.latencies, 50)
        for a, b in zip(latency.rounds["a"], latency.rounds["b"], strict=True)
    ]
    p99 = [
        percentile(b.latencies, 99) / percentile(a.latencies, 99)
        for a, b in zip(latency.rounds["a"], latency.rounds["b"], strict=True)
    ]
    print(f"  {title}: b/a p50 latency at concurrency 1: {_spread(p50, '.3f')}")
    print(f"  {title}: b/a p99 latency at concurrency 1: {_spread(p99, '.3f')}")
    print(
        f"  {title}: paced/unpaced client CPU per create: "
        f"{_spread(pacing.paired('p', 'u', _cpu), '.3f')}"
    )
    paced, unpaced = pacing.rounds["p"], pacing.rounds["u"]
    extra = [p.cpu_us - u.cpu_us for p, u in zip(paced, unpaced, strict=True)]
    verdicts.append(
        _verdict(f"{title}: paced - unpaced client CPU, us/create", extra, "<=", TARGET_PACING_US)
    )
    for name, entries in results.get("operations", {}).items():
        # For reference: the targets are create's; these add their service's own work.
        part = Part(entries)
        print(
            f"  {title}: {name} b/a client CPU per call: "
            f"{_spread(part.paired('b', 'a', _cpu), '.3f')}  (create's target {TARGET_CPU[key]:g})"
        )
        print(f"  {title}: {name} b/a calls/s: {_spread(part.paired('b', 'a', _rate), '.3f')}")
    if "c" in throughput.rounds:
        verdicts.append(
            _verdict(
                f"{title}: b/c creates/s", throughput.paired("b", "c", _rate), ">=", TARGET_VS_SDK
            )
        )
    return verdicts


def _rate(measurement: Measurement) -> float:
    return measurement.rate


def _cpu(measurement: Measurement) -> float:
    return measurement.cpu_us


def _verdict(name: str, per_round: Sequence[float], relation: str, target: float) -> Verdict:
    value = statistics.median(per_round)
    met = value >= target if relation == ">=" else value <= target
    print(
        f"  {name}: {_spread(per_round, '.3f')}  target {relation} {target:g}: "
        f"{'met' if met else 'MISSED'}"
    )
    return Verdict(name=name, value=value, met=met)

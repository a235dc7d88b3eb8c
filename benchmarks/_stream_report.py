"""What benchmarks/stream.py prints after its runs: medians with spread, ratios, targets.

Ratios are taken round by round (the clients of one round ran back to back)
and summarised by their median with the spread of the rounds [min-max];
nothing is a best-of.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import Any

LABELS = {
    "bare": "bare aiohttp loop",
    "iterator": "StreamClient, iterator",
    "handler": "StreamClient, handler",
    "sdk": "official SDK, no-op handler",
    "iterator-orjson": "StreamClient, iterator, orjson",
}
#: Issue 27's targets.
HANDLER_OVER_ITERATOR_RATE = 0.8
CPU_OVER_BARE = 1.5

Runs = Mapping[str, Sequence[Mapping[str, Any]]]


def spread(values: Sequence[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} [{min(values):{fmt}}-{max(values):{fmt}}]"


def percentile(values: Sequence[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


def paired(runs: Runs, a: str, b: str, value: Callable[[Mapping[str, Any]], float]) -> list[float]:
    """value(a) / value(b), round by round."""
    return [value(x) / value(y) for x, y in zip(runs[a], runs[b], strict=True)]


def _cpu(run: Mapping[str, Any]) -> float:
    return float(run["cpu_us"])


def _rate(run: Mapping[str, Any]) -> float:
    return float(run["rate"])


def print_throughput(results: Mapping[str, Runs], messages: int) -> None:
    for mode, runs in results.items():
        rounds = len(next(iter(runs.values())))
        print(
            f"\n== throughput, compression {mode}: medians of {rounds} rounds [min-max], "
            f"{messages} messages per run =="
        )
        for kind, kind_runs in runs.items():
            later = sum(run["gateway"]["later"] for run in kind_runs)
            compressed = sum(bool(run["gateway"]["compressed"]) for run in kind_runs)
            print(
                f"  {LABELS[kind]:28s} {spread([_cpu(r) for r in kind_runs], '5.1f')} us CPU/msg  "
                f"{spread([_rate(r) for r in kind_runs], '6.0f')} msgs/s  LATER {later}"
                + (f"  (deflate on {compressed} of {rounds} connections)" if compressed else "")
            )
        for name, value in _ratios(runs):
            print(f"  {name}: {spread(value, '.3f')}")


def _ratios(runs: Runs) -> list[tuple[str, list[float]]]:
    found = [
        (f"{ours}/bare CPU per message", paired(runs, ours, "bare", _cpu))
        for ours in ("iterator", "handler", "iterator-orjson")
        if ours in runs and "bare" in runs
    ]
    if "handler" in runs and "iterator" in runs:
        found.append(("handler/iterator msgs/s", paired(runs, "handler", "iterator", _rate)))
    for ours in ("iterator", "handler"):
        if ours in runs and "sdk" in runs:
            found.append((f"{ours}/sdk CPU per message", paired(runs, ours, "sdk", _cpu)))
            found.append((f"{ours}/sdk msgs/s", paired(runs, ours, "sdk", _rate)))
    return found


def verdicts(results: Mapping[str, Runs]) -> list[tuple[str, bool]]:
    """Issue 27's targets, each printed with its figure; (name, met) for each."""
    print("\n== targets ==")
    found: list[tuple[str, bool]] = []

    def judge(name: str, values: Sequence[float], relation: str, target: float) -> None:
        value = statistics.median(values)
        met = {">=": value >= target, ">": value > target, "<=": value <= target}.get(
            relation, value < target
        )
        print(
            f"  {name}: {spread(values, '.3f')}  target {relation} {target:g}: "
            f"{'met' if met else 'MISSED'}"
        )
        found.append((name, met))

    for mode, runs in results.items():
        if "handler" in runs:
            later = sum(run["gateway"]["later"] for run in runs["handler"])
            print(
                f"  [{mode}] LATER answers of the handler form: {later}  target 0: "
                f"{'met' if later == 0 else 'MISSED'}"
            )
            found.append((f"[{mode}] handler LATER", later == 0))
            if "iterator" in runs:
                judge(
                    f"[{mode}] handler/iterator msgs/s",
                    paired(runs, "handler", "iterator", _rate),
                    ">=",
                    HANDLER_OVER_ITERATOR_RATE,
                )
        for ours in ("iterator", "handler"):
            if ours in runs and "bare" in runs:
                judge(
                    f"[{mode}] {ours}/bare CPU per message",
                    paired(runs, ours, "bare", _cpu),
                    "<=",
                    CPU_OVER_BARE,
                )
            if ours in runs and "sdk" in runs:
                judge(
                    f"[{mode}] {ours}/sdk CPU per message",
                    paired(runs, ours, "sdk", _cpu),
                    "<",
                    1.0,
                )
                judge(f"[{mode}] {ours}/sdk msgs/s", paired(runs, ours, "sdk", _rate), ">", 1.0)
    return found


def print_latency(results: Mapping[int, Runs]) -> None:
    for rate, runs in results.items():
        rounds = len(next(iter(runs.values())))
        print(f"\n== push-to-handler latency at {rate} msgs/s: every message of {rounds} rounds ==")
        for kind, kind_runs in runs.items():
            samples = [s for run in kind_runs for s in run["latencies_us"]]
            p50s = [percentile(run["latencies_us"], 50) for run in kind_runs]
            p99s = [percentile(run["latencies_us"], 99) for run in kind_runs]
            print(
                f"  {LABELS[kind]:28s} p50 {percentile(samples, 50) / 1000:6.3f} ms "
                f"(rounds {min(p50s) / 1000:.3f}-{max(p50s) / 1000:.3f})  "
                f"p99 {percentile(samples, 99) / 1000:6.3f} ms "
                f"(rounds {min(p99s) / 1000:.3f}-{max(p99s) / 1000:.3f})  "
                f"({len(samples)} messages)"
            )


def print_memory(results: Mapping[str, Mapping[str, Any]]) -> None:
    print("\n== client resident memory (MB) after N messages, one run each ==")
    for kind, run in results.items():
        cells = "  ".join(f"{int(n):>7,}: {b / 1e6:6.1f}" for n, b in run["memory"].items())
        remembered = run.get("remembered_ids")
        extra = f"  (ids remembered: {remembered:,})" if remembered is not None else ""
        print(f"  {LABELS[kind]:28s} {cells}{extra}")

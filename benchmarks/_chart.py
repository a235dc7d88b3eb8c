"""The PNG in docs/performance.md: client CPU per create, creates per second and latency.

One group of bars per configuration (the default install, the orjson extra):
(a) the bare aiohttp loop and (b) this client side by side, plus the pacing
pair; bars are medians of rounds, dots each round.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt
from _report import Part, Verdict, percentile

COLOURS = {"a": "#8c8c8c", "b": "#1f77b4", "u": "#9ecae1", "p": "#08519c"}
SHORT = {"a": "bare aiohttp", "b": "this client", "u": "unpaced", "p": "paced"}


def _bars(
    axis: Any,
    groups: Sequence[tuple[str, Part, Sequence[str]]],
    value: Any,
    title: str,
    unit: str,
) -> None:
    """One bar per (group, key): the median of `value` over rounds, each round a dot."""
    position, ticks, labels = 0.0, [], []
    for group, part, keys in groups:
        for key in keys:
            values = [value(m) for m in part.rounds[key]]
            median = statistics.median(values)
            axis.bar(position, median, color=COLOURS[key], width=0.8)
            axis.scatter([position] * len(values), values, color="black", s=6, zorder=3)
            axis.annotate(
                f"{median:,.0f}{unit}", (position, median), ha="center", va="bottom", fontsize=7
            )
            ticks.append(position)
            labels.append(f"{SHORT[key]}\n{group}")
            position += 1
        position += 0.6
    axis.set_xticks(ticks, labels, fontsize=7)
    axis.set_title(title, fontsize=9)
    axis.grid(axis="y", alpha=0.3)


def draw_chart(
    path: Path, configurations: Mapping[str, Mapping[str, Any]], verdicts: Sequence[Verdict]
) -> None:
    """Three panels: client CPU per create, creates per second, latency at concurrency 1."""
    figure, (cpu_axis, rate_axis, latency_axis) = plt.subplots(
        1, 3, figsize=(15, 5), gridspec_kw={"width_ratios": [3, 2, 2]}
    )
    throughput = [(name, Part(r["throughput"]), ("a", "b")) for name, r in configs(configurations)]
    pacing = [(name, Part(r["pacing"]), ("u", "p")) for name, r in configs(configurations)]
    _bars(
        cpu_axis,
        [*throughput, *pacing],
        lambda m: m.cpu_us,
        "client CPU per create, us, concurrency 50 (lower is better)",
        "",
    )
    _bars(
        rate_axis,
        throughput,
        lambda m: m.rate,
        "creates per second, concurrency 50 (higher is better)",
        "",
    )
    position, ticks, labels = 0.0, [], []
    for name, results in configs(configurations):
        part = Part(results["latency"])
        for key in ("a", "b"):
            samples = [s * 1e3 for m in part.rounds[key] for s in m.latencies]
            p50, p99 = percentile(samples, 50), percentile(samples, 99)
            latency_axis.bar(position, p50, color=COLOURS[key], width=0.8)
            latency_axis.scatter([position], [p99], color="black", marker="_", s=200, zorder=3)
            latency_axis.annotate(
                f"p50 {p50:.2f}\np99 {p99:.2f}", (position, p99), ha="center", va="bottom",
                fontsize=7,
            )  # fmt: skip
            ticks.append(position)
            labels.append(f"{SHORT[key]}\n{name}")
            position += 1
        position += 0.6
    latency_axis.set_xticks(ticks, labels, fontsize=7)
    latency_axis.set_title("latency per create at concurrency 1, ms: bar p50, dash p99", fontsize=9)
    latency_axis.grid(axis="y", alpha=0.3)
    cpu_ratios = "   ".join(
        f"{v.name.replace(' client CPU per create', ' client CPU')} {v.value:.3f}"
        for v in verdicts
        if "client CPU per create" in v.name
    )
    figure.suptitle(
        "dingtalk-im-async vs a bare aiohttp loop posting the same body: "
        "POST /v1.0/im/group/create over HTTPS to the emulator in its own process\n"
        f"medians of per-round ratios: {cpu_ratios}",
        fontsize=9,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def configs(configurations: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Any]]:
    """(key, results) of each configuration (`default`, `orjson`), in the order they ran."""
    return list(configurations.items())

"""The PNG in docs/performance.md: creates per second and client CPU, one bar per client."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt
from _clients import Measurement

COLOURS = {"a": "#8c8c8c", "b": "#1f77b4", "c": "#d62728"}


def draw_chart(
    path: Path,
    contenders: Sequence[tuple[str, str, Sequence[Measurement]]],
    *,
    concurrency: int,
    ratios: str,
) -> None:
    """Median bars with every round as a dot, on log scales (the SDK is orders of magnitude off)."""
    figure, (rates_axis, cpu_axis) = plt.subplots(1, 2, figsize=(11, 4.6))
    colours = [COLOURS[key] for _, key, _ in contenders]
    panels = (
        (
            rates_axis,
            [[m.rate for m in rounds] for _, _, rounds in contenders],
            "creates per second (higher is better)",
            "{:,.0f}/s",
        ),
        (
            cpu_axis,
            [[m.cpu_per_10k for m in rounds] for _, _, rounds in contenders],
            "client CPU seconds per 10,000 creates (lower is better)",
            "{:,.2f} s",
        ),
    )
    for axis, series, title, value_format in panels:
        medians = [statistics.median(values) for values in series]
        positions = list(range(len(series)))
        axis.bar(positions, medians, color=colours, alpha=0.8)
        for position, values in zip(positions, series, strict=True):
            axis.scatter([position] * len(values), values, color="black", s=8, zorder=3)
        labels = [
            f"({key}) {label}\nmedian " + value_format.format(median)
            for (label, key, _), median in zip(contenders, medians, strict=True)
        ]
        axis.set_yscale("log")
        axis.set_xticks(positions, labels, fontsize=9)
        axis.set_title(title, fontsize=10)
        axis.grid(axis="y", which="both", alpha=0.3)
    figure.suptitle(
        "POST /v1.0/im/group/create over HTTPS to the emulator on 127.0.0.1, "
        f"concurrency {concurrency}; bars: median of rounds, dots: each round\n{ratios}",
        fontsize=10,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)

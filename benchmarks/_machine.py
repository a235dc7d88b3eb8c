"""A one-paragraph description of the machine and versions, printed with every run."""

from __future__ import annotations

import os
import platform
import resource
from importlib import metadata
from pathlib import Path

PACKAGES = ("aiohttp", "cattrs", "tenacity", "orjson", "alibabacloud-dingtalk")


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe_machine() -> str:
    """CPU count and model, OS, Python, and the versions of the packages that matter here."""
    versions = ", ".join(f"{package} {_version(package)}" for package in PACKAGES)
    return (
        f"machine: {os.cpu_count()} CPUs ({_cpu_model()}), {platform.system()} "
        f"{platform.release()}, {platform.python_implementation()} {platform.python_version()}\n"
        f"packages: {versions}"
    )


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, and its CPU count to read them by."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} CPUs)"


class MachineLoad:
    """How busy the whole machine was from its creation to `summary()`, and how much of
    that was this process and its finished children (the benchmark), from /proc/stat."""

    def __init__(self) -> None:
        self._start = (_cpu_ticks(), _own_cpu_seconds())

    def summary(self) -> str:
        """e.g. "machine 85% busy, 60% of it this benchmark: other jobs used 25%"."""
        (busy_0, total_0), own_0 = self._start
        (busy_1, total_1), own_1 = _cpu_ticks(), _own_cpu_seconds()
        if total_1 <= total_0:
            return "machine load unknown (no /proc/stat)"
        ticks = os.sysconf("SC_CLK_TCK")
        cpus = os.cpu_count() or 1
        wall = (total_1 - total_0) / ticks / cpus
        machine = (busy_1 - busy_0) / (total_1 - total_0)
        ours = (own_1 - own_0) / wall / cpus
        return (
            f"machine {machine:.0%} busy over {wall:.0f} s ({cpus} CPUs), this benchmark "
            f"{ours:.0%}: other jobs used about {max(machine - ours, 0):.0%}"
        )


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs so far; (0, 0) without /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    return total - idle, total


def _own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

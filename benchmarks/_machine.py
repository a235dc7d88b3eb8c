"""A one-paragraph description of the machine and versions, printed with every run."""

from __future__ import annotations

import os
import platform
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

"""`dingtalk-im` on an install without the `cli` extra: one line naming it, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run_entry_point(*args: str, missing: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed `dingtalk-im` entry point, with `missing` unimportable as when not
    installed (`import missing` raises ModuleNotFoundError)."""
    script = "\n".join(
        [
            "import sys",
            f"sys.modules[{missing!r}] = None" if missing else "",
            "from importlib.metadata import entry_points",
            "[entry] = entry_points(group='console_scripts', name='dingtalk-im')",
            f"sys.argv = ['dingtalk-im', *{list(args)!r}]",
            "entry.load()()",
        ]
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("package", ["click", "rich"])
def test_without_the_cli_extra_the_command_says_what_to_install(package: str) -> None:
    ran = run_entry_point("bulk", "groups.csv", missing=package)
    assert ran.returncode == 2
    assert ran.stdout == ""
    assert ran.stderr == (
        f"Error: dingtalk-im needs the {package!r} package: pip install 'dingtalk-im-async[cli]'\n"
    )


def test_with_the_extra_the_entry_point_runs_the_command() -> None:
    ran = run_entry_point("--version")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("dingtalk-im, version ")

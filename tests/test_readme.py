"""The README's first lines are the commands people copy; CI must run the same test command."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    lines = ROOT.joinpath("README.md").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines[1:6] if line.startswith("    ")]


def test_readme_opens_with_the_main_job_and_the_test_command() -> None:
    main_job, test_command = readme_commands()[:2]
    assert "pip install" in main_job
    assert "pip install" in test_command
    assert "pytest" in test_command


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = readme_commands()[1]
    ci_lines = [line.strip() for line in ROOT.joinpath(".ci/run").read_text().splitlines()]
    assert test_command in ci_lines

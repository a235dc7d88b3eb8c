"""The README's first lines are the commands people copy; CI must run the same test command."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from dingtalk_im_async.testing import DingTalkEmulator

ROOT = Path(__file__).resolve().parents[2]


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


def python_examples() -> list[str]:
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)


def test_only_the_first_example_is_a_whole_script() -> None:
    runs = [example.count("asyncio.run(") for example in python_examples()]
    assert runs[0] == 1
    assert sum(runs) == 1


async def test_the_first_example_runs_as_a_script(emulator: DingTalkEmulator) -> None:
    """Pasted into a file and run: only the credentials are filled in (the base URL comes
    from $DINGTALK_BASE_URL, as its comment says)."""
    script = (
        python_examples()[0]
        .replace('app_key="..."', f'app_key="{emulator.app_key}"')
        .replace('app_secret="..."', f'app_secret="{emulator.app_secret}"')
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DINGTALK_")}
    env["DINGTALK_BASE_URL"] = emulator.base_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()
    (group,) = emulator.groups
    assert group.open_conversation_id in output.decode()

"""The README's first lines are the commands people copy; CI must run the same test command."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from dingtalk_im_async import DingTalkClient
from dingtalk_im_async._core.service import ServiceBase
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


def readme_opening() -> str:
    """From the top to the first example: what a newcomer reads before any code."""
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    return readme.split("## Example", 1)[0]


async def test_the_opening_names_every_family_of_the_client(emulator: DingTalkEmulator) -> None:
    """Each service a `DingTalkClient` has (`client.groups`, `client.robot`, and the ones
    families add) has its line, and so has Stream mode."""
    async with DingTalkClient(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    ) as client:
        public = [name for name in dir(client) if not name.startswith("_")]
        services = [name for name in public if isinstance(getattr(client, name), ServiceBase)]
    assert {"groups", "robot"} <= set(services)
    opening = readme_opening()
    families = [line for line in opening.splitlines() if line.startswith("- **")]
    for name in services:
        assert any(f"(`client.{name}`)" in line for line in families), name
    assert any("StreamClient" in line for line in families)


def test_the_opening_says_what_surrounds_every_call_and_maps_the_docs() -> None:
    opening = readme_opening()
    for topic in ("Verdicts", "Pacing", "Tokens", "Bulk", "The emulator", "Tracing"):
        assert f"- **{topic}.**" in opening, topic
    mapped = set(re.findall(r"docs/[\w/.-]+", opening))
    assert {"docs/getting-started.md", "docs/stream.md", "docs/reference/"} <= mapped
    for path in mapped:
        assert (ROOT / path).exists(), path
    assert "POST /v1.0/im/group/create" not in opening  # not one API any more


def test_every_file_the_readme_names_under_examples_exists() -> None:
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"examples/[\w.-]+\.(?:py|csv|jsonl)\b", readme))
    named.discard("examples/groups.csv.results.jsonl")  # what the first command writes
    assert {"examples/updates.csv", "examples/stream_bot.py"} <= named
    for path in named:
        assert (ROOT / path).exists(), path

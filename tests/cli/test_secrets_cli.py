"""The CLI, with every logger at DEBUG, never prints or records the app secret or a token.

`dingtalk-im` runs as a real process against an emulator that injects
faults and revokes tokens often, so many tokens are issued and many error
paths print; its stdout, stderr and results file are then searched for the
secret and every token the emulator issued.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from attrs import define

from dingtalk_im_async.cli._run_header import is_run_header
from dingtalk_im_async.testing import Fault
from tests.support.cli_subprocess import cli_env
from tests.support.secret_scan import TokenRecordingEmulator, leaks

#: `dingtalk-im`, with logging configured as a user debugging it would: everything, DEBUG up.
ENTRY = (
    "import logging; logging.basicConfig(level=logging.DEBUG); "
    "from dingtalk_im_async.cli import main; main(prog_name='dingtalk-im')"
)
APP_SECRET = "cli-app-secret-5b81e0d4"
WRONG_SECRET = "cli-wrong-secret-0a6c3f"
ROWS = 40
#: An emulator token: 32 hex digits standing alone (chatids are `chat` + 32 hex digits).
TOKEN_SHAPE = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])")


@define(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


async def run(args: Sequence[str], env: dict[str, str]) -> Ran:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ENTRY,
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return Ran(process.returncode, stdout.decode(), stderr.decode())


def write_csv(path: Path) -> Path:
    rows = "".join(f"s{number},manager4220,u1;u2\n" for number in range(ROWS))
    path.write_text("name,owner,useridlist\n" + rows + ",manager4220,u1\n", encoding="utf-8")
    return path


async def test_bulk_create_group_and_refused_credentials_leak_nothing(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv")
    results = tmp_path / "out.jsonl"
    async with TokenRecordingEmulator(app_secret=APP_SECRET) as emulator:
        emulator.faults_for("im.group.create").set_rates(
            {
                Fault.SYSTEM_ERROR: 0.15,
                Fault.SYSTEM_BUSY: 0.05,
                Fault.HTML_PAGE: 0.05,
                Fault.DROPPED_MID_RESPONSE: 0.05,
                Fault.CONNECTION_CLOSED: 0.05,
            },
            seed=11,
        )
        emulator.faults_for("im.group.create").every(Fault.TOKEN_REVOKED, 5)
        env = cli_env(emulator)
        bulk = await run(
            ["bulk", str(source), "--results", str(results), "--rate", "0", "--concurrency", "4"],
            env,
        )
        emulator.faults_for("im.group.create").clear()
        single = await run(["create-group", "--name", "one", "--owner", "o", "--user", "u"], env)
        refused = await run(
            ["create-group", "--name", "two", "--owner", "o", "--user", "u"],
            {**env, "DINGTALK_APP_SECRET": WRONG_SECRET},
        )
    recorded = results.read_text(encoding="utf-8")
    assert bulk.code == 1  # some inputs failed, as the faults meant them to
    assert len(recorded.splitlines()) == ROWS + 2  # the run header, then a record per row
    for status in ('"created"', '"failed"', '"unknown"', '"invalid"'):
        assert status in recorded
    assert "DEBUG" in bulk.stderr  # the logs really were on
    assert "retrying" in bulk.stderr
    assert single.code == 0
    assert refused.code != 0
    assert "invalidClientIdOrSecret" in refused.stdout + refused.stderr
    assert len(emulator.issued) >= 5
    outputs = [bulk.stdout, bulk.stderr, recorded, single.stdout, single.stderr]
    outputs += [refused.stdout, refused.stderr]
    assert leaks(outputs, {APP_SECRET, WRONG_SECRET, *emulator.issued}) == []


async def test_bulk_against_the_built_in_emulator_prints_no_secret_or_token(
    tmp_path: Path,
) -> None:
    source = write_csv(tmp_path / "in.csv")
    results = tmp_path / "out.jsonl"
    env = {key: value for key, value in os.environ.items() if not key.startswith("DINGTALK_")}
    ran = await run(["bulk", str(source), "--results", str(results), "--emulator"], env)
    header, *outcomes = results.read_text(encoding="utf-8").splitlines(keepends=True)
    # The run id is 32 hex digits by design (a random UUID), shaped like a token but none.
    assert is_run_header(json.loads(header))
    recorded = "".join(outcomes)
    assert ran.code == 1, ran.stdout + ran.stderr  # the one invalid row
    assert recorded.count('"created"') == ROWS
    assert "DEBUG" in ran.stderr
    for text in (ran.stdout, ran.stderr, recorded):
        assert "emulator-app-secret" not in text
        assert TOKEN_SHAPE.findall(text) == []

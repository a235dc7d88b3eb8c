"""Run `dingtalk-im` as a real OS process against an emulator served by the test's event loop."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence

from attrs import define

from dingtalk_im_async.testing import DingTalkEmulator

#: Same as the `dingtalk-im` entry point, without depending on where pip put the script.
ENTRY = "from dingtalk_im_async.cli import main; main(prog_name='dingtalk-im')"


@define(frozen=True)
class Finished:
    code: int
    output: str


def cli_env(emulator: DingTalkEmulator, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DINGTALK_") and key != "COLUMNS"
    }
    env.update(
        DINGTALK_APP_KEY=emulator.app_key,
        DINGTALK_APP_SECRET=emulator.app_secret,
        DINGTALK_BASE_URL=emulator.base_url,
        COLUMNS="200",
    )
    env.update(extra)
    return env


async def start_cli(
    emulator: DingTalkEmulator, args: Sequence[str], **env: str
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ENTRY,
        *args,
        env=cli_env(emulator, **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def finish(process: asyncio.subprocess.Process, timeout: float = 60) -> Finished:
    try:
        stdout, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode())


async def run_cli(emulator: DingTalkEmulator, args: Sequence[str], **env: str) -> Finished:
    return await finish(await start_cli(emulator, args, **env))

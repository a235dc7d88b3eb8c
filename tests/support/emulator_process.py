"""`dingtalk-im emulator` run as a real process, for the tests that talk to it from outside."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

COMMAND = Path(sys.executable).with_name("dingtalk-im")
STARTUP_SECONDS = 30


class RunningEmulator:
    def __init__(self, process: asyncio.subprocess.Process, banner: dict[str, str]) -> None:
        self.process = process
        self.banner = banner

    async def stop(self, signum: int) -> tuple[int, str]:
        """Send `signum`; return the exit code and the rest of stdout."""
        self.process.send_signal(signum)
        assert self.process.stdout is not None
        rest = await asyncio.wait_for(self.process.stdout.read(), STARTUP_SECONDS)
        code = await asyncio.wait_for(self.process.wait(), STARTUP_SECONDS)
        return code, rest.decode()


@asynccontextmanager
async def emulator_process(*args: str) -> AsyncIterator[RunningEmulator]:
    process = await asyncio.create_subprocess_exec(
        str(COMMAND),
        "emulator",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        banner = await asyncio.wait_for(read_banner(process), STARTUP_SECONDS)
        yield RunningEmulator(process, banner)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def read_banner(process: asyncio.subprocess.Process) -> dict[str, str]:
    """The `export NAME=value` lines, up to the Ctrl-C hint."""
    assert process.stdout is not None
    exports: dict[str, str] = {}
    while True:
        line = (await process.stdout.readline()).decode()
        if not line:
            assert process.stderr is not None
            raise AssertionError(f"emulator exited early: {(await process.stderr.read())!r}")
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").strip().partition("=")
            exports[name] = value
        if "Ctrl-C" in line:
            return exports

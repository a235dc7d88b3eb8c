"""The card benchmark's server: the project's emulator in its own process, enforcing DingTalk's
20 calls per second per API (`qps_limit`, which covers `card.streaming`), over plain HTTP.

`python _cards_emulator.py` prints the port it listens on and serves until stdin
closes, so it never outlives the benchmark that started it; the benchmark
drives it with `RemoteEmulator` (reset between runs, cards and journal read
back).
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import Iterator

from dingtalk_im_async.emulator import DingTalkEmulator

#: Calls per second per API the emulator allows, as DingTalk's standard edition.
LIMIT = 20


async def _serve() -> None:
    async with DingTalkEmulator(
        qps_limit=LIMIT, qps_limits={"card.streaming": LIMIT}, record_groups=False
    ) as emulator:
        print(emulator.base_url.rsplit(":", 1)[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF


@contextlib.contextmanager
def emulator_process() -> Iterator[tuple[str, int]]:
    """Start the server process, yield its base URL and pid, and stop it on exit."""
    process = subprocess.Popen(
        [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError("the emulator process did not start")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    asyncio.run(_serve())

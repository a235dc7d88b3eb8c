"""The benchmark's server: the project's emulator over HTTPS, in its own process.

Run apart from the clients so their CPU time can be measured alone.
`python _server.py CERT_CHAIN_PEM` prints the port it listens on and serves
until stdin closes, so it never outlives the benchmark that started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from dingtalk_im_async.testing import DingTalkEmulator


async def _serve(cert_chain_pem: str) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_chain_pem)
    # Nothing is recorded: a benchmark makes far more calls than a test and reads none back.
    async with DingTalkEmulator(
        ssl_context=context, record_requests=False, record_groups=False
    ) as emulator:
        print(emulator.base_url.rsplit(":", 1)[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF


class EmulatorProcess:
    """The running server process, as the benchmark sees it."""

    def __init__(self, pid: int, base_url: str) -> None:
        self.pid = pid
        self.base_url = base_url


def cpu_seconds_of(pid: int) -> float | None:
    """User+sys CPU seconds process `pid` has used so far (Linux's /proc), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def emulator_process(cert_chain_pem: Path) -> Iterator[EmulatorProcess]:
    """Start the server process, and stop it on exit."""
    process = subprocess.Popen(
        [sys.executable, __file__, str(cert_chain_pem)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError("the emulator process did not start")
        yield EmulatorProcess(process.pid, f"https://127.0.0.1:{port}")
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1]))

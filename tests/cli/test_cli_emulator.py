"""`dingtalk-im emulator` run as a real process: serves over HTTP, stops cleanly on signals."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    GroupService,
    PermissionCheckError,
    ResponseError,
)
from dingtalk_im_async.cli import main

COMMAND = Path(sys.executable).with_name("dingtalk-im")
REQUEST = CreateGroupRequest(name="n", owner="manager4220", useridlist=["u"])
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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


def service_for(
    session: aiohttp.ClientSession, banner: dict[str, str]
) -> tuple[AppTokenProvider, GroupService]:
    tokens = AppTokenProvider(
        session,
        app_key=banner["DINGTALK_APP_KEY"],
        app_secret=banner["DINGTALK_APP_SECRET"],
        base_url=banner["DINGTALK_BASE_URL"],
    )
    return tokens, GroupService(session, tokens, base_url=banner["DINGTALK_BASE_URL"])


async def test_serves_creates_on_the_given_port_and_stops_on_ctrl_c(
    session: aiohttp.ClientSession,
) -> None:
    port = free_port()
    async with emulator_process(
        "--port",
        str(port),
        "--app-key",
        "cli-key",
        "--app-secret",
        "cli-secret",
        "--visible-user",
        "manager4220",
        "--qps-limit",
        "100",
    ) as running:
        assert running.banner == {
            "DINGTALK_BASE_URL": f"http://127.0.0.1:{port}",
            "DINGTALK_OAPI_BASE_URL": f"http://127.0.0.1:{port}/oapi",
            "DINGTALK_APP_KEY": "cli-key",
            "DINGTALK_APP_SECRET": "cli-secret",
        }
        _, groups = service_for(session, running.banner)
        result = await groups.create(REQUEST)
        assert result.open_conversation_id.startswith("cid")
        with pytest.raises(PermissionCheckError):
            await groups.create(CreateGroupRequest(name="n", owner="stranger", useridlist=["u"]))
        code, summary = await running.stop(signal.SIGINT)
    assert code == 130  # stopped by a signal: 128 + its number, like every command
    assert re.search(r"token fetches\W+1\b", summary)
    assert re.search(r"create calls\W+2\b", summary)
    assert re.search(r"groups created\W+1\b", summary)


async def test_fault_rates_apply_and_sigterm_stops_cleanly(
    session: aiohttp.ClientSession,
) -> None:
    async with emulator_process(
        "--port",
        "0",
        "--fault",
        "html-page=100%",
        "--seed",
        "3",
        "--revoke-tokens-every",
        "2",
    ) as running:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", running.banner["DINGTALK_BASE_URL"])
        _, groups = service_for(session, running.banner)
        for _ in range(2):  # the second is refused (token revoked), replayed, then gets HTML
            with pytest.raises(ResponseError) as caught:
                await groups.create(REQUEST)
            assert "502 Bad Gateway" in caught.value.excerpt
        code, summary = await running.stop(signal.SIGTERM)
    assert code == 128 + signal.SIGTERM
    assert re.search(r"fault html-page\W+2\b", summary)
    assert re.search(r"fault token-revoked\W+1\b", summary)
    assert re.search(r"token fetches\W+2\b", summary)
    assert re.search(r"groups created\W+0\b", summary)


def test_busy_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["emulator", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault", "meteor=0.1"], "NAME one of system-error"),
        (["--fault", "system-error"], "expected NAME=RATE"),
        (["--fault", "system-error=lots"], "not a number"),
        (["--fault", "system-error=2"], "between 0 and 1"),
        (["--fault", "system_error=0.7", "--fault", "html-page=50%"], "more than 1"),
        (["--fault", "canned-reply=0.1"], "NAME one of"),
        (["--latency", "slow"], "SECONDS or LOW:HIGH"),
        (["--latency", "2:1"], "below low"),
        (["--qps-limit", "0"], "x>=1"),
    ],
)
def test_bad_options_are_refused_before_serving(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["emulator", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_help_says_the_printed_credentials_are_the_emulators_own() -> None:
    result = CliRunner().invoke(main, ["emulator", "--help"])
    assert result.exit_code == 0
    assert "made-up test credentials" in result.output
    assert "dropped-mid-response" in result.output

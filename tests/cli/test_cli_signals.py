"""A `dingtalk-im` run stopped by a signal exits 128 + its number (130 for Ctrl-C), whatever
it was doing: reading its input, fetching a token, sending, or finishing. Two signals in
quick succession (what `timeout -s INT` delivers) are the hard case."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import ENTRY, finish, start_cli

HEADER = "name,owner,useridlist\n"


def write_csv(path: Path, count: int) -> Path:
    path.write_text(HEADER + "".join(f"g{n},m,u\n" for n in range(count)), encoding="utf-8")
    return path


async def wait_for(condition: object, timeout: float = 30) -> None:
    async def poll() -> None:
        while not condition():  # type: ignore[operator]  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


def interrupt(process: asyncio.subprocess.Process, *signums: int) -> None:
    for signum in signums:
        process.send_signal(signum)


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[str]:
    """An HTTP server that accepts connections and never answers: a token fetch hangs."""
    accepted: list[asyncio.StreamWriter] = []
    connected = asyncio.Event()

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        connected.set()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_one_sigint_after_every_input_was_read_exits_130(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    """All five inputs are read and in flight when Ctrl-C comes: nothing is left to stop
    reading, but the run was still interrupted."""
    source = write_csv(tmp_path / "in.csv", 5)
    emulator.delay_next(5, seconds=1.0, api="im.group.create")
    process = await start_cli(emulator, ["bulk", str(source), "--concurrency", "10"])
    await wait_for(lambda: emulator.calls("im.group.create") >= 5)
    interrupt(process, signal.SIGINT)
    finished = await finish(process)
    assert finished.code == 130, finished.output
    assert "Interrupted" in finished.output
    assert len(emulator.groups) == 5  # the calls in flight were awaited


async def test_two_quick_sigints_while_sending_exit_130(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 5)
    emulator.delay_next(5, seconds=1.0, api="im.group.create")
    process = await start_cli(emulator, ["bulk", str(source), "--concurrency", "10"])
    await wait_for(lambda: emulator.calls("im.group.create") >= 5)
    interrupt(process, signal.SIGINT, signal.SIGINT)
    finished = await finish(process)
    assert finished.code == 130, finished.output
    assert "Interrupted" in finished.output


async def test_two_quick_sigints_during_the_token_fetch_exit_130(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 5)
    async with silent_server() as hanging:
        process = await start_cli(emulator, ["bulk", str(source)], DINGTALK_BASE_URL=hanging)
        await asyncio.sleep(2)  # well into the token fetch, which this server never answers
        interrupt(process, signal.SIGINT, signal.SIGINT)
        finished = await finish(process, timeout=30)
    assert finished.code == 130, finished.output
    assert "Traceback" not in finished.output
    assert "Interrupted" in finished.output
    assert emulator.calls("im.group.create") == 0


async def test_sigterm_exits_143(tmp_path: Path, emulator: DingTalkEmulator) -> None:
    source = write_csv(tmp_path / "in.csv", 5)
    emulator.delay_next(5, seconds=1.0, api="im.group.create")
    process = await start_cli(emulator, ["bulk", str(source), "--concurrency", "10"])
    await wait_for(lambda: emulator.calls("im.group.create") >= 5)
    interrupt(process, signal.SIGTERM)
    finished = await finish(process)
    assert finished.code == 128 + signal.SIGTERM, finished.output


async def test_two_quick_sigints_while_reading_the_input_exit_130(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    """The input is a FIFO nobody has written to yet: the command is stuck reading it."""
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)
    process = await start_cli(emulator, ["bulk", str(fifo)])
    writer = None
    try:
        while writer is None:  # opening our end succeeds once the command opened its end
            try:
                writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        interrupt(process, signal.SIGINT, signal.SIGINT)
        finished = await finish(process)
    finally:
        if writer is not None:
            os.close(writer)
    assert finished.code == 130, finished.output
    assert "Traceback" not in finished.output
    assert "Interrupted" in finished.output
    assert emulator.calls("im.group.create") == 0


async def test_create_group_interrupted_mid_call_exits_130(emulator: DingTalkEmulator) -> None:
    async with silent_server() as hanging:
        process = await start_cli(
            emulator,
            ["create-group", "--name", "g", "--owner", "m", "--user", "u"],
            DINGTALK_BASE_URL=hanging,
        )
        await asyncio.sleep(2)
        interrupt(process, signal.SIGINT, signal.SIGINT)
        finished = await finish(process, timeout=30)
    assert finished.code == 130, finished.output
    assert "Traceback" not in finished.output


async def test_the_emulator_stopped_by_two_quick_sigints_exits_130() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ENTRY,
        "emulator",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readuntil(b"Press Ctrl-C to stop."), 30)
        interrupt(process, signal.SIGINT, signal.SIGINT)
        rest = await asyncio.wait_for(process.stdout.read(), 30)
        code = await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 130, rest.decode()
    assert b"Traceback" not in rest
    assert b"emulator stopped" in rest


async def test_a_group_command_interrupted_mid_call_exits_130(emulator: DingTalkEmulator) -> None:
    async with silent_server() as hanging:
        process = await start_cli(
            emulator, ["group", "info", "chat1"], DINGTALK_OAPI_BASE_URL=hanging
        )
        await asyncio.sleep(2)
        interrupt(process, signal.SIGINT, signal.SIGINT)
        finished = await finish(process, timeout=30)
    assert finished.code == 130, finished.output
    assert "Traceback" not in finished.output


async def test_send_interrupted_mid_call_exits_130(emulator: DingTalkEmulator) -> None:
    async with silent_server() as hanging:
        process = await start_cli(
            emulator, ["send", "--group", "cid1", "--text", "hi"], DINGTALK_BASE_URL=hanging
        )
        await asyncio.sleep(2)
        interrupt(process, signal.SIGINT, signal.SIGINT)
        finished = await finish(process, timeout=30)
    assert finished.code == 130, finished.output
    assert "Traceback" not in finished.output

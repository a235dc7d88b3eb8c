"""Handlers that raise, dawdle or hang never hold up acknowledgements or other items."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import attrs
import pytest

from dingtalk_im_async.stream import BotMessage, StreamSettings
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.leak_checks import no_client_tasks_left
from tests.support.stream_support import FAST, eventually, settle, stream_client


def settings(**changes: Any) -> StreamSettings:
    return attrs.evolve(FAST, **{"shutdown_grace": 0.2, **changes})


async def test_a_raising_handler_is_logged_and_the_others_go_on(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    stream = stream_client(emulator, settings=settings())
    handled: list[str] = []

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        if message.plain_text == "boom":
            raise ValueError("handler bug")
        handled.append(message.plain_text)

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    bad = emulator.stream.inject_message("boom")
    for text in ("a", "b"):
        emulator.stream.inject_message(text)
    await eventually(lambda: len(handled) == 2)
    await emulator.stream.wait_until_acknowledged()
    assert stream.stats.handler_errors == 1
    await stream.close()
    await settle(running)
    assert f"handler for msg:{bad['msgId']} raised" in caplog.text
    assert "ValueError: handler bug" in caplog.text
    assert emulator.stream.stats.acked == 3
    assert emulator.stream.stats.redeliveries == 0


async def test_a_hung_handler_holds_up_neither_acks_nor_other_items(
    emulator: DingTalkEmulator,
) -> None:
    stream = stream_client(emulator, settings=settings(handler_concurrency=2))
    release = asyncio.Event()
    handled: list[str] = []
    running_now = 0
    most_at_once = 0

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        nonlocal running_now, most_at_once
        running_now += 1
        most_at_once = max(most_at_once, running_now)
        try:
            if message.plain_text == "hang":
                await release.wait()
            else:
                await asyncio.sleep(0.01)
            handled.append(message.plain_text)
        finally:
            running_now -= 1

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    emulator.stream.inject_message("hang")
    for n in range(10):
        emulator.stream.inject_message(f"m{n}")
    await emulator.stream.wait_until_acknowledged(timeout=2)  # acks did not wait
    await eventually(lambda: len(handled) == 10)
    assert "hang" not in handled
    assert most_at_once == 2
    release.set()
    await eventually(lambda: len(handled) == 11)
    await stream.close()
    await settle(running)


async def test_handler_timeout_cancels_a_handler_with_a_log_line(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    stream = stream_client(emulator, settings=settings(handler_timeout=0.1))
    cancelled = asyncio.Event()

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    sent = emulator.stream.inject_message("slow")
    await asyncio.wait_for(cancelled.wait(), 2)
    await eventually(lambda: stream.stats.handler_timeouts == 1)
    await stream.close()
    await settle(running)
    assert f"handler for msg:{sent['msgId']} cancelled after 0.1s" in caplog.text


async def test_a_slow_handler_gets_a_warning(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="dingtalk_im_async.stream")
    stream = stream_client(emulator, settings=settings(slow_handler_after=0.05))
    done = asyncio.Event()

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        await asyncio.sleep(0.2)
        done.set()

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    emulator.stream.inject_message("slow")
    await asyncio.wait_for(done.wait(), 2)
    await stream.close()
    await settle(running)
    assert "still running after 0.05s (1 of 16 handler slots busy)" in caplog.text


async def test_close_lets_queued_items_finish_then_cancels_what_hangs(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    stream = stream_client(emulator, settings=settings(handler_concurrency=1, shutdown_grace=0.3))
    handled: list[str] = []

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        if message.plain_text == "hang":
            await asyncio.Event().wait()
        await asyncio.sleep(0.02)
        handled.append(message.plain_text)

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    for text in ("a", "b", "hang", "c"):
        emulator.stream.inject_message(text)
    await emulator.stream.wait_until_acknowledged()
    await stream.close()
    await asyncio.wait_for(settle(running), 2)
    assert handled == ["a", "b"]  # "c" waited behind the hung one, whose slot never freed
    assert "cancelling them" in caplog.text
    await no_client_tasks_left()


async def test_cancelling_run_cancels_handlers_and_leaves_nothing(
    emulator: DingTalkEmulator,
) -> None:
    stream = stream_client(emulator, settings=settings())
    started = asyncio.Event()

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        started.set()
        await asyncio.Event().wait()

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    emulator.stream.inject_message("hang")
    await asyncio.wait_for(started.wait(), 2)
    running.cancel()
    await settle(running)
    await no_client_tasks_left()
    await eventually(lambda: not emulator.stream.connections)

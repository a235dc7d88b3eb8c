"""A burst of messages in the handler form: taken in as fast as it comes, LATER only when full.

The reader acknowledges each frame as it reads it and buffers the item; the
handler workers must drain that buffer as fast as the reader fills it, or
the buffer fills and frames are answered LATER (DingTalk then redelivers
them 16 to 60 s later). Issue 27: a no-op handler fell behind after about
1,000 messages and answered LATER tens of thousands of times.
"""

from __future__ import annotations

import asyncio
import logging

import attrs
import pytest

from dingtalk_im_async.stream import BotMessage, StreamSettings
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.leak_checks import no_client_tasks_left
from tests.support.stream_support import FAST, eventually, settle, stream_client, take

#: More than `max_pending` (1,000 by default): a reader that outruns the handlers fills it.
BURST = 3_000


def production_like(**changes: object) -> StreamSettings:
    """FAST's connection timings, production's buffer and handler settings."""
    defaults = StreamSettings()
    return attrs.evolve(
        FAST,
        max_pending=defaults.max_pending,
        handler_concurrency=defaults.handler_concurrency,
        **changes,
    )


async def test_a_burst_reaches_a_no_op_handler_without_a_single_later(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    stream = stream_client(emulator, settings=production_like())
    handled: list[str] = []

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        handled.append(message.msg_id)

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    sent = [emulator.stream.inject_message(f"m{n}")["msgId"] for n in range(BURST)]
    await eventually(lambda: len(handled) >= BURST, timeout=60)
    await emulator.stream.wait_until_acknowledged(timeout=30)
    await stream.close()
    await settle(running)
    assert stream.stats.deferred == 0
    assert [ack.code for ack in emulator.stream.acks if ack.code != 200] == []
    assert emulator.stream.stats.redeliveries == 0
    assert sorted(handled) == sorted(sent)  # each once
    assert "LATER" not in caplog.text
    await no_client_tasks_left()


async def test_a_burst_reaches_the_iterator_without_a_single_later(
    emulator: DingTalkEmulator,
) -> None:
    async with stream_client(emulator, settings=production_like()) as stream:
        for n in range(BURST):
            emulator.stream.inject_message(f"m{n}")
        received = await take(stream, BURST, timeout=60)
        await emulator.stream.wait_until_acknowledged(timeout=30)
    assert len({item.msg_id for item in received if isinstance(item, BotMessage)}) == BURST
    assert stream.stats.deferred == 0


async def test_later_only_when_the_handlers_are_saturated_and_one_warning_for_many(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="dingtalk_im_async.stream")
    emulator.stream.settings.later_delay = 0.05
    emulator.stream.settings.max_redeliveries = 1_000
    stream = stream_client(
        emulator, settings=attrs.evolve(FAST, max_pending=4, handler_concurrency=2)
    )
    release = asyncio.Event()
    handled: list[str] = []

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        await release.wait()
        handled.append(message.msg_id)

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    sent = [emulator.stream.inject_message(f"m{n}")["msgId"] for n in range(10)]
    # 2 handlers busy and 2 items waiting: the rest is answered LATER, again and again.
    await eventually(lambda: stream.stats.deferred >= 20)
    assert stream.stats.items == 4
    warnings = [r for r in caplog.records if "answered LATER" in r.getMessage()]
    assert len(warnings) == 1
    assert "4 items waiting for handlers" in warnings[0].getMessage()
    release.set()
    await eventually(lambda: len(handled) == 10, timeout=10)
    await emulator.stream.wait_until_acknowledged()
    await stream.close()
    await settle(running)
    assert sorted(handled) == sorted(sent)
    assert emulator.stream.stats.given_up == 0


async def test_a_handler_that_cancels_itself_is_an_error_and_its_worker_goes_on(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    stream = stream_client(emulator, settings=attrs.evolve(FAST, handler_concurrency=1))
    handled: list[str] = []

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        if message.plain_text == "cancel":
            raise asyncio.CancelledError  # e.g. it awaited something that was cancelled
        handled.append(message.plain_text)

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    bad = emulator.stream.inject_message("cancel")
    for text in ("a", "b"):
        emulator.stream.inject_message(text)
    await eventually(lambda: handled == ["a", "b"])
    await stream.close()
    await settle(running)
    assert stream.stats.handler_errors == 1
    assert f"handler for msg:{bad['msgId']} was cancelled" in caplog.text
    await no_client_tasks_left()

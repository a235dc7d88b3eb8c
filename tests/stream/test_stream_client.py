"""StreamClient against the emulator's gateway over real WebSockets: receiving and acknowledging."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import attrs
import pytest

from dingtalk_im_async import InvalidCredentialsError
from dingtalk_im_async.errors import Verdict
from dingtalk_im_async.stream import (
    BotMessage,
    StreamClient,
    StreamEvent,
    StreamSettings,
    TitleChangedEvent,
    UnknownEvent,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.leak_checks import no_client_tasks_left
from tests.support.stream_support import FAST, eventually, settle, stream_client, take


async def test_iterator_gets_a_bot_message_and_an_event_each_acknowledged(
    emulator: DingTalkEmulator,
) -> None:
    async with stream_client(emulator) as stream:
        sent = emulator.stream.inject_message("你好", sender_staff_id="alice")
        event_id = emulator.stream.push_event(
            "chat_update_title", {"chatId": "chat1", "openConversationId": "cid1", "title": "新"}
        )
        message, event = await take(stream, 2)
        await emulator.stream.wait_until_acknowledged()
    assert isinstance(message, BotMessage)
    assert message.msg_id == sent["msgId"]
    assert message.plain_text == "你好"
    assert message.sender_staff_id == "alice"
    assert message.open_conversation_id == sent["conversationId"]
    assert isinstance(event, TitleChangedEvent)
    assert (event.event_id, event.title, event.chat_id) == (event_id, "新", "chat1")
    callback_ack, event_ack = [ack for ack in emulator.stream.acks if ack.kind == "push"]
    assert callback_ack.code == 200
    assert json.loads(callback_ack.data) == {"response": None}
    assert event_ack.code == 200
    assert json.loads(event_ack.data) == {"status": "SUCCESS", "message": "success"}


async def test_connections_open_sends_credentials_and_subscriptions_as_json(
    emulator: DingTalkEmulator,
) -> None:
    async with stream_client(emulator, messages=False):
        pass
    [body] = emulator.stream.open_requests
    assert body["clientId"] == emulator.app_key
    assert body["clientSecret"] == "<hidden>"  # present, masked by the emulator's record
    assert body["subscriptions"] == [{"type": "EVENT", "topic": "*"}]


async def test_only_what_was_subscribed_to_arrives(emulator: DingTalkEmulator) -> None:
    async with stream_client(emulator, messages=False) as stream:
        emulator.stream.inject_message("not for an events-only client")
        event_id = emulator.stream.push_event("chat_disband", {"openConversationId": "cid1"})
        [event] = await take(stream, 1)
        await asyncio.sleep(0.1)
        assert isinstance(event, StreamEvent)
        assert event.event_id == event_id
        assert emulator.stream.unacknowledged == 1  # the message waits for a subscriber


async def test_pings_are_answered_with_their_opaque_echoed(emulator: DingTalkEmulator) -> None:
    emulator.stream.settings.ping_interval = 0.05
    async with stream_client(emulator):
        await eventually(lambda: sum(a.kind == "ping" for a in emulator.stream.acks) >= 3)
    pings = [ack for ack in emulator.stream.acks if ack.kind == "ping"]
    for ack in pings:
        assert ack.code == 200
        assert set(json.loads(ack.data)) == {"opaque"}


async def test_unknown_event_types_arrive_as_unknown_events(emulator: DingTalkEmulator) -> None:
    async with stream_client(emulator) as stream:
        event_id = emulator.stream.push_event("chat_brand_new", {"answer": 42})
        [event] = await take(stream, 1)
    assert isinstance(event, UnknownEvent)
    assert event.event_type == "chat_brand_new"
    assert event.event_id == event_id
    assert event.data["answer"] == 42


async def test_an_unreadable_frame_is_acknowledged_and_dropped_and_the_stream_goes_on(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    async with stream_client(emulator) as stream:
        emulator.stream.push_frame("CALLBACK", "/v1.0/im/bot/messages/get", "{not json")
        emulator.stream.push_frame(
            "CALLBACK", "/v1.0/im/bot/messages/get", json.dumps({"msgId": 7})
        )
        sent = emulator.stream.inject_message("after the broken ones")
        [message] = await take(stream, 1)
        await emulator.stream.wait_until_acknowledged()
        assert stream.stats.unreadable == 2
    assert isinstance(message, BotMessage)
    assert message.msg_id == sent["msgId"]
    assert [ack.code for ack in emulator.stream.acks if ack.kind == "push"] == [200, 200, 200]
    assert "cannot be read" in caplog.text


async def test_wrong_credentials_raise_at_start_without_retrying(
    emulator: DingTalkEmulator,
) -> None:
    stream = StreamClient(
        app_key=emulator.app_key, app_secret="wrong", base_url=emulator.base_url, settings=FAST
    )
    with pytest.raises(InvalidCredentialsError) as caught:
        await stream.start()
    assert caught.value.verdict is Verdict.REJECTED
    assert "wrong" not in str(caught.value)
    assert len(emulator.stream.open_requests) == 1
    await no_client_tasks_left()


async def test_transient_open_failures_are_retried_with_growing_waits(
    emulator: DingTalkEmulator,
) -> None:
    emulator.stream.fail_opens(3)
    emulator.stream.reject_tickets(1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with stream_client(emulator) as stream:
        elapsed = loop.time() - started
        assert stream.connected
        assert stream.stats.connect_failures == 4
    # Waits of at least half of 0.05, 0.1, 0.2 and 0.4 s: never a tight loop.
    assert elapsed >= (0.05 + 0.1 + 0.2 + 0.4) / 2
    assert len(emulator.stream.open_requests) == 5


async def test_handlers_get_messages_and_events_until_close(emulator: DingTalkEmulator) -> None:
    stream = stream_client(emulator)
    messages: list[BotMessage] = []
    events: list[StreamEvent] = []

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        messages.append(message)

    @stream.on_event
    async def notice(event: StreamEvent) -> None:
        events.append(event)

    running = asyncio.ensure_future(stream.run())
    await eventually(lambda: stream.connected)
    emulator.stream.inject_message("one")
    emulator.stream.push_event("chat_quit", {"openConversationId": "cid1", "operator": "bob"})
    await eventually(lambda: len(messages) == 1 and len(events) == 1)
    with pytest.raises(RuntimeError, match="already running"):
        await stream.run()
    await stream.close()
    await asyncio.wait_for(running, 2)
    assert messages[0].plain_text == "one"
    assert events[0].event_type == "chat_quit"
    await no_client_tasks_left()


async def test_handler_and_iterator_modes_do_not_mix(emulator: DingTalkEmulator) -> None:
    stream = stream_client(emulator)
    with pytest.raises(RuntimeError, match="register a handler"):
        await stream.run()

    @stream.on_message
    async def hear(message: BotMessage) -> None:
        del message

    with pytest.raises(ValueError, match="already registered"):
        stream.on_message(hear)
    with pytest.raises(RuntimeError, match="call run"):
        aiter(stream)


async def test_a_full_buffer_answers_later_and_nothing_is_lost(
    emulator: DingTalkEmulator,
) -> None:
    emulator.stream.settings.later_delay = 0.05
    settings = StreamSettings(
        reconnect=FAST.reconnect, idle_timeout=None, max_pending=2, shutdown_grace=0
    )
    async with stream_client(emulator, settings=settings) as stream:
        sent = [emulator.stream.inject_message(f"m{n}")["msgId"] for n in range(5)]
        await eventually(lambda: stream.stats.deferred >= 3)
        received = await take(stream, 5)
        await emulator.stream.wait_until_acknowledged()
    assert sorted(m.msg_id for m in received if isinstance(m, BotMessage)) == sorted(sent)
    later = [ack for ack in emulator.stream.acks if ack.code == 500]
    assert later
    assert all(json.loads(ack.data)["status"] == "LATER" for ack in later)
    assert emulator.stream.stats.redeliveries >= len(later)


async def test_close_ends_connections_cleanly_and_leaves_nothing_running(
    emulator: DingTalkEmulator,
) -> None:
    stream = stream_client(emulator)
    await stream.start()
    assert emulator.stream.connections
    await stream.close()
    await stream.close()  # idempotent
    await eventually(lambda: not emulator.stream.connections)
    await no_client_tasks_left()
    with pytest.raises(RuntimeError, match="closed"):
        await stream.start()


async def test_cancelling_the_consumer_leaves_nothing_running(emulator: DingTalkEmulator) -> None:
    async def consume() -> None:
        async with stream_client(emulator) as stream:
            async for _item in stream:
                pass

    task = asyncio.ensure_future(consume())
    await eventually(lambda: bool(emulator.stream.connections))
    task.cancel()
    await settle(task)
    await eventually(lambda: not emulator.stream.connections)
    await no_client_tasks_left()


async def test_a_callers_session_is_used_and_left_open(emulator: DingTalkEmulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with stream_client(emulator, session=session) as stream:
            emulator.stream.inject_message("hi")
            await take(stream, 1)
        assert not session.closed


def test_bad_settings_and_arguments_are_refused_before_any_io() -> None:
    with pytest.raises(ValueError, match="app_key"):
        StreamClient(app_key="", app_secret="s")
    with pytest.raises(ValueError, match="messages, events"):
        StreamClient(app_key="k", app_secret="s", messages=False, events=False)
    with pytest.raises(ValueError, match="idle_timeout"):
        StreamSettings(idle_timeout=0)
    with pytest.raises(ValueError, match="refusing plain http"):
        StreamClient(app_key="k", app_secret="s", base_url="http://example.com")


def test_no_secret_in_the_repr(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stream = StreamClient(app_key="k", app_secret="s3cr3t-value")
    assert "s3cr3t-value" not in repr(stream)


async def test_neither_the_secret_nor_a_ticket_reaches_a_log_line_or_an_error(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway = emulator.stream
    gateway.fail_opens(1)
    gateway.reject_tickets(1)
    async with stream_client(emulator) as stream:
        gateway.drop_connections()
        await eventually(lambda: stream.stats.connections_opened == 2)
    refused = StreamClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret + "-wrong",
        base_url=emulator.base_url,
        settings=FAST,
    )
    with pytest.raises(InvalidCredentialsError) as caught:
        await refused.start()
    texts = [caplog.text, str(caught.value), repr(caught.value), repr(stream), repr(refused)]
    for text in texts:
        assert emulator.app_secret not in text
        assert "ticket=" not in text
    assert "could not open a Stream connection" in caplog.text  # the failures were logged


async def test_pushes_are_counted_per_month_and_warned_about_never_refused(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Three pushes against a push budget of 4 warned at 0.5: one warning at the second,
    every message still handed on; a new month counts from 0 again."""
    caplog.set_level(logging.WARNING, logger="dingtalk_im_async.budget")
    settings = attrs.evolve(FAST, push_budget=4, push_warn_at=0.5)
    now = [1_764_633_600.0]  # 2025-12-02 08:00 China time
    async with stream_client(emulator, settings=settings) as stream:
        stream.pushes.clock = lambda: now[0]
        for n in range(3):
            emulator.stream.inject_message(f"m{n}", sender_staff_id="alice")
        items = await take(stream, 3)
        now[0] += 31 * 24 * 3600
        emulator.stream.inject_message("next month", sender_staff_id="alice")
        (last,) = await take(stream, 1)
    assert [item.plain_text for item in [*items, last]] == ["m0", "m1", "m2", "next month"]  # type: ignore[union-attr]
    assert stream.pushes.received("2025-12") == 3
    assert stream.pushes.received("2026-01") == 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "dingtalk_im_async.budget"]
    assert warnings == [
        "Stream pushes for 2025-12: 2 received of a push budget of 4 a month; DingTalk "
        "stops pushing past its quota"
    ]

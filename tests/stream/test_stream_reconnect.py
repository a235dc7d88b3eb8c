"""Nothing lost, nothing doubled: disconnect frames, drops, silent connections, redeliveries."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from dingtalk_im_async.stream import BotMessage, ReconnectPolicy, StreamSettings
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.leak_checks import no_client_tasks_left
from tests.support.stream_support import FAST, eventually, stream_client, take


async def test_disconnect_opens_the_new_connection_before_the_old_one_goes(
    emulator: DingTalkEmulator,
) -> None:
    gateway = emulator.stream
    gateway.settings.disconnect_grace = 0.5
    async with stream_client(emulator) as stream:
        [old] = gateway.connections
        in_flight = gateway.inject_message("sent just before disconnect")
        gateway.send_disconnect()
        after = gateway.inject_message("sent just after disconnect")
        first, second = await take(stream, 2)
        both = set(gateway.connections)
        await gateway.wait_until_acknowledged()
        assert len(both) == 2  # make before break: the old one is still open
        [new] = both - {old}
        await eventually(lambda: gateway.connections == [new])  # the gateway cut the old one
        assert stream.stats.disconnect_frames == 1
        assert stream.stats.connections_lost == 0
    assert isinstance(first, BotMessage)
    assert isinstance(second, BotMessage)
    assert [first.msg_id, second.msg_id] == [in_flight["msgId"], after["msgId"]]
    acks = {ack.message_id: ack.connection_id for ack in gateway.acks if ack.kind == "push"}
    assert sorted(acks.values()) == sorted([old, new])  # each ack on its own connection


async def test_a_connection_the_gateway_keeps_after_disconnect_is_closed_by_the_client(
    emulator: DingTalkEmulator,
) -> None:
    emulator.stream.settings.disconnect_grace = 60
    settings = StreamSettings(reconnect=FAST.reconnect, idle_timeout=None, drain_timeout=0.2)
    async with stream_client(emulator, settings=settings):
        [old] = emulator.stream.connections
        emulator.stream.send_disconnect()
        await eventually(lambda: len(emulator.stream.connections) == 2)
        await eventually(lambda: old not in emulator.stream.connections)


async def test_an_abrupt_drop_reconnects_at_once_and_lost_frames_come_again(
    emulator: DingTalkEmulator,
) -> None:
    gateway = emulator.stream
    gateway.settings.ack_timeout = 0.3
    async with stream_client(emulator) as stream:
        await asyncio.sleep(0.3)  # up longer than stable_after: the next connect is immediate
        gateway.make_zombies()  # frames now vanish, as in a dying network path
        lost = gateway.inject_message("lost with the connection")
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        dropped_at = loop.time()
        gateway.drop_connections()
        await eventually(lambda: stream.stats.connections_opened == 2)
        reconnect_time = loop.time() - dropped_at
        [message] = await take(stream, 1)
        assert stream.stats.connections_lost == 1
    assert reconnect_time < 0.2
    assert isinstance(message, BotMessage)
    assert message.msg_id == lost["msgId"]
    assert gateway.stats.redeliveries >= 1


async def test_a_gateway_that_closes_every_connection_is_not_hammered(
    emulator: DingTalkEmulator,
) -> None:
    gateway = emulator.stream
    gateway.faults.drop_rate = 1.0
    gateway.faults.drop_within = 0.01
    policy = ReconnectPolicy(initial_delay=0.1, max_delay=0.4, stable_after=1.0)
    async with stream_client(emulator, settings=StreamSettings(reconnect=policy)) as stream:
        await asyncio.sleep(2.0)
        opened = stream.stats.connections_opened
        lost = stream.stats.connections_lost
    # Waits of at least 0.05, 0.1, 0.2, 0.2, ...: about 9 connections in 2 s, never hundreds.
    assert 3 <= opened <= 12
    assert lost >= opened - 1


async def test_a_silent_connection_is_replaced_and_what_it_swallowed_comes_again(
    emulator: DingTalkEmulator,
) -> None:
    gateway = emulator.stream
    gateway.settings.ping_interval = 0.05
    gateway.settings.ack_timeout = 0.3
    settings = StreamSettings(reconnect=FAST.reconnect, idle_timeout=0.3)
    async with stream_client(emulator, settings=settings) as stream:
        [zombie] = gateway.connections
        gateway.make_zombies()
        swallowed = gateway.inject_message("pushed to a zombie")
        [message] = await take(stream, 1, timeout=3)
        assert stream.stats.idle_replacements == 1
        await eventually(lambda: zombie not in gateway.connections)
    assert isinstance(message, BotMessage)
    assert message.msg_id == swallowed["msgId"]


async def test_a_quiet_connection_that_gets_pings_is_kept(emulator: DingTalkEmulator) -> None:
    emulator.stream.settings.ping_interval = 0.05
    settings = StreamSettings(reconnect=FAST.reconnect, idle_timeout=0.3)
    async with stream_client(emulator, settings=settings) as stream:
        await asyncio.sleep(1.0)
        assert stream.stats.connections_opened == 1
        assert stream.stats.idle_replacements == 0


async def test_redeliveries_and_duplicate_pushes_reach_the_consumer_once(
    emulator: DingTalkEmulator,
) -> None:
    gateway = emulator.stream
    gateway.settings.ack_timeout = 0.1
    gateway.faults.duplicate_rate = 1.0
    gateway.faults.ack_loss_rate = 0.5
    async with stream_client(emulator) as stream:
        sent = {gateway.inject_message(f"m{n}")["msgId"] for n in range(20)}
        received = await take(stream, 20)
        await gateway.wait_until_acknowledged()
        with pytest.raises(asyncio.TimeoutError):
            await take(stream, 1, timeout=0.3)  # no second copy of anything
        assert stream.stats.duplicates_suppressed >= 20
    assert {m.msg_id for m in received if isinstance(m, BotMessage)} == sent


async def test_dedup_holds_across_reconnects(emulator: DingTalkEmulator) -> None:
    gateway = emulator.stream
    gateway.settings.ack_timeout = 0.2
    gateway.settings.new_message_id_on_redelivery = True
    async with stream_client(emulator) as stream:
        gateway.faults.ack_loss_rate = 1.0  # the gateway never sees the first ack...
        sent = gateway.inject_message("once")
        [first] = await take(stream, 1)
        gateway.faults.ack_loss_rate = 0.0
        gateway.drop_connections()  # ...and redelivers on the next connection
        await gateway.wait_until_acknowledged(timeout=5)
        assert stream.stats.connections_opened == 2
        assert stream.stats.duplicates_suppressed == 1
        assert stream.stats.items == 1
    assert isinstance(first, BotMessage)
    assert first.msg_id == sent["msgId"]


async def test_a_ticket_admits_one_connection(emulator: DingTalkEmulator) -> None:
    body = {
        "clientId": emulator.app_key,
        "clientSecret": emulator.app_secret,
        "subscriptions": [{"type": "EVENT", "topic": "*"}],
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(
            emulator.base_url + "/v1.0/gateway/connections/open",
            json=body,
            headers={"Accept": "application/json"},
        ) as reply:
            opened = await reply.json()
        url = f"{opened['endpoint']}?ticket={opened['ticket']}"
        async with session.ws_connect(url):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(url)
    assert refused.value.status == 403
    await no_client_tasks_left()

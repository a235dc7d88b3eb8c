"""Card button presses end to end with the emulator's Stream gateway: a press from the admin
API reaches `on_card_action` as a typed `CardCallback`, and the `CardCallbackReply` it
returns goes back in the acknowledgement and changes the card; a "stop generating" button
stops an answer in progress."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
import attrs
import pytest

from dingtalk_im_async import (
    CallbackType,
    CardCallback,
    CardCallbackReply,
    CardService,
    CreateAndDeliverRequest,
    GroupSpace,
)
from dingtalk_im_async.emulator import CardStore, DingTalkEmulator, RemoteEmulator, StoredGroup
from tests.support.card_support import TEMPLATE, cards, group
from tests.support.stream_support import FAST, eventually, settle, stream_client

__all__ = ["cards", "group"]


async def stream_card(cards: CardService, group: StoredGroup, **data: str) -> str:
    request = CreateAndDeliverRequest(
        card_template_id=TEMPLATE,
        spaces=[GroupSpace(open_conversation_id=group.open_conversation_id)],
        card_data={"status": "open", **data},
        callback_type=CallbackType.STREAM,
    )
    await cards.create_and_deliver(request)
    return request.out_track_id


async def test_a_press_reaches_the_handler_and_its_reply_changes_the_card(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    track = await stream_card(cards, group)
    pressed: list[CardCallback] = []
    stream = stream_client(emulator)

    @stream.on_card_action
    async def on_press(callback: CardCallback) -> CardCallbackReply:
        pressed.append(callback)
        return CardCallbackReply(card_data={"status": "approved"}, private_data={"mine": "✓"})

    async with stream:
        await emulator.press_card(track, action_ids=["approve"], params={"n": 3}, user_id="alice")
        await emulator.stream.wait_until_acknowledged()
    [callback] = pressed
    assert (callback.out_track_id, callback.user_id, callback.action_id) == (
        track,
        "alice",
        "approve",
    )
    assert callback.params == {"n": 3}
    assert (callback.space_type, callback.space_id) == ("IM_GROUP", group.open_conversation_id)
    card = await emulator.get_card(track)
    assert card.card_data == {"status": "approved"}  # merged: the other keys stay
    assert card.private_data == {"alice": {"mine": "✓"}}
    [action] = card.actions
    assert action.response == {
        "cardData": {"cardParamMap": {"status": "approved"}},
        "userPrivateData": {"cardParamMap": {"mine": "✓"}},
        "cardUpdateOptions": {"updateCardDataByKey": True, "updatePrivateDataByKey": True},
    }
    [ack] = [ack for ack in emulator.stream.acks if ack.kind == "push"]
    assert ack.code == 200
    assert json.loads(ack.data)["response"] == action.response
    assert stream.card_actions is not None
    assert stream.card_actions.presses == 1


async def test_the_press_comes_from_a_remote_emulator_too(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    track = await stream_card(cards, group)
    stream = stream_client(emulator)
    heard = asyncio.Event()

    @stream.on_card_action
    async def on_press(callback: CardCallback) -> None:
        heard.set()

    async with stream, RemoteEmulator(emulator.base_url) as remote:
        await remote.press_card(track, action_ids=["x"])
        await asyncio.wait_for(heard.wait(), 5)
        await emulator.stream.wait_until_acknowledged()
    [ack] = [ack for ack in emulator.stream.acks if ack.kind == "push"]
    assert json.loads(ack.data) == {"response": None}  # no update: the card stays
    assert (await emulator.get_card(track)).card_data == {"status": "open"}


async def test_a_failing_or_slow_handler_is_acknowledged_without_an_update(
    cards: CardService,
    group: StoredGroup,
    emulator: DingTalkEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    track = await stream_card(cards, group)
    stream = stream_client(emulator, settings=attrs.evolve(FAST, card_action_timeout=0.2))
    finished = asyncio.Event()

    @stream.on_card_action
    async def on_press(callback: CardCallback) -> CardCallbackReply:
        if callback.action_id == "boom":
            raise RuntimeError("boom")
        await asyncio.sleep(0.5)
        finished.set()
        return CardCallbackReply(card_data={"status": "late"})

    with caplog.at_level(logging.WARNING, logger="dingtalk_im_async.stream"):
        async with stream:
            await emulator.press_card(track, action_ids=["boom"])
            await emulator.press_card(track, action_ids=["slow"])
            await emulator.stream.wait_until_acknowledged()
            await asyncio.wait_for(finished.wait(), 5)  # the slow one ran on
    acks = [json.loads(ack.data) for ack in emulator.stream.acks if ack.kind == "push"]
    assert acks == [{"response": None}, {"response": None}]
    assert (await emulator.get_card(track)).card_data == {"status": "open"}
    assert stream.card_actions is not None
    assert stream.card_actions.failures == 2
    assert "handler raised" in caplog.text
    assert "still running after 0.2s" in caplog.text


async def test_an_unreadable_press_is_acknowledged_so_it_is_not_redelivered(
    emulator: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    stream = stream_client(emulator)
    called: list[Any] = []

    @stream.on_card_action
    async def on_press(callback: CardCallback) -> None:
        called.append(callback)

    with caplog.at_level(logging.ERROR, logger="dingtalk_im_async.stream"):
        async with stream:
            emulator.stream.push_frame("CALLBACK", "/v1.0/card/instances/callback", '{"userId": 1}')
            await emulator.stream.wait_until_acknowledged()
    assert called == []
    assert "cannot be read" in caplog.text


async def test_register_the_card_handler_before_starting(emulator: DingTalkEmulator) -> None:
    stream = stream_client(emulator)

    async def on_press(callback: CardCallback) -> None:
        return None

    stream.on_card_action(on_press)
    with pytest.raises(ValueError, match="already registered"):
        stream.on_card_action(on_press)
    async with stream:
        late = stream_client(emulator)
        await late.start()
        with pytest.raises(RuntimeError, match="before the client starts"):
            late.on_card_action(on_press)
        await late.close()


async def test_a_stop_button_stops_the_answer_it_belongs_to(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    group: StoredGroup,
    cards: CardService,
) -> None:
    stream = stream_client(emulator)
    typing = asyncio.Event()

    @stream.on_message
    async def answer_it(message: Any) -> None:
        answer = cards.answer(
            GroupSpace(open_conversation_id=message.open_conversation_id),
            template_id=TEMPLATE,
            callback_type=CallbackType.STREAM,
        )
        async with answer:
            while True:  # an endless answer: only the button ends it
                await answer.write("很长的回答。")
                typing.set()
                await asyncio.sleep(0.01)

    @stream.on_card_action
    async def stop(callback: CardCallback) -> CardCallbackReply | None:
        answer = cards.answering(callback.out_track_id)
        if callback.action_id == "stop" and answer is not None and answer.stop():
            return CardCallbackReply(card_data={"stopped": "true"})
        return None

    runner = asyncio.create_task(stream.run())
    await eventually(lambda: stream.connected)
    await emulator.push_message("写一首长诗", open_conversation_id=group.open_conversation_id)
    await asyncio.wait_for(typing.wait(), 5)
    [card] = await emulator.list_cards()
    await emulator.press_card(card.out_track_id, action_ids=["stop"])
    await eventually(lambda: _state(emulator, card.out_track_id) == "FINISHED")
    await emulator.stream.wait_until_acknowledged()
    await stream.close()
    await settle(runner)
    card = await emulator.get_card(card.out_track_id)
    assert card.card_data["stopped"] == "true"
    assert card.card_data["content"].startswith("很长的回答。")
    assert stream.stats.handler_errors == 0  # the answer ended without an exception


def _state(emulator: DingTalkEmulator, track: str) -> str:
    card = emulator.stores.of(CardStore).get(track)
    return "" if card is None else card.state

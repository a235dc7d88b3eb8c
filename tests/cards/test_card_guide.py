"""The bot of docs/guides/ai-card-bot.md, run against the emulator: it answers each question
with an AI card typed by a fake token generator, stops when the card's "stop" button is
pressed, marks the card failed when the generator fails or the bot shuts down, and at start
ends the cards a crashed run left typing."""

from __future__ import annotations

import asyncio
import contextlib

# --8<-- [start:bot]
from collections.abc import AsyncIterator
from pathlib import Path

from dingtalk_im_async import (
    CallbackType,
    CardCallback,
    CardCallbackReply,
    CardService,
    DingTalkClient,
    DingTalkError,
    GroupSpace,
    StreamingUpdate,
    out_track_id_for,
)
from dingtalk_im_async.emulator import CardStore, DingTalkEmulator
from dingtalk_im_async.stream import (
    BotMessage,
    StreamClient,
)
from tests.support.stream_support import FAST, eventually

AI_CARD = "382e4302-551d-4880-bf29-a30acfab2e71.schema"  # your AI card template's id
KEY = "content"  # the template's streaming variable


async def fake_llm(question: str) -> AsyncIterator[str]:
    """Stands in for a model's token stream (no model to download)."""
    if "fail" in question:
        yield "Let me think"
        raise RuntimeError("the model went away")
    for word in f"You asked: {question}. Here is a long and thoughtful answer.".split(" "):
        yield word + " "
        await asyncio.sleep(0.02)


class Ledger:
    """The cards this process is typing, one empty file each, so that a run after a crash
    can find and end them (DingTalk has no API to list cards by state)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def opened(self, out_track_id: str) -> None:
        (self.folder / out_track_id).touch()

    def ended(self, out_track_id: str) -> None:
        (self.folder / out_track_id).unlink(missing_ok=True)

    async def end_left_typing(self, cards: CardService) -> int:
        """Mark failed every card a crashed run left typing; returns how many."""
        ended = 0
        for entry in sorted(self.folder.iterdir()):
            frame = StreamingUpdate(
                out_track_id=entry.name, key=KEY, content="（已中断 / interrupted）", is_error=True
            )
            try:
                await cards.stream(frame)  # appended to what it showed, then "failed"
            except DingTalkError as error:
                print(f"could not end {entry.name}: {error}")
                continue
            self.ended(entry.name)
            ended += 1
        return ended


class AnswerBot:
    """Answers every message with an AI card; a card's "stop" button stops its answer."""

    def __init__(self, stream: StreamClient, cards: CardService, ledger: Ledger) -> None:
        self.cards = cards
        self.ledger = ledger
        stream.on_message(self.hear)
        stream.on_card_action(self.pressed)

    async def hear(self, message: BotMessage) -> None:
        question = message.text.content.strip() if message.text else ""
        answer = self.cards.answer(
            GroupSpace(open_conversation_id=message.open_conversation_id),
            template_id=AI_CARD,
            key=KEY,
            out_track_id=out_track_id_for(message.msg_id),  # a redelivery: no second card
            callback_type=CallbackType.STREAM,  # its buttons come back over Stream
        )
        self.ledger.opened(answer.out_track_id)
        try:
            async with answer:  # created and delivered; always ended on the way out
                async for token in fake_llm(question):
                    await answer.write(token)
        finally:
            self.ledger.ended(answer.out_track_id)

    async def pressed(self, press: CardCallback) -> CardCallbackReply | None:
        answer = self.cards.answering(press.out_track_id)
        if press.action_id == "stop" and answer is not None and answer.stop():
            return CardCallbackReply(card_data={"stopped": "true"})  # shown at once
        return None  # another instance's card, or over already: nothing to change


# --8<-- [end:bot]


async def run_bot(
    emulator: DingTalkEmulator, ledger_dir: Path
) -> tuple[StreamClient, DingTalkClient, asyncio.Task[None]]:
    client = DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        card_update_interval=0.1,
    )
    stream = StreamClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        settings=FAST,
    )
    ledger = Ledger(ledger_dir)
    await ledger.end_left_typing(client.cards)
    AnswerBot(stream, client.cards, ledger)
    runner = asyncio.create_task(stream.run())
    await eventually(lambda: stream.connected)
    return stream, client, runner


def leftovers(folder: Path) -> list[Path]:
    return list(folder.iterdir())


def state(emulator: DingTalkEmulator) -> list[str]:
    return [card.state for card in emulator.stores.of(CardStore)]


async def test_a_question_is_answered_in_a_card_and_finished(
    emulator: DingTalkEmulator, tmp_path: Path
) -> None:
    group = await emulator.add_group(name="问答群", owner="boss")
    stream, client, runner = await run_bot(emulator, tmp_path)
    async with client:
        await emulator.push_message(
            "what is a card?", open_conversation_id=group.open_conversation_id
        )
        await eventually(lambda: state(emulator) == ["FINISHED"])
        await stream.close()
        await runner
    [card] = await emulator.list_cards()
    assert (
        card.card_data[KEY] == "You asked: what is a card?. Here is a long and thoughtful answer. "
    )
    assert card.frames < 12  # coalesced: 12 tokens
    assert leftovers(tmp_path) == []


async def test_the_stop_button_ends_the_card_with_what_was_typed(
    emulator: DingTalkEmulator, tmp_path: Path
) -> None:
    group = await emulator.add_group(name="问答群", owner="boss")
    stream, client, runner = await run_bot(emulator, tmp_path)
    async with client:
        await emulator.push_message("stop me", open_conversation_id=group.open_conversation_id)
        await eventually(lambda: state(emulator) == ["INPUTING"])
        [card] = await emulator.list_cards()
        await emulator.press_card(card.out_track_id, action_ids=["stop"])
        await eventually(lambda: state(emulator) == ["FINISHED"])
        await emulator.stream.wait_until_acknowledged()
        await stream.close()
        await runner
    card = await emulator.get_card(card.out_track_id)
    assert card.card_data["stopped"] == "true"
    assert card.card_data[KEY].startswith("You")
    assert not card.card_data[KEY].endswith("answer. ")
    assert stream.stats.handler_errors == 0


async def test_a_failing_model_marks_the_card_failed(
    emulator: DingTalkEmulator, tmp_path: Path
) -> None:
    group = await emulator.add_group(name="问答群", owner="boss")
    stream, client, runner = await run_bot(emulator, tmp_path)
    async with client:
        await emulator.push_message("please fail", open_conversation_id=group.open_conversation_id)
        await eventually(lambda: state(emulator) == ["FAILED"])
        await stream.close()
        await runner
    [card] = await emulator.list_cards()
    assert card.card_data[KEY] == "Let me think"
    assert stream.stats.handler_errors == 1  # logged; the bot goes on


async def test_shutting_down_mid_answer_marks_it_failed(
    emulator: DingTalkEmulator, tmp_path: Path
) -> None:
    group = await emulator.add_group(name="问答群", owner="boss")
    _, client, runner = await run_bot(emulator, tmp_path)
    async with client:
        await emulator.push_message("a long one", open_conversation_id=group.open_conversation_id)
        await eventually(lambda: state(emulator) == ["INPUTING"])
        runner.cancel()  # Ctrl-C: run() cancels its handlers
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    assert state(emulator) == ["FAILED"]
    assert leftovers(tmp_path) == []


async def test_cards_a_crashed_run_left_typing_are_ended_at_start(
    emulator: DingTalkEmulator, tmp_path: Path
) -> None:
    group = await emulator.add_group(name="问答群", owner="boss")
    async with DingTalkClient(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    ) as crashed:  # a run that dies with its card typing: no __aexit__ ever runs
        answer = crashed.cards.answer(
            GroupSpace(open_conversation_id=group.open_conversation_id), template_id=AI_CARD
        )
        Ledger(tmp_path).opened(answer.out_track_id)
        await answer.__aenter__()
        await answer.write("half an ans")
        await eventually(lambda: state(emulator) == ["INPUTING"])
    stream, client, runner = await run_bot(emulator, tmp_path)  # ends it at start
    async with client:
        await stream.close()
        await runner
    [card] = await emulator.list_cards()
    assert (card.state, card.card_data[KEY]) == ("FAILED", "half an an（已中断 / interrupted）")
    assert leftovers(tmp_path) == []

"""The code shown on docs/cards.md, run against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from dingtalk_im_async import (
    CardService,
    CreateAndDeliverRequest,
    DingTalkClient,
    GroupSpace,
    PartialDeliveryError,
    UpdateCardRequest,
    json_params,
    out_track_id_for,
)
from dingtalk_im_async.emulator import DingTalkEmulator
from tests.support.card_support import STREAM_API


# --8<-- [start:send]
async def announce_build(client: DingTalkClient, group_id: str, build: int) -> str:
    """A card per build in the team's group; sent twice (a retry, a second worker), it is
    still one card."""
    request = CreateAndDeliverRequest(
        card_template_id="8aebdfb9-28f4-4a98-98f5-396c3dde41a0.schema",
        out_track_id=out_track_id_for("build", str(build), group_id),
        card_data={
            "title": f"构建 #{build}",
            "status": "running",
            **json_params({"steps": [{"name": "test", "done": False}]}),
        },
        spaces=[GroupSpace(open_conversation_id=group_id)],
    )
    try:
        await client.cards.create_and_deliver(request)
    except PartialDeliveryError as error:  # HTTP 200, but a space said no
        for space, reason in error.failed.items():
            print(f"not shown in {space}: {reason}")
    return request.out_track_id


async def build_finished(client: DingTalkClient, out_track_id: str) -> None:
    update = UpdateCardRequest(out_track_id=out_track_id, card_data={"status": "ok"}, merge=True)
    await client.cards.update(update)  # merge: only `status` changes


# --8<-- [end:send]


# --8<-- [start:answer]
async def answer_question(cards: CardService, group_id: str, tokens: AsyncIterator[str]) -> str:
    async with cards.answer(
        GroupSpace(open_conversation_id=group_id),
        template_id="382e4302-551d-4880-bf29-a30acfab2e71.schema",  # an AI card template
        key="content",  # its streaming variable
    ) as answer:
        async for token in tokens:
            await answer.write(token)  # appends; the card shows it soon
    return answer.text  # the card is finished now (or failed, had the loop raised)


# --8<-- [end:answer]


async def test_a_build_card_is_one_card_however_often_it_is_sent(
    emulator: DingTalkEmulator,
) -> None:
    group = await emulator.add_group(name="团队", owner="boss")
    bare = await emulator.add_group(name="bare", owner="boss", robots=[])
    async with DingTalkClient(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    ) as client:
        first = await announce_build(client, group.open_conversation_id, 42)
        second = await announce_build(client, group.open_conversation_id, 42)
        await announce_build(client, bare.open_conversation_id, 42)
        await build_finished(client, first)
    assert first == second
    card = await emulator.get_card(first)
    assert card.card_data["status"] == "ok"
    assert card.card_data["title"] == "构建 #42"
    assert len(await emulator.list_cards()) == 2


async def test_an_answer_is_typed_and_finished(emulator: DingTalkEmulator) -> None:
    group = await emulator.add_group(name="问答", owner="boss")

    async def tokens() -> AsyncIterator[str]:
        for word in ["卡片", "会", "一", "字", "一", "字", "地", "出现"]:
            yield word
            await asyncio.sleep(0.01)

    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        card_update_interval=0.02,
    ) as client:
        text = await answer_question(client.cards, group.open_conversation_id, tokens())
    [card] = await emulator.list_cards()
    assert (card.state, card.card_data["content"]) == ("FINISHED", text)
    assert text == "卡片会一字一字地出现"
    assert emulator.calls(STREAM_API) == card.frames

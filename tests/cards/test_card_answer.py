"""`CardService.answer()`: an AI card typed while the answer is produced. Pieces are coalesced
(one update per card waiting for the pacer, the newest text in it), frames keep their guid
across retries, and the card is always ended: finished, or failed on an exception,
cancellation or timeout, the last update sent even while the task is cancelled again."""

from __future__ import annotations

import asyncio
import itertools

import aiohttp
import pytest

from dingtalk_im_async import (
    AnswerState,
    CardService,
    CreateAndDeliverRequest,
    DingTalkClient,
    GroupSpace,
    InvalidParameterError,
    LocalPacer,
    RequestValidationError,
    TransportError,
)
from dingtalk_im_async.cards import STREAM_FRAME_BYTES
from dingtalk_im_async.emulator import DingTalkEmulator, Fault, StoredGroup
from dingtalk_im_async.testing import set_testing
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.card_support import STREAM_API, TEMPLATE, cards, group

__all__ = ["cards", "group"]


class GatePacer:
    """A pacer that holds every streaming frame until the test opens it; counts who waits
    (other APIs pass)."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.waiting = 0
        self.most_waiting = 0
        self.calls = 0

    async def wait(self, api: str) -> None:
        if api != STREAM_API:
            return
        self.calls += 1
        self.waiting += 1
        self.most_waiting = max(self.most_waiting, self.waiting)
        try:
            await self.gate.wait()
        finally:
            self.waiting -= 1


def service(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, **settings: object
) -> CardService:
    chosen: dict[str, object] = {
        "retry": INSTANT_RETRIES,
        "rate_limit": None,
        "card_update_interval": 0,
        **settings,
    }
    return CardService(
        session,
        app_provider(emulator, session),
        robot_code=emulator.robot_code,
        base_url=emulator.base_url,
        **chosen,
    )


def space(group: StoredGroup) -> GroupSpace:
    return GroupSpace(open_conversation_id=group.open_conversation_id)


def frames_of(emulator: DingTalkEmulator, track: str) -> list[dict[str, object]]:
    return [
        entry.body
        for entry in emulator.requests
        if entry.api == STREAM_API and entry.body["outTrackId"] == track
    ]


async def test_an_answer_is_typed_into_its_card_and_finished(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    pieces = [f"第{n}段。" for n in range(200)]
    async with cards.answer(space(group), template_id=TEMPLATE, key="content") as answer:
        assert answer.state is AnswerState.OPEN
        assert cards.answering(answer.out_track_id) is answer
        for piece in pieces:
            await answer.write(piece)
            if len(answer.text) % 7 == 0:
                await asyncio.sleep(0)
    assert answer.state is AnswerState.FINISHED
    assert cards.answering(answer.out_track_id) is None
    card = await emulator.get_card(answer.out_track_id)
    assert (card.card_data["content"], card.state) == ("".join(pieces), "FINISHED")
    frames = frames_of(emulator, answer.out_track_id)
    assert answer.frames == len(frames) < len(pieces)  # coalesced
    assert frames[-1]["isFinalize"] is True
    assert all(frame["isFull"] is False for frame in frames)
    assert "finished" in repr(answer)


async def test_one_update_per_card_waits_for_the_pacer_and_carries_the_newest_text(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, group: StoredGroup
) -> None:
    pacer = GatePacer()
    cards = service(emulator, session, pacer=pacer)
    async with cards.answer(space(group), template_id=TEMPLATE) as answer:
        for piece in "abcdef":
            await answer.write(piece)
            await asyncio.sleep(0.01)
        assert (pacer.waiting, pacer.calls) == (1, 1)
        pacer.gate.set()
    assert pacer.most_waiting == 1
    contents = [frame["content"] for frame in frames_of(emulator, answer.out_track_id)]
    assert contents == ["abcde", "f"]  # the newest text when the slot came; the last held
    assert (await emulator.get_card(answer.out_track_id)).card_data["content"] == "abcdef"


async def test_frames_of_one_card_keep_the_interval(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, group: StoredGroup
) -> None:
    cards = service(emulator, session, card_update_interval=0.2)
    loop = asyncio.get_running_loop()
    async with cards.answer(space(group), template_id=TEMPLATE) as answer:
        started = loop.time()
        for _ in range(50):
            await answer.write("x")
            await asyncio.sleep(0.02)
    elapsed = loop.time() - started
    times = [
        entry.received_at
        for entry in emulator.requests
        if entry.api == STREAM_API and entry.body["outTrackId"] == answer.out_track_id
    ]
    assert 3 <= len(times) <= elapsed / 0.2 + 2  # a frame per 0.2 s at most
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.19


async def test_many_answers_share_the_apps_rate_limit(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, group: StoredGroup
) -> None:
    emulator.configure(qps_limits={STREAM_API: 20})
    cards = service(emulator, session, rate_limit=20)

    async def one(number: int) -> None:
        async with cards.answer(space(group), template_id=TEMPLATE) as answer:
            for _ in range(20):
                await answer.write(f"{number} ")
                await asyncio.sleep(0.05)

    await asyncio.gather(*(one(number) for number in range(10)))
    assert emulator.traffic_for(STREAM_API).rate_limited == 0
    assert max(emulator.windows(STREAM_API).values()) <= 20
    assert {card.state for card in await emulator.list_cards()} == {"FINISHED"}


async def test_an_exception_marks_the_card_failed_and_goes_on(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    answer = cards.answer(space(group), template_id=TEMPLATE)

    async def produce() -> None:
        async with answer:
            await answer.write("部分答案")
            await asyncio.sleep(0.05)
            _ = 1 / 0

    with pytest.raises(ZeroDivisionError):
        await produce()
    assert answer.state is AnswerState.FAILED
    card = await emulator.get_card(answer.out_track_id)
    assert (card.state, card.card_data["content"]) == ("FAILED", "部分答案")
    assert frames_of(emulator, answer.out_track_id)[-1]["isError"] is True


async def test_cancellation_marks_it_failed_even_when_cancelled_again_while_ending(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, group: StoredGroup
) -> None:
    pacer = GatePacer()
    pacer.gate.set()
    cards = service(emulator, session, pacer=pacer)
    typing = asyncio.Event()
    track: list[str] = []

    async def produce() -> None:
        async with cards.answer(space(group), template_id=TEMPLATE) as answer:
            track.append(answer.out_track_id)
            await answer.write("很长的回答")
            typing.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(produce())
    await typing.wait()
    await asyncio.sleep(0.05)
    pacer.gate.clear()  # the last update will wait for its slot
    task.cancel()
    await asyncio.sleep(0.05)
    task.cancel()  # and again, while the card is being ended
    await asyncio.sleep(0.05)
    assert not task.done()  # still ending the card (within card_finish_timeout)
    pacer.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    card = await emulator.get_card(track[0])
    assert (card.state, card.card_data["content"]) == ("FAILED", "很长的回答")


async def test_a_timeout_marks_it_failed(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    track: list[str] = []

    async def produce() -> None:
        async with cards.answer(space(group), template_id=TEMPLATE) as answer:
            track.append(answer.out_track_id)
            while True:
                await answer.write("…")
                await asyncio.sleep(0.01)

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(produce(), 0.3)
    assert (await emulator.get_card(track[0])).state == "FAILED"


async def test_the_last_update_is_bounded_in_time(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, group: StoredGroup
) -> None:
    pacer = GatePacer()  # never opens: no frame ever gets a slot
    cards = service(emulator, session, pacer=pacer, card_finish_timeout=0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    answer = cards.answer(space(group), template_id=TEMPLATE)

    async def produce() -> None:
        async with answer:
            await answer.write("x")

    with pytest.raises(TransportError, match=r"did not complete within 0\.2s") as late:
        await produce()
    assert loop.time() - started < 2
    assert late.value.verdict.value == "unknown"
    assert answer.state is AnswerState.FAILED


async def test_stop_ends_it_finished_and_the_block_goes_on(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    typing = asyncio.Event()
    after: list[str] = []

    async def produce() -> str:
        async with cards.answer(space(group), template_id=TEMPLATE) as answer:
            while True:
                await answer.write("字")
                typing.set()
                await asyncio.sleep(0.01)
        after.append("went on")
        return answer.out_track_id

    task = asyncio.create_task(produce())
    await typing.wait()
    await asyncio.sleep(0.05)
    [track] = [card.out_track_id for card in await emulator.list_cards()]
    answer = cards.answering(track)
    assert answer is not None
    assert answer.stop()
    assert await task == track
    assert after == ["went on"]
    assert answer.stopped
    assert not answer.stop()  # over
    card = await emulator.get_card(track)
    assert card.state == "FINISHED"
    assert card.card_data["content"] == answer.text
    assert answer.text.startswith("字")


async def test_full_text_stops_updating_past_a_frame_and_ends_with_the_whole_text(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    async with cards.answer(space(group), template_id=TEMPLATE, full=True) as answer:
        for _ in range(80):
            await answer.write("## 标题\n内容")  # 16 bytes each: 1,280 in all
            await asyncio.sleep(0.005)
    frames = frames_of(emulator, answer.out_track_id)
    assert all(frame["isFull"] is True for frame in frames)
    middle = [len(str(frame["content"]).encode()) for frame in frames[:-1]]
    assert max(middle) <= STREAM_FRAME_BYTES
    assert frames[-1]["content"] == answer.text
    assert len(answer.text.encode()) > STREAM_FRAME_BYTES
    card = await emulator.get_card(answer.out_track_id)
    assert (card.state, card.card_data["content"]) == ("FINISHED", answer.text)


async def test_a_final_full_update_refused_as_too_large_fails_the_card_with_what_fitted(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    emulator.configure(card_stream_content_limit=2000)
    answer = cards.answer(space(group), template_id=TEMPLATE, full=True)

    async def produce() -> None:
        async with answer:
            await answer.write("a" * 900)
            await asyncio.sleep(0.05)
            await answer.write("b" * 2000)

    with pytest.raises(InvalidParameterError, match=r"param\.stream\.content"):
        await produce()
    card = await emulator.get_card(answer.out_track_id)
    assert (card.state, card.card_data["content"]) == ("FAILED", "a" * 900)
    assert answer.state is AnswerState.FAILED


async def test_a_long_piece_goes_in_frames_of_at_most_one_kilobyte(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    emulator.configure(card_stream_content_limit=STREAM_FRAME_BYTES)
    text = "长" * 1500  # 4,500 bytes in one write
    async with cards.answer(space(group), template_id=TEMPLATE) as answer:
        await answer.write(text)
    sizes = [
        len(str(frame["content"]).encode()) for frame in frames_of(emulator, answer.out_track_id)
    ]
    assert max(sizes) <= STREAM_FRAME_BYTES
    assert len(sizes) >= 5
    card = await emulator.get_card(answer.out_track_id)
    assert (card.state, card.card_data["content"]) == ("FINISHED", text)


async def test_an_empty_answer_ends_with_the_placeholder(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    async with cards.answer(space(group), template_id=TEMPLATE, placeholder="（无）") as answer:
        pass
    card = await emulator.get_card(answer.out_track_id)
    assert (card.state, card.card_data["content"]) == ("FINISHED", "（无）")


async def test_a_frame_whose_reply_was_lost_is_resent_with_its_guid(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    emulator.schedule(Fault.DROPPED_MID_RESPONSE, api=STREAM_API)  # applied, reply cut off
    async with cards.answer(space(group), template_id=TEMPLATE) as answer:
        await answer.write("一二三")
        await asyncio.sleep(0.05)
        await answer.write("四")
    frames = frames_of(emulator, answer.out_track_id)
    assert frames[0]["guid"] == frames[1]["guid"]
    assert frames[0]["content"] == frames[1]["content"]
    assert (await emulator.get_card(answer.out_track_id)).card_data["content"] == "一二三四"


async def test_a_qps_refusal_waits_and_sends_the_same_frame_again(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, group: StoredGroup
) -> None:
    set_testing(True)  # the 1 s pause DingTalk advises, made instant
    try:
        cards = service(emulator, session)
        emulator.fail_next(
            status=403, code="Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", api=STREAM_API
        )
        async with cards.answer(space(group), template_id=TEMPLATE) as answer:
            await answer.write("ab")
    finally:
        set_testing(False)
    frames = frames_of(emulator, answer.out_track_id)
    assert frames[0]["guid"] == frames[1]["guid"]
    assert (await emulator.get_card(answer.out_track_id)).state == "FINISHED"


async def test_updates_refused_for_good_stop_the_writer_and_fail_the_card(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    emulator.configure(card_stream_content_limit=4)
    answer = cards.answer(space(group), template_id=TEMPLATE)

    async def produce() -> None:
        async with answer:
            await answer.write("0123456789")
            await answer.write("x")
            for _ in range(100):
                await asyncio.sleep(0.01)
                await answer.write("y")

    with pytest.raises(InvalidParameterError):
        await produce()
    assert answer.state is AnswerState.FAILED


async def test_misuse_is_refused(cards: CardService, group: StoredGroup) -> None:
    with pytest.raises(RequestValidationError, match="template_id"):
        cards.answer(space(group))
    with pytest.raises(RequestValidationError, match="content"):
        cards.answer(space(group), template_id=TEMPLATE, placeholder="")
    answer = cards.answer(space(group), template_id=TEMPLATE)
    with pytest.raises(RuntimeError, match="only inside"):
        await answer.write("x")
    async with answer:
        with pytest.raises(TypeError, match="takes text"):
            await answer.write(b"x")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="entered once"):
        async with answer:
            pass


async def test_an_answer_from_a_whole_request_and_the_clients_interval(
    emulator: DingTalkEmulator, group: StoredGroup
) -> None:
    request = CreateAndDeliverRequest(
        card_template_id=TEMPLATE, spaces=[space(group)], card_data={"content": "", "q": "?"}
    )
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        card_update_interval=0.05,
        pacer=LocalPacer(50),
    ) as client:
        async with client.cards.answer(request) as answer:
            await answer.write("答")
        assert answer.out_track_id == request.out_track_id
        assert answer.opened is not None
        assert answer.opened.deliveries[0].success
    card = await emulator.get_card(request.out_track_id)
    assert card.card_data == {"content": "答", "q": "?"}

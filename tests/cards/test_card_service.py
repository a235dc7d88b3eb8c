"""CardService against the emulator over real HTTP: create, deliver, create-and-deliver,
update and streaming, with their verdicts; per-space failures inside HTTP 200 never dropped;
replays that meet `param.cardAlreadyExist` resolved, or reported "created; delivery unknown"."""

from __future__ import annotations

import pytest

from dingtalk_im_async import (
    ApiError,
    CallQuotaExceededError,
    CardAlreadyExistsError,
    CardNotFoundError,
    CardService,
    ClientSettings,
    CreateCardRequest,
    DeliverCardRequest,
    DingTalkClient,
    DingTalkError,
    GroupSpace,
    InvalidParameterError,
    PartialDeliveryError,
    RateLimitError,
    RequestValidationError,
    RobotChatSpace,
    SpaceType,
    StreamingUpdate,
    UpdateCardRequest,
    Verdict,
)
from dingtalk_im_async.emulator import DingTalkEmulator, ErrorReply, Fault, StoredGroup
from tests.support.card_support import (
    CREATE_API,
    DELIVER_API,
    SEND_API,
    STREAM_API,
    TEMPLATE,
    card_to,
    cards,
    group,
    stored_card,
)

__all__ = ["cards", "group"]


async def test_create_and_deliver_shows_the_card_in_the_group(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    request = card_to(group, card_data={"title": "构建 #42", "status": "running"})
    result = await cards.create_and_deliver(request)
    assert (result.success, result.out_track_id, result.replayed) == (
        True,
        request.out_track_id,
        False,
    )
    [delivery] = result.deliveries
    assert (delivery.space_type, delivery.space_id, delivery.success) == (
        SpaceType.IM_GROUP,
        group.open_conversation_id,
        True,
    )
    card = await stored_card(emulator, request.out_track_id)
    assert (card.card_template_id, card.card_data, card.state) == (
        TEMPLATE,
        {"title": "构建 #42", "status": "running"},
        "PROCESSING",
    )
    assert [(d.space_id, d.carrier_id) for d in card.deliveries] == [
        (group.open_conversation_id, delivery.carrier_id)
    ]
    [logged] = [entry for entry in emulator.requests if entry.api == SEND_API]
    assert logged.body["imGroupOpenDeliverModel"] == {"robotCode": emulator.robot_code}


async def test_a_replayed_create_and_deliver_makes_no_second_card_and_delivers_again(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    request = card_to(group)
    emulator.schedule(Fault.DROPPED_MID_RESPONSE, api=SEND_API)  # carried out, reply cut off
    with pytest.raises(DingTalkError) as lost:
        await cards.create_and_deliver(request)
    assert lost.value.verdict is Verdict.UNKNOWN
    again = await cards.create_and_deliver(request)  # the same request: the same outTrackId
    assert again.replayed
    assert [d.success for d in again.deliveries] == [True]
    [card] = await emulator.list_cards()
    assert len(card.deliveries) == 1  # delivered again: the same card, the same carrier
    assert again.deliveries[0].carrier_id == card.deliveries[0].carrier_id
    assert emulator.calls(DELIVER_API) == 1


async def test_a_replay_whose_delivery_fails_too_is_created_delivery_unknown(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    request = card_to(group)
    await cards.create_and_deliver(request)
    emulator.schedule(Fault.CONNECTION_CLOSED, api=DELIVER_API)
    with pytest.raises(CardAlreadyExistsError, match="Created; delivery unknown") as raised:
        await cards.create_and_deliver(request)
    assert raised.value.verdict is Verdict.UNKNOWN
    assert raised.value.__cause__ is not None
    assert raised.value.__cause__.verdict is Verdict.UNKNOWN  # type: ignore[attr-defined]


async def test_create_alone_twice_is_created_delivery_unknown(
    cards: CardService, emulator: DingTalkEmulator
) -> None:
    request = CreateCardRequest(card_template_id=TEMPLATE, card_data={"a": "b"})
    created = await cards.create(request)
    assert (created.success, created.out_track_id) == (True, request.out_track_id)
    with pytest.raises(CardAlreadyExistsError) as twice:
        await cards.create(request)
    assert (twice.value.status, twice.value.code) == (400, "param.cardAlreadyExist")
    assert twice.value.verdict is Verdict.UNKNOWN
    assert emulator.calls(CREATE_API) == 2
    assert len(await emulator.list_cards()) == 1


async def test_deliver_is_safe_to_repeat_and_each_space_answers_for_itself(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    created = CreateCardRequest(card_template_id=TEMPLATE)
    await cards.create(created)
    deliver = DeliverCardRequest(
        out_track_id=created.out_track_id,
        spaces=[
            GroupSpace(open_conversation_id=group.open_conversation_id),
            RobotChatSpace(user_id="alice"),
        ],
    )
    first = await cards.deliver(deliver)
    second = await cards.deliver(deliver)
    assert first.out_track_id == created.out_track_id
    assert [d.carrier_id for d in first.deliveries] == [d.carrier_id for d in second.deliveries]
    assert len((await stored_card(emulator, created.out_track_id)).deliveries) == 2


async def test_a_space_that_failed_inside_http_200_raises_naming_each_space(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    without_robot = await emulator.add_group(name="无机器人", owner="boss", robots=[])
    request = card_to(group, without_robot)
    request = type(request)(
        card_template_id=TEMPLATE,
        out_track_id=request.out_track_id,
        spaces=[*request.spaces, GroupSpace(open_conversation_id="cidUnknown")],
    )
    with pytest.raises(PartialDeliveryError) as partial:
        await cards.create_and_deliver(request)
    error = partial.value
    assert error.verdict is Verdict.UNKNOWN
    assert error.out_track_id == request.out_track_id
    assert error.failed == {
        f"IM_GROUP.{without_robot.open_conversation_id}": "机器人不在群内",
        "IM_GROUP.cidUnknown": "群会话不存在",
    }
    assert list(error.delivered) == [f"IM_GROUP.{group.open_conversation_id}"]
    assert [d.success for d in error.result.deliveries] == [True, False, False]  # type: ignore[attr-defined]
    assert "2 of 3 spaces" in str(error)
    await emulator.install_robot(without_robot.open_conversation_id, emulator.robot_code)
    with pytest.raises(PartialDeliveryError) as still:  # the replay delivers again
        await cards.create_and_deliver(request)
    assert list(still.value.failed) == ["IM_GROUP.cidUnknown"]


async def test_a_robot_removed_through_the_admin_api_fails_that_group(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    await emulator.remove_robot(group.open_conversation_id, emulator.robot_code)
    with pytest.raises(PartialDeliveryError, match="机器人不在群内"):
        await cards.create_and_deliver(card_to(group))


async def test_update_replaces_the_data_unless_merging(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    request = card_to(group, card_data={"title": "t", "status": "running"})
    await cards.create_and_deliver(request)
    track = request.out_track_id
    merged = await cards.update(
        UpdateCardRequest(out_track_id=track, card_data={"status": "ok"}, merge=True)
    )
    assert (merged.success, merged.result) == (True, True)
    assert (await stored_card(emulator, track)).card_data == {"title": "t", "status": "ok"}
    await cards.update(UpdateCardRequest(out_track_id=track, card_data={"status": "done"}))
    card = await stored_card(emulator, track)
    assert (card.card_data, card.updates) == ({"status": "done"}, 2)
    with pytest.raises(CardNotFoundError) as missing:
        await cards.update(UpdateCardRequest(out_track_id="nope", card_data={"a": "b"}))
    assert (missing.value.code, missing.value.verdict) == ("param.cardNotExist", Verdict.REJECTED)


async def test_streaming_frames_type_the_card_and_move_its_state(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    request = card_to(group, card_data={"content": ""})
    await cards.create_and_deliver(request)
    track = request.out_track_id

    async def frame(**fields: object) -> None:
        await cards.stream(StreamingUpdate(out_track_id=track, key="content", **fields))  # type: ignore[arg-type]

    await frame(content="你好")
    assert (await stored_card(emulator, track)).state == "INPUTING"
    await frame(content="，世界")
    assert (await stored_card(emulator, track)).card_data["content"] == "你好，世界"
    await frame(content="重写", is_full=True)
    await frame(content="。", is_finalize=True)
    card = await stored_card(emulator, track)
    assert (card.card_data["content"], card.state, card.frames) == ("重写。", "FINISHED", 4)


async def test_a_frame_sent_twice_with_its_guid_is_applied_once(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    request = card_to(group, card_data={"content": ""})
    await cards.create_and_deliver(request)
    frame = StreamingUpdate(out_track_id=request.out_track_id, key="content", content="abc")
    await cards.stream(frame)
    await cards.stream(frame)
    card = await stored_card(emulator, request.out_track_id)
    assert (card.card_data["content"], card.frames) == ("abc", 1)
    failed = StreamingUpdate(
        out_track_id=request.out_track_id, key="content", content="!", is_error=True
    )
    await cards.stream(failed)
    assert (await stored_card(emulator, request.out_track_id)).state == "FAILED"


async def test_streaming_refusals_have_their_documented_codes(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    with pytest.raises(CardNotFoundError) as unknown:
        await cards.stream(StreamingUpdate(out_track_id="nope", key="content", content="x"))
    assert (unknown.value.code, unknown.value.verdict) == (
        "param.stream.outTrackId",
        Verdict.REJECTED,
    )
    request = card_to(group)
    await cards.create_and_deliver(request)
    emulator.configure(card_stream_content_limit=10)
    with pytest.raises(InvalidParameterError) as large:
        await cards.stream(
            StreamingUpdate(out_track_id=request.out_track_id, key="c", content="x" * 11)
        )
    assert (large.value.code, large.value.message) == (
        "param.stream.content",
        "content is too large",
    )
    assert large.value.verdict is Verdict.REJECTED


async def test_the_qps_limit_per_card_api_is_a_rate_limit_refusal(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    request = card_to(group)
    await cards.create_and_deliver(request)
    emulator.configure(qps_limits={STREAM_API: 2})
    frames = [
        StreamingUpdate(out_track_id=request.out_track_id, key="c", content="x") for _ in range(3)
    ]
    await cards.stream(frames[0])
    await cards.stream(frames[1])
    with pytest.raises(RateLimitError) as limited:
        await cards.stream(frames[2])
    assert (limited.value.status, limited.value.code) == (
        403,
        "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
    )
    assert limited.value.verdict is Verdict.REJECTED


async def test_every_card_call_counts_against_the_monthly_quota(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    emulator.configure(monthly_call_quota=3)
    request = card_to(group)
    await cards.create_and_deliver(request)
    await cards.update(UpdateCardRequest(out_track_id=request.out_track_id, card_data={"a": "b"}))
    await cards.stream(StreamingUpdate(out_track_id=request.out_track_id, key="c", content="x"))
    with pytest.raises(CallQuotaExceededError):
        await cards.stream(StreamingUpdate(out_track_id=request.out_track_id, key="c", content="y"))
    counters = await emulator.get_counters()
    assert counters.quota_used == 3
    assert counters.api(STREAM_API).quota_used == 1


async def test_an_app_without_the_card_permissions_gets_dingtalks_500_unknown_error(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    request = card_to(group)
    await cards.create_and_deliver(request)
    emulator.configure(denied_scopes=["Card.Streaming.Write"])
    with pytest.raises(ApiError) as denied:
        await cards.stream(StreamingUpdate(out_track_id=request.out_track_id, key="c", content="x"))
    assert (denied.value.status, denied.value.code) == (500, "unknownError")
    assert denied.value.verdict is Verdict.UNKNOWN


async def test_a_server_error_is_retried_with_the_same_frame(
    cards: CardService, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    request = card_to(group, card_data={"content": ""})
    await cards.create_and_deliver(request)
    emulator.schedule_reply(
        ErrorReply(status=500, code="system.error", message="x"), api=STREAM_API
    )
    await cards.stream(
        StreamingUpdate(out_track_id=request.out_track_id, key="content", content="a")
    )
    guids = [entry.body["guid"] for entry in emulator.requests if entry.api == STREAM_API]
    assert len(guids) == 2
    assert guids[0] == guids[1]


async def test_the_client_has_cards_on_its_robot(emulator: DingTalkEmulator) -> None:
    group = await emulator.add_group(name="g", owner="boss")
    settings = ClientSettings(base_url=emulator.base_url, robot_code=None)
    async with DingTalkClient(
        app_key=emulator.app_key, app_secret=emulator.app_secret, settings=settings
    ) as client:
        assert client.cards.robot_code == emulator.app_key
        result = await client.cards.create_and_deliver(card_to(group))
        assert result.deliveries[0].success
        assert "CardService" in repr(client.cards)
    with pytest.raises(ValueError, match="robot_code"):
        CardService(client._session, client.tokens, robot_code="")  # type: ignore[arg-type]


async def test_a_bulk_run_gives_each_card_without_an_id_one_from_its_run(
    emulator: DingTalkEmulator,
) -> None:
    """`out_track_id=None` leaves the id to the run: the same run id and position give the
    same id, so a run resumed with its id (after a crash) delivers instead of duplicating."""
    groups = [await emulator.add_group(name=f"g{n}", owner="boss") for n in range(3)]
    requests = [card_to(group, out_track_id=None) for group in groups]
    async with DingTalkClient(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    ) as client:
        with pytest.raises(RequestValidationError, match="bulk run"):
            await client.cards.create_and_deliver(requests[0])
        with pytest.raises(RequestValidationError, match="bulk run"):
            await client.cards.create(CreateCardRequest(card_template_id="t", out_track_id=None))
        for _ in range(2):  # the run, then the same run again ("resumed")
            async with client.many(
                client.cards.create_and_deliver, requests, run_id="night-run"
            ) as run:
                outcomes = [outcome async for outcome in run]
            assert all(outcome.ok for outcome in outcomes)
    cards = await emulator.list_cards()
    assert sorted(card.out_track_id for card in cards) == [
        "dt-night-run-0",
        "dt-night-run-1",
        "dt-night-run-2",
    ]
    assert all(len(card.deliveries) == 1 for card in cards)
    assert emulator.calls(DELIVER_API) == 3  # the second run met the cards and delivered

"""The official SDK's `card_1_0` client (`alibabacloud-dingtalk`), run unchanged against the
emulator over HTTP: create-and-deliver, update and the AI card's streaming update see what the
emulator's contract says (reply models, per-space results, states, error codes)."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_dingtalk.card_1_0 import models as card_models
from alibabacloud_dingtalk.card_1_0.client import Client as CardClient
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_util import models as util_models
from Tea.exceptions import TeaException

from dingtalk_im_async.emulator import DingTalkEmulator, StoredGroup
from tests.support.card_support import TEMPLATE, group

__all__ = ["group"]


def sdk(emulator: DingTalkEmulator) -> CardClient:
    """The SDK pointed at the emulator: its endpoint is the host:port, over plain http."""
    host = emulator.base_url.split("://", 1)[1]
    return CardClient(openapi_models.Config(endpoint=host, protocol="http"))


def headers(cls: Any, emulator: DingTalkEmulator) -> Any:
    return cls(x_acs_dingtalk_access_token=emulator.issue_token())


async def create_and_deliver(emulator: DingTalkEmulator, cid: str, track: str) -> Any:
    request = card_models.CreateAndDeliverRequest(
        card_template_id=TEMPLATE,
        out_track_id=track,
        card_data=card_models.CreateAndDeliverRequestCardData(card_param_map={"content": ""}),
        callback_type="STREAM",
        im_group_open_space_model=card_models.CreateAndDeliverRequestImGroupOpenSpaceModel(
            support_forward=True
        ),
        open_space_id=f"dtv1.card//IM_GROUP.{cid}",
        im_group_open_deliver_model=card_models.CreateAndDeliverRequestImGroupOpenDeliverModel(
            robot_code=emulator.robot_code
        ),
    )
    return await sdk(emulator).create_and_deliver_with_options_async(
        request,
        headers(card_models.CreateAndDeliverHeaders, emulator),
        util_models.RuntimeOptions(),
    )


async def streaming(
    emulator: DingTalkEmulator, track: str, guid: str, content: str, **flags: bool
) -> Any:
    request = card_models.StreamingUpdateRequest(
        out_track_id=track, guid=guid, key="content", content=content, is_full=False, **flags
    )
    return await sdk(emulator).streaming_update_with_options_async(
        request, headers(card_models.StreamingUpdateHeaders, emulator), util_models.RuntimeOptions()
    )


async def test_create_and_deliver_returns_the_reply_model_with_each_space(
    emulator: DingTalkEmulator, group: StoredGroup
) -> None:
    response = await create_and_deliver(emulator, group.open_conversation_id, "sdk-track-1")
    assert response.status_code == 200
    body = response.body
    assert body.success is True
    assert body.result.out_track_id == "sdk-track-1"
    [space] = body.result.deliver_results
    assert (space.space_type, space.space_id, space.success) == (
        "IM_GROUP",
        group.open_conversation_id,
        True,
    )
    card = await emulator.get_card("sdk-track-1")
    assert space.carrier_id == card.deliveries[0].carrier_id
    assert (card.state, card.callback_type) == ("PROCESSING", "STREAM")


async def test_a_group_without_the_robot_is_a_failed_space_inside_http_200(
    emulator: DingTalkEmulator,
) -> None:
    bare = await emulator.add_group(name="bare", owner="boss", robots=[])
    response = await create_and_deliver(emulator, bare.open_conversation_id, "sdk-track-2")
    assert response.status_code == 200
    [space] = response.body.result.deliver_results
    assert (space.success, space.error_msg) == (False, "机器人不在群内")


async def test_update_card_replaces_or_merges(
    emulator: DingTalkEmulator, group: StoredGroup
) -> None:
    await create_and_deliver(emulator, group.open_conversation_id, "sdk-track-3")
    client = sdk(emulator)

    async def update(params: dict[str, str], by_key: bool) -> Any:
        request = card_models.UpdateCardRequest(
            out_track_id="sdk-track-3",
            card_data=card_models.UpdateCardRequestCardData(card_param_map=params),
            card_update_options=card_models.UpdateCardRequestCardUpdateOptions(
                update_card_data_by_key=by_key
            ),
        )
        return await client.update_card_with_options_async(
            request, headers(card_models.UpdateCardHeaders, emulator), util_models.RuntimeOptions()
        )

    merged = await update({"status": "running"}, by_key=True)
    assert (merged.status_code, merged.body.success, merged.body.result) == (200, True, True)
    assert (await emulator.get_card("sdk-track-3")).card_data == {
        "content": "",
        "status": "running",
    }
    await update({"status": "done"}, by_key=False)
    assert (await emulator.get_card("sdk-track-3")).card_data == {"status": "done"}


async def test_streaming_update_types_the_card_and_finishes_it(
    emulator: DingTalkEmulator, group: StoredGroup
) -> None:
    await create_and_deliver(emulator, group.open_conversation_id, "sdk-track-4")
    first = await streaming(emulator, "sdk-track-4", "g1", "你好")
    assert (first.status_code, first.body.success, first.body.result) == (200, True, True)
    assert (await emulator.get_card("sdk-track-4")).state == "INPUTING"
    await streaming(emulator, "sdk-track-4", "g1", "你好")  # a retry with the same guid
    await streaming(emulator, "sdk-track-4", "g2", "，世界", is_finalize=True)
    card = await emulator.get_card("sdk-track-4")
    assert (card.card_data["content"], card.state) == ("你好，世界", "FINISHED")


async def test_the_sdk_sees_dingtalks_error_codes(
    emulator: DingTalkEmulator, group: StoredGroup
) -> None:
    with pytest.raises(TeaException) as unknown:
        await streaming(emulator, "no-such-card", "g", "x")
    assert (unknown.value.code, unknown.value.data["statusCode"]) == (
        "param.stream.outTrackId",
        400,
    )
    await create_and_deliver(emulator, group.open_conversation_id, "sdk-track-5")
    with pytest.raises(TeaException) as twice:
        await create_and_deliver(emulator, group.open_conversation_id, "sdk-track-5")
    assert twice.value.code == "param.cardAlreadyExist"

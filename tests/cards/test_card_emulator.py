"""The emulator's card endpoints as outside checks call them, over raw HTTP: the five routes,
DingTalk's reply shapes and error codes, the card store behind `GET /_emulator/cards`, and
button presses from the admin API."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from dingtalk_im_async.emulator import DingTalkEmulator, StoredGroup
from tests.support.card_support import TEMPLATE, group

__all__ = ["group"]

TOKEN_HEADER = "x-acs-dingtalk-access-token"


class Api:
    """DingTalk's card API on the emulator, by method and path, with a valid token."""

    def __init__(self, emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> None:
        self.emulator = emulator
        self.session = session

    async def __call__(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        headers = {TOKEN_HEADER: self.emulator.issue_token()}
        url = self.emulator.base_url + path
        async with self.session.request(method, url, json=body, headers=headers) as reply:
            return reply.status, await reply.json(content_type=None)

    async def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = self.emulator.base_url + "/_emulator" + path
        async with self.session.request(method, url, json=body) as reply:
            return reply.status, await reply.json(content_type=None)


@pytest.fixture
def api(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> Api:
    return Api(emulator, session)


def send_body(group: StoredGroup, **fields: Any) -> dict[str, Any]:
    return {
        "cardTemplateId": "any-template.schema",
        "outTrackId": "track-1",
        "cardData": {"cardParamMap": {"title": "x"}},
        "openSpaceId": f"dtv1.card//IM_GROUP.{group.open_conversation_id}",
        "imGroupOpenDeliverModel": {"robotCode": "dingemulatorappkey"},
        **fields,
    }


async def test_the_five_routes_and_their_reply_shapes(api: Api, group: StoredGroup) -> None:
    cid = group.open_conversation_id
    status, reply = await api("POST", "/v1.0/card/instances/createAndDeliver", send_body(group))
    assert status == 200
    assert reply["success"] is True
    assert reply["result"]["outTrackId"] == "track-1"
    [space] = reply["result"]["deliverResults"]
    assert set(space) == {"spaceType", "spaceId", "success", "carrierId", "errorMsg"}
    assert (space["spaceType"], space["spaceId"], space["success"]) == ("IM_GROUP", cid, True)

    status, created = await api(
        "POST",
        "/v1.0/card/instances",
        {"cardTemplateId": TEMPLATE, "outTrackId": "track-2", "cardData": {"cardParamMap": {}}},
    )
    assert (status, created) == (200, {"success": True, "result": "track-2"})
    deliver = {
        "outTrackId": "track-2",
        "openSpaceId": f"dtv1.card//IM_GROUP.{cid}",
        "imGroupOpenDeliverModel": {"robotCode": "dingemulatorappkey"},
    }
    status, delivered = await api("POST", "/v1.0/card/instances/deliver", deliver)
    assert status == 200
    assert delivered["success"] is True
    [again] = (await api("POST", "/v1.0/card/instances/deliver", deliver))[1]["result"]
    assert again == delivered["result"][0]  # delivering twice: the same carrierId

    update = {"outTrackId": "track-2", "cardData": {"cardParamMap": {"a": "1"}}}
    assert await api("PUT", "/v1.0/card/instances", update) == (
        200,
        {"success": True, "result": True},
    )
    frame = {
        "outTrackId": "track-2",
        "guid": "g1",
        "key": "content",
        "content": "hi",
        "isFull": False,
    }
    assert await api("PUT", "/v1.0/card/streaming", frame) == (
        200,
        {"success": True, "result": True},
    )


async def test_a_group_without_the_robot_or_unknown_fails_inside_http_200(
    api: Api, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    bare = await emulator.add_group(name="bare", owner="boss", robots=[])
    body = send_body(
        group,
        openSpaceId=(
            f"dtv1.card//IM_GROUP.{bare.open_conversation_id};IM_GROUP.cidUnknown;"
            f"IM_GROUP.{group.open_conversation_id}"
        ),
    )
    status, reply = await api("POST", "/v1.0/card/instances/createAndDeliver", body)
    assert status == 200
    results = reply["result"]["deliverResults"]
    assert [(item["success"], item.get("errorMsg")) for item in results] == [
        (False, "机器人不在群内"),
        (False, "群会话不存在"),
        (True, None),
    ]
    wrong_robot = send_body(group, outTrackId="t2", imGroupOpenDeliverModel={"robotCode": "other"})
    status, reply = await api("POST", "/v1.0/card/instances/createAndDeliver", wrong_robot)
    assert status == 200
    assert reply["result"]["deliverResults"][0]["success"] is False


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"cardData": {"cardParamMap": {"k" * 101: "v"}}}, "param.invalid"),
        ({"cardData": {"cardParamMap": {"键" * 34: "v"}}}, "param.invalid"),  # 102 bytes
        ({"cardData": {"cardParamMap": {"k": "v" * 1025}}}, "param.invalid"),
        ({"cardData": {"cardParamMap": {"k": "值" * 342}}}, "param.invalid"),  # 1,026 bytes
        ({"cardData": {"cardParamMap": {"k": 1}}}, "param.invalid"),
        ({"outTrackId": "x" * 65}, "outTrackId.outOfLimit"),
        ({"outTrackId": ""}, "param.outTrackIdEmpty"),
        ({"cardTemplateId": None}, "param.cardTemplateIdEmpty"),
        ({"cardData": None}, "param.cardPublicDataEmpty"),
        ({"openSpaceId": None}, "param.openSpaceIdEmpty"),
        ({"openSpaceId": "IM_GROUP.cid"}, "param.openSpaceIdInvalid"),
        ({"openSpaceId": "dtv1.card//CO_FEED.x"}, "param.openSpaceIdInvalid"),
        ({"imGroupOpenDeliverModel": None}, "param.openDeliverModelEmpty"),
        ({"imGroupOpenDeliverModel": {}}, "param.openDeliverModelError"),
        ({"callbackType": "MQ"}, "param.invalid"),
    ],
)
async def test_a_bad_create_and_deliver_is_400_with_a_param_code(
    api: Api, group: StoredGroup, emulator: DingTalkEmulator, change: dict[str, Any], code: str
) -> None:
    body = {
        key: value for key, value in {**send_body(group), **change}.items() if value is not None
    }
    status, reply = await api("POST", "/v1.0/card/instances/createAndDeliver", body)
    assert (status, reply["code"]) == (400, code)
    assert await emulator.list_cards() == []


async def test_the_limits_are_inclusive(api: Api, group: StoredGroup) -> None:
    body = send_body(group, outTrackId="x" * 64, cardData={"cardParamMap": {"键" * 33: "值" * 341}})
    status, _ = await api("POST", "/v1.0/card/instances/createAndDeliver", body)
    assert status == 200


async def test_a_repeated_out_track_id_is_card_already_exist(api: Api, group: StoredGroup) -> None:
    await api("POST", "/v1.0/card/instances/createAndDeliver", send_body(group))
    status, reply = await api("POST", "/v1.0/card/instances/createAndDeliver", send_body(group))
    assert (status, reply["code"]) == (400, "param.cardAlreadyExist")
    status, reply = await api(
        "POST",
        "/v1.0/card/instances",
        {"cardTemplateId": "t", "outTrackId": "track-1", "cardData": {}},
    )
    assert (status, reply["code"]) == (400, "param.cardAlreadyExist")


async def test_update_replaces_unless_by_key_and_knows_its_card(
    api: Api, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    await api("POST", "/v1.0/card/instances/createAndDeliver", send_body(group))
    merge = {
        "outTrackId": "track-1",
        "cardData": {"cardParamMap": {"status": "ok"}},
        "privateData": {"alice": {"cardParamMap": {"mine": "1"}}},
        "cardUpdateOptions": {"updateCardDataByKey": True, "updatePrivateDataByKey": True},
    }
    await api("PUT", "/v1.0/card/instances", merge)
    card = await emulator.get_card("track-1")
    assert (card.card_data, card.private_data) == (
        {"title": "x", "status": "ok"},
        {"alice": {"mine": "1"}},
    )
    await api(
        "PUT",
        "/v1.0/card/instances",
        {"outTrackId": "track-1", "cardData": {"cardParamMap": {"n": "1"}}},
    )
    assert (await emulator.get_card("track-1")).card_data == {"n": "1"}
    for body, code in (
        ({"outTrackId": "nope", "cardData": {"cardParamMap": {}}}, "param.cardNotExist"),
        ({"outTrackId": "track-1"}, "param.cardDataAndPrivateDataBothEmpty"),
        ({"cardData": {"cardParamMap": {}}}, "param.outTrackIdEmpty"),
    ):
        assert (await api("PUT", "/v1.0/card/instances", body))[1]["code"] == code
    deliver = {
        "outTrackId": "nope",
        "openSpaceId": "dtv1.card//IM_ROBOT.u",
        "imRobotOpenDeliverModel": {},
    }
    assert (await api("POST", "/v1.0/card/instances/deliver", deliver))[1][
        "code"
    ] == "param.cardNotExist"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"outTrackId": "nope"}, "param.stream.outTrackId"),
        ({"key": ""}, "param.stream.keyEmpty"),
        ({"content": ""}, "param.stream.contentEmpty"),
        ({"guid": None}, "param.stream.guidEmpty"),
        ({"isFull": None}, "param.stream.isFull"),
        ({"content": "x" * 4097}, "param.stream.content"),
    ],
)
async def test_a_bad_streaming_frame_has_its_documented_code(
    api: Api, group: StoredGroup, change: dict[str, Any], code: str
) -> None:
    await api("POST", "/v1.0/card/instances/createAndDeliver", send_body(group))
    frame = {
        "outTrackId": "track-1",
        "guid": "g",
        "key": "content",
        "content": "x",
        "isFull": False,
    }
    body = {key: value for key, value in {**frame, **change}.items() if value is not None}
    status, reply = await api("PUT", "/v1.0/card/streaming", body)
    assert (status, reply["code"]) == (400, code)


async def test_streaming_states_and_the_content_limit_setting(
    api: Api, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    await api("POST", "/v1.0/card/instances/createAndDeliver", send_body(group))

    async def frame(guid: str, content: str, **flags: bool) -> int:
        body = {"outTrackId": "track-1", "guid": guid, "key": "content", "content": content}
        return (await api("PUT", "/v1.0/card/streaming", {"isFull": False, **body, **flags}))[0]

    assert (await emulator.get_card("track-1")).state == "PROCESSING"
    await frame("1", "a")
    assert (await emulator.get_card("track-1")).state == "INPUTING"
    await frame("1", "a")  # the same guid: not applied twice
    await frame("2", "b")
    assert (await emulator.get_card("track-1")).card_data["content"] == "ab"
    emulator.configure(card_stream_content_limit=None)
    assert await frame("3", "x" * 10_000, isFull=True) == 200
    await frame("4", "!", isFinalize=True)
    card = await emulator.get_card("track-1")
    assert (card.state, len(card.card_data["content"]), card.frames) == ("FINISHED", 10_001, 4)
    await frame("5", "?")  # a late frame without a flag leaves the state (a guess)
    assert (await emulator.get_card("track-1")).state == "FINISHED"
    await frame("6", "!", isError=True)
    assert (await emulator.get_card("track-1")).state == "FAILED"


async def test_the_admin_api_lists_cards_with_their_spaces(api: Api, group: StoredGroup) -> None:
    await api("POST", "/v1.0/card/instances/createAndDeliver", send_body(group))
    status, listing = await api.admin("GET", "/cards")
    assert status == 200
    [card] = listing["cards"]
    assert {"outTrackId", "cardTemplateId", "cardData", "state", "deliveries"} <= set(card)
    assert (card["outTrackId"], card["cardTemplateId"], card["cardData"], card["state"]) == (
        "track-1",
        "any-template.schema",
        {"title": "x"},
        "PROCESSING",
    )
    [delivery] = card["deliveries"]
    assert (delivery["spaceType"], delivery["spaceId"]) == ("IM_GROUP", group.open_conversation_id)
    assert (await api.admin("GET", "/cards/track-1"))[1] == card
    assert (await api.admin("GET", "/cards/nope"))[0] == 404


async def test_pressing_a_button_needs_a_stream_card(api: Api, group: StoredGroup) -> None:
    await api("POST", "/v1.0/card/instances/createAndDeliver", send_body(group))
    status, reply = await api.admin("POST", "/cards/track-1/actions", {"actionIds": ["ok"]})
    assert (status, reply["error"]) == (400, "bad-request")
    assert "callbackType STREAM" in reply["message"]
    assert (await api.admin("POST", "/cards/nope/actions", {}))[0] == 404
    body = send_body(group, outTrackId="t2", callbackType="STREAM")
    await api("POST", "/v1.0/card/instances/createAndDeliver", body)
    for bad in ({"actionIds": "ok"}, {"params": []}, {"userId": 3}):
        assert (await api.admin("POST", "/cards/t2/actions", bad))[0] == 400
    status, reply = await api.admin(
        "POST", "/cards/t2/actions", {"actionIds": ["ok"], "params": {"n": 1}}
    )
    assert status == 200
    assert reply["key"]


async def test_the_card_qps_limit_answers_403(
    api: Api, group: StoredGroup, emulator: DingTalkEmulator
) -> None:
    await api("POST", "/v1.0/card/instances/createAndDeliver", send_body(group))
    emulator.configure(qps_limits={"card.streaming": 20})
    accepted = 0
    for number in range(100):  # back to back: some second gets more than 20
        frame = {"outTrackId": "track-1", "guid": str(number), "key": "c", "content": "x"}
        status, reply = await api("PUT", "/v1.0/card/streaming", {**frame, "isFull": False})
        if status != 200:
            assert (status, reply["code"]) == (
                403,
                "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
            )
            break
        accepted += 1
    else:
        pytest.fail("100 frames back to back and no 403")
    assert accepted >= 20
    assert (await emulator.get_counters()).api("card.streaming").rate_limited == 1

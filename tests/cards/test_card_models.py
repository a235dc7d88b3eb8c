"""Card requests are checked when built, before any I/O: DingTalk's limits (keys up to 100
bytes, values up to 1 KB, in UTF-8 bytes; an `outTrackId` up to 64 characters; strings only),
typed spaces instead of hand-built `dtv1.card//` strings, and the wire bodies DingTalk takes."""

from __future__ import annotations

import json

import pytest

from dingtalk_im_async import (
    FULL_JSON_KEY,
    CallbackType,
    CardCallback,
    CardCallbackReply,
    CreateAndDeliverRequest,
    CreateCardRequest,
    DeliverCardRequest,
    GroupCeilingSpace,
    GroupSpace,
    RequestValidationError,
    RobotChatSpace,
    SingleChatSpace,
    SpaceOptions,
    SpaceType,
    StreamingUpdate,
    UpdateCardRequest,
    UserIdType,
    json_params,
    open_space_id,
    out_track_id_for,
    parse_open_space_id,
)
from dingtalk_im_async._core.wire import from_wire, to_wire

CID = "cidq2RZ+kG6Lw3J0Yp1vb/9Eg=="
GROUP = GroupSpace(open_conversation_id=CID)


def send(**fields: object) -> CreateAndDeliverRequest:
    return CreateAndDeliverRequest(card_template_id="t", spaces=[GROUP], **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("card_data", "rule"),
    [
        ({"k" * 101: "v"}, "at most 100 bytes"),
        ({"键" * 34: "v"}, "at most 100 bytes"),  # 34 characters, 102 bytes
        ({"k": "v" * 1025}, "at most 1024 bytes"),
        ({"k": "值" * 342}, "at most 1024 bytes"),  # 342 characters, 1,026 bytes
        ({"k": 1}, "values must be strings"),
        ({"k": {"nested": "x"}}, "json_params"),
        ({"": "v"}, "non-empty strings"),
        ({"k": "\ud800"}, "valid Unicode"),
        ("k=v", "must be a mapping"),
    ],
)
def test_card_data_breaking_dingtalks_limits_is_refused_before_io(
    card_data: object, rule: str
) -> None:
    with pytest.raises(RequestValidationError, match=rule):
        send(card_data=card_data)


def test_the_limits_are_inclusive_and_counted_in_utf8_bytes() -> None:
    request = send(card_data={"k" * 100: "v" * 1024, "键" * 33: "值" * 341})
    assert len(request.card_data) == 2


def test_out_track_ids_are_at_most_64_characters_and_made_once_per_request() -> None:
    assert len(send(out_track_id="x" * 64).out_track_id) == 64
    with pytest.raises(RequestValidationError, match="at most 64 characters"):
        send(out_track_id="x" * 65)
    with pytest.raises(RequestValidationError, match="out_track_id"):
        send(out_track_id=" ")
    request = send()
    assert to_wire(request)["outTrackId"] == to_wire(request)["outTrackId"]  # kept on resend
    assert send().out_track_id != send().out_track_id


def test_out_track_id_for_is_deterministic_and_fits() -> None:
    first = out_track_id_for("msgABC==", "group-1")
    assert first == out_track_id_for("msgABC==", "group-1")
    assert first != out_track_id_for("msgABC==", "group-2")
    assert first != out_track_id_for("msgABC==group-1")  # parts are separated
    assert len(first) <= 64
    with pytest.raises(RequestValidationError):
        out_track_id_for()
    with pytest.raises(RequestValidationError):
        out_track_id_for("")


def test_structured_data_goes_into_the_full_json_parameter() -> None:
    params = json_params({"items": [{"name": "周报", "done": True}], "n": 3})
    assert list(params) == [FULL_JSON_KEY] == ["sys_full_json_obj"]
    assert json.loads(params[FULL_JSON_KEY]) == {"items": [{"name": "周报", "done": True}], "n": 3}
    request = send(card_data={**params, "title": "x"})
    assert request.card_data["title"] == "x"
    with pytest.raises(RequestValidationError, match="JSON-serialisable"):
        json_params({"when": object()})


def test_spaces_are_typed_values_that_make_dingtalks_strings() -> None:
    spaces = [
        GroupSpace(open_conversation_id=CID),
        RobotChatSpace(user_id="manager4220"),
        SingleChatSpace(open_conversation_id="cidSingle"),
        GroupCeilingSpace(open_conversation_id=CID, expires_at_ms=1_700_000_000_000),
    ]
    assert open_space_id(spaces) == (
        f"dtv1.card//IM_GROUP.{CID};IM_ROBOT.manager4220;IM_SINGLE.cidSingle;ONE_BOX.{CID}"
    )
    assert parse_open_space_id(open_space_id(spaces)) == (
        (SpaceType.IM_GROUP, CID),
        (SpaceType.IM_ROBOT, "manager4220"),
        (SpaceType.IM_SINGLE, "cidSingle"),
        (SpaceType.ONE_BOX, CID),
    )
    assert parse_open_space_id("dtv1.card//im_group.cid1;NEW_KIND.x") == (
        (SpaceType.IM_GROUP, "cid1"),
        ("NEW_KIND", "x"),
    )
    for bad in ("IM_GROUP.cid", "dtv1.card//IM_GROUP", "dtv1.card//.x"):
        with pytest.raises(ValueError):
            parse_open_space_id(bad)


def test_a_create_and_deliver_body_has_one_model_per_kind_of_space() -> None:
    request = CreateAndDeliverRequest(
        card_template_id="t",
        out_track_id="track-1",
        card_data={"title": "x"},
        private_data={"alice": {"secret": "1"}},
        callback_type=CallbackType.STREAM,
        spaces=[
            GroupSpace(
                open_conversation_id=CID, robot_code="dingbot", at_user_ids={"@ALL": "@ALL"}
            ),
            GroupSpace(
                open_conversation_id="cid2", robot_code="dingbot", at_user_ids={"@ALL": "@ALL"}
            ),
            RobotChatSpace(user_id="u1"),
        ],
        space_options=SpaceOptions(support_forward=False, last_message_i18n={"ZH_CN": "卡片"}),
    )
    assert to_wire(request) == {
        "cardTemplateId": "t",
        "outTrackId": "track-1",
        "cardData": {"cardParamMap": {"title": "x"}},
        "privateData": {"alice": {"cardParamMap": {"secret": "1"}}},
        "callbackType": "STREAM",
        "openSpaceId": f"dtv1.card//IM_GROUP.{CID};IM_GROUP.cid2;IM_ROBOT.u1",
        "imGroupOpenSpaceModel": {"supportForward": False, "lastMessageI18n": {"ZH_CN": "卡片"}},
        "imGroupOpenDeliverModel": {"robotCode": "dingbot", "atUserIds": {"@ALL": "@ALL"}},
        "imRobotOpenSpaceModel": {"supportForward": False, "lastMessageI18n": {"ZH_CN": "卡片"}},
        "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT"},
    }


def test_a_third_party_app_delivers_with_its_robot_code_and_union_ids() -> None:
    request = CreateAndDeliverRequest(
        card_template_id="t",
        spaces=[RobotChatSpace(user_id="unionIdOfAlice", robot_code="isvRobot")],
        user_id_type=UserIdType.UNION_ID,
    )
    body = to_wire(request)
    assert body["userIdType"] == 2
    assert body["imRobotOpenDeliverModel"] == {"spaceType": "IM_ROBOT", "robotCode": "isvRobot"}
    assert send(user_id_type=2).user_id_type is UserIdType.UNION_ID
    with pytest.raises(RequestValidationError, match="user_id_type"):
        send(user_id_type=3)


def test_spaces_of_one_kind_must_share_their_delivery_options() -> None:
    with pytest.raises(RequestValidationError, match="share their delivery options"):
        CreateAndDeliverRequest(
            card_template_id="t",
            spaces=[
                GroupSpace(open_conversation_id="a", robot_code="r1"),
                GroupSpace(open_conversation_id="b", robot_code="r2"),
            ],
        )
    with pytest.raises(RequestValidationError, match="given twice"):
        CreateAndDeliverRequest(card_template_id="t", spaces=[GROUP, GROUP])
    with pytest.raises(RequestValidationError, match="at least one space"):
        CreateAndDeliverRequest(card_template_id="t", spaces=[])
    with pytest.raises(RequestValidationError, match="must be a GroupSpace"):
        CreateAndDeliverRequest(card_template_id="t", spaces=["dtv1.card//IM_GROUP.x"])  # type: ignore[list-item]
    one = CreateAndDeliverRequest(card_template_id="t", spaces=GROUP)  # type: ignore[arg-type]
    assert one.spaces == (GROUP,)


def test_a_group_ceiling_needs_its_expiry_and_an_update_needs_data() -> None:
    with pytest.raises(RequestValidationError, match="expires_at_ms"):
        GroupCeilingSpace(open_conversation_id=CID, expires_at_ms=0)
    with pytest.raises(RequestValidationError, match="cardDataAndPrivateDataBothEmpty"):
        UpdateCardRequest(out_track_id="x")
    with pytest.raises(RequestValidationError, match="search_desc"):
        SpaceOptions(search_desc="x" * 201)


def test_update_bodies_replace_unless_told_to_merge() -> None:
    replace = UpdateCardRequest(out_track_id="x", card_data={"a": "1"})
    assert to_wire(replace) == {"outTrackId": "x", "cardData": {"cardParamMap": {"a": "1"}}}
    merge = UpdateCardRequest(
        out_track_id="x", private_data={"u": {"b": "2"}}, merge=True, merge_private=True
    )
    assert to_wire(merge) == {
        "outTrackId": "x",
        "privateData": {"u": {"cardParamMap": {"b": "2"}}},
        "cardUpdateOptions": {"updateCardDataByKey": True, "updatePrivateDataByKey": True},
    }


def test_a_streaming_frame_sends_every_flag_and_keeps_its_guid() -> None:
    frame = StreamingUpdate(out_track_id="x", key="content", content="你好")
    body = to_wire(frame)
    assert body == {
        "outTrackId": "x",
        "guid": frame.guid,
        "key": "content",
        "content": "你好",
        "isFull": False,
        "isFinalize": False,
        "isError": False,
    }
    assert to_wire(frame)["guid"] == body["guid"]
    assert StreamingUpdate(out_track_id="x", key="k", content="c").guid != frame.guid
    with pytest.raises(RequestValidationError, match="contentEmpty"):
        StreamingUpdate(out_track_id="x", key="content", content="")
    with pytest.raises(RequestValidationError, match="key"):
        StreamingUpdate(out_track_id="x", key="k" * 101, content="c")


def test_create_and_deliver_bodies_by_record_keys() -> None:
    record = {
        "openConversationId": CID,
        "cardTemplateId": "t",
        "outTrackId": "o1",
        "cardData": '{"title": "x"}',
        "robotCode": "dingbot",
    }
    request = from_wire(CreateAndDeliverRequest, record)
    assert request.spaces == (GroupSpace(open_conversation_id=CID, robot_code="dingbot"),)
    assert request.card_data == {"title": "x"}
    spaced = from_wire(
        CreateAndDeliverRequest,
        {
            "openSpaceId": "dtv1.card//IM_ROBOT.u1;IM_SINGLE.c1",
            "cardTemplateId": "t",
            "cardData": {"cardParamMap": {"a": "b"}},
        },
    )
    assert spaced.spaces == (
        RobotChatSpace(user_id="u1"),
        SingleChatSpace(open_conversation_id="c1"),
    )
    for bad in (
        {"cardTemplateId": "t"},
        {"openConversationId": CID, "openSpaceId": "dtv1.card//IM_GROUP.x", "cardTemplateId": "t"},
        {"openConversationId": CID, "cardTemplateId": "t", "status": "created"},
        {"openSpaceId": "dtv1.card//ONE_BOX.x", "cardTemplateId": "t"},
    ):
        with pytest.raises((ValueError, TypeError)):
            from_wire(CreateAndDeliverRequest, bad)


def test_create_only_declares_where_the_card_may_go_later() -> None:
    body = to_wire(CreateCardRequest(card_template_id="t", out_track_id="o"))
    assert set(body) == {
        "cardTemplateId",
        "outTrackId",
        "cardData",
        "imGroupOpenSpaceModel",
        "imRobotOpenSpaceModel",
    }
    deliver = to_wire(DeliverCardRequest(out_track_id="o", spaces=[GROUP]))
    assert deliver == {
        "outTrackId": "o",
        "openSpaceId": f"dtv1.card//IM_GROUP.{CID}",
        "imGroupOpenDeliverModel": {},
    }


def test_a_card_callback_is_read_from_its_json_strings() -> None:
    data = {
        "outTrackId": "o1",
        "userId": "alice",
        "corpId": "dingcorp",
        "type": "actionCallback",
        "spaceType": "IM_GROUP",
        "spaceId": CID,
        "userIdType": 1,
        "extension": '{"k": "v"}',
        "content": json.dumps({"cardPrivateData": {"actionIds": ["stop"], "params": {"n": 1}}}),
    }
    callback = from_wire(CardCallback, data)
    assert (callback.out_track_id, callback.user_id, callback.action_id) == ("o1", "alice", "stop")
    assert callback.params == {"n": 1}
    assert callback.extension == {"k": "v"}
    bare = from_wire(CardCallback, {"outTrackId": "o2"})
    assert (bare.action_id, bare.params, bare.extension) == (None, {}, {})
    for bad in ({}, {"outTrackId": "o", "content": "[1]"}, {"outTrackId": "o", "userId": 5}):
        with pytest.raises((TypeError, ValueError)):
            from_wire(CardCallback, bad)


def test_a_callback_reply_merges_by_default() -> None:
    reply = CardCallbackReply(card_data={"status": "stopped"}, private_data={"mine": "1"})
    assert to_wire(reply) == {
        "cardData": {"cardParamMap": {"status": "stopped"}},
        "userPrivateData": {"cardParamMap": {"mine": "1"}},
        "cardUpdateOptions": {"updateCardDataByKey": True, "updatePrivateDataByKey": True},
    }
    assert to_wire(CardCallbackReply()) == {}
    with pytest.raises(RequestValidationError):
        CardCallbackReply(card_data={"k": "v" * 1025})

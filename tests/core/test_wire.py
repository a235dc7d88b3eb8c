"""The wire format: the spec's example body, omitted optional fields, strict reply decoding."""

from __future__ import annotations

import pytest

from dingtalk_im_async import (
    ConversationTag,
    CreateGroupRequest,
    CreateGroupResult,
    ManagementOptions,
    OwnerType,
    ResponseError,
)
from dingtalk_im_async._wire import request_body, result_from_body

SPEC_EXAMPLE_BODY = {
    "name": "测试群",
    "owner": "manager4220",
    "ownerType": "emp",
    "useridlist": ["userId"],
    "conversationTag": 2,
    "extidlist": ["unionId"],
    "icon": "@mediaId",
    "managementOptions": {
        "mentionAllAuthority": 0,
        "showHistoryType": 0,
        "validationType": 0,
        "searchable": 0,
        "chatBannedType": 0,
        "managementType": 0,
    },
}


def test_spec_example_request_serializes_to_the_spec_example_body() -> None:
    request = CreateGroupRequest(
        name="测试群",
        owner="manager4220",
        owner_type=OwnerType.EMP,
        useridlist=["userId"],
        conversation_tag=ConversationTag.INTERNAL,
        extidlist=["unionId"],
        icon="@mediaId",
        management_options=ManagementOptions(
            mention_all_authority=0,
            show_history_type=0,
            validation_type=0,
            searchable=0,
            chat_banned_type=0,
            management_type=0,
        ),
    )
    body = request_body(request)
    assert body == SPEC_EXAMPLE_BODY
    assert type(body["ownerType"]) is str
    assert type(body["conversationTag"]) is int


def test_unset_optional_fields_are_absent() -> None:
    body = request_body(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))
    assert body == {"name": "n", "owner": "o", "useridlist": ["u"]}


def test_unset_management_options_are_absent() -> None:
    request = CreateGroupRequest(
        name="n", owner="o", useridlist=["u"], management_options=ManagementOptions(searchable=1)
    )
    assert request_body(request)["managementOptions"] == {"searchable": 1}


def test_spec_example_reply_decodes() -> None:
    reply = {"conversationTag": 2, "openConversationId": "14da****2760", "chatid": "chatxxxx"}
    assert result_from_body(reply, status=200) == CreateGroupResult(
        open_conversation_id="14da****2760",
        chatid="chatxxxx",
        conversation_tag=ConversationTag.INTERNAL,
    )


def test_unknown_extra_reply_fields_are_ignored() -> None:
    reply = {"conversationTag": 0, "openConversationId": "cid", "chatid": "c", "new": [1]}
    assert result_from_body(reply, status=200).conversation_tag is ConversationTag.NORMAL


def test_undocumented_conversation_tag_is_kept_as_an_integer() -> None:
    reply = {"conversationTag": 7, "openConversationId": "cid", "chatid": "c"}
    assert result_from_body(reply, status=200).conversation_tag == 7


@pytest.mark.parametrize(
    ("reply", "mentions"),
    [
        ({"conversationTag": 2, "chatid": "c"}, "openConversationId"),
        ({"conversationTag": 2, "openConversationId": 5, "chatid": "c"}, "openConversationId"),
        ({"conversationTag": "2", "openConversationId": "cid", "chatid": "c"}, "conversationTag"),
        ({"conversationTag": 2, "openConversationId": "cid", "chatid": None}, "chatid"),
        ([1, 2], "JSON object"),
        ("text", "JSON object"),
    ],
)
def test_missing_or_mistyped_reply_fields_raise_response_error(
    reply: object, mentions: str
) -> None:
    with pytest.raises(ResponseError) as caught:
        result_from_body(reply, status=200)
    assert mentions in str(caught.value)
    assert caught.value.status == 200

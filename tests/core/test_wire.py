"""The wire format: the spec's example body, omitted optional fields, strict reply decoding."""

from __future__ import annotations

import enum
from typing import ClassVar

import attrs
import pytest
from attrs import define, field

from dingtalk_im_async import (
    ConversationTag,
    CreateGroupRequest,
    CreateGroupResult,
    ManagementOptions,
    OwnerType,
    ResponseError,
)
from dingtalk_im_async._core.wire import WireCase, from_wire, result_from_body, to_wire, wire

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
    body = to_wire(request)
    assert body == SPEC_EXAMPLE_BODY
    assert type(body["ownerType"]) is str
    assert type(body["conversationTag"]) is int


def test_unset_optional_fields_are_absent() -> None:
    body = to_wire(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))
    assert body == {"name": "n", "owner": "o", "useridlist": ["u"]}


def test_unset_management_options_are_absent() -> None:
    request = CreateGroupRequest(
        name="n", owner="o", useridlist=["u"], management_options=ManagementOptions(searchable=1)
    )
    assert to_wire(request)["managementOptions"] == {"searchable": 1}


def test_spec_example_reply_decodes() -> None:
    reply = {"conversationTag": 2, "openConversationId": "14da****2760", "chatid": "chatxxxx"}
    assert result_from_body(reply, status=200, cls=CreateGroupResult) == CreateGroupResult(
        open_conversation_id="14da****2760",
        chatid="chatxxxx",
        conversation_tag=ConversationTag.INTERNAL,
    )


def test_unknown_extra_reply_fields_are_ignored() -> None:
    reply = {"conversationTag": 0, "openConversationId": "cid", "chatid": "c", "new": [1]}
    assert (
        result_from_body(reply, status=200, cls=CreateGroupResult).conversation_tag
        is ConversationTag.NORMAL
    )


def test_undocumented_conversation_tag_is_kept_as_an_integer() -> None:
    reply = {"conversationTag": 7, "openConversationId": "cid", "chatid": "c"}
    assert result_from_body(reply, status=200, cls=CreateGroupResult).conversation_tag == 7


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
        result_from_body(reply, status=200, cls=CreateGroupResult)
    assert mentions in str(caught.value)
    assert caught.value.status == 200


# -- the converter knows no family: naming policy per class, enums and hooks by declaration --


class Colour(str, enum.Enum):
    RED = "red"


@define(frozen=True, kw_only=True)
class SnakeOptions:
    """Scene-group style: the Python names are the wire names."""

    wire_case: ClassVar[WireCase] = WireCase.SNAKE
    mention_all_authority: int | None = None


@define(frozen=True, kw_only=True)
class SnakeBody:
    wire_case: ClassVar[WireCase] = WireCase.SNAKE
    open_conversation_id: str
    user_ids: tuple[str, ...] = ()
    template_id: str = field(default="t", metadata=wire("templateId"))  # an exception, named
    management_options: SnakeOptions | None = None
    colour: Colour | str = Colour.RED


@define(frozen=True, kw_only=True)
class CamelBody:
    open_conversation_id: str
    options: SnakeOptions | None = None


def test_a_class_may_keep_its_python_names_on_the_wire() -> None:
    body = SnakeBody(
        open_conversation_id="cid",
        user_ids=("u",),
        template_id="tpl",
        management_options=SnakeOptions(mention_all_authority=1),
    )
    wire_body = to_wire(body)
    assert wire_body == {
        "open_conversation_id": "cid",
        "user_ids": ["u"],
        "templateId": "tpl",
        "management_options": {"mention_all_authority": 1},
    }
    assert from_wire(SnakeBody, wire_body) == body
    # A camelCase class holding a snake_case one: each keeps its own case.
    mixed = to_wire(
        CamelBody(open_conversation_id="c", options=SnakeOptions(mention_all_authority=0))
    )
    assert mixed == {"openConversationId": "c", "options": {"mention_all_authority": 0}}


def test_an_enum_goes_on_the_wire_as_its_value_and_an_undocumented_one_comes_back_raw() -> None:
    body = SnakeBody(open_conversation_id="cid", colour=Colour.RED, template_id="x")
    assert to_wire(attrs.evolve(body, colour="blue"))["colour"] == "blue"
    assert from_wire(SnakeBody, {"open_conversation_id": "c", "colour": "red"}).colour is Colour.RED
    assert from_wire(SnakeBody, {"open_conversation_id": "c", "colour": "blue"}).colour == "blue"

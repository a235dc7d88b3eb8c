"""Requests are validated when built: bad values raise RequestValidationError naming the field."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from dingtalk_im_async import (
    ConversationTag,
    CreateGroupRequest,
    ManagementOptions,
    OwnerType,
    RequestValidationError,
    Searchable,
)

VALID: dict[str, Any] = {"name": "测试群", "owner": "manager4220", "useridlist": ["userId"]}


def build(**changes: Any) -> CreateGroupRequest:
    return CreateGroupRequest(**{**VALID, **changes})


def test_minimal_request_is_accepted_and_lists_become_tuples() -> None:
    request = build()
    assert request.useridlist == ("userId",)
    assert request.owner_type is None
    assert request.management_options is None


def test_requests_are_immutable() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        build().name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("name", ["a", "测" * 20, "x" * 20, "😀" * 20])
def test_name_of_1_to_20_characters_is_accepted(name: str) -> None:
    assert build(name=name).name == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "empty"),
        ("   ", "blank"),
        ("测" * 21, "1 to 20 characters"),
        ("x" * 21, "1 to 20 characters"),
        (123, "string"),
        (None, "string"),
    ],
)
def test_bad_name_is_rejected_naming_the_rule(name: object, rule: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        build(name=name)
    assert caught.value.field == "name"
    assert rule in caught.value.rule


def test_name_length_counts_characters_not_bytes() -> None:
    twenty_chinese = "群" * 20  # 60 bytes in UTF-8
    assert len(twenty_chinese.encode()) == 60
    assert build(name=twenty_chinese).name == twenty_chinese


@pytest.mark.parametrize("owner", ["", " ", None, 42])
def test_owner_must_be_a_non_empty_string(owner: object) -> None:
    with pytest.raises(RequestValidationError) as caught:
        build(owner=owner)
    assert caught.value.field == "owner"


@pytest.mark.parametrize(
    ("useridlist", "field"),
    [
        ([], "useridlist"),
        ("userId", "useridlist"),
        (None, "useridlist"),
        (["ok", ""], "useridlist[1]"),
        (["ok", 7], "useridlist[1]"),
    ],
)
def test_useridlist_must_be_a_non_empty_list_of_ids(useridlist: object, field: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        build(useridlist=useridlist)
    assert caught.value.field == field


def test_extidlist_is_optional_but_checked_when_given() -> None:
    assert build(extidlist=["unionId"]).extidlist == ("unionId",)
    with pytest.raises(RequestValidationError) as caught:
        build(extidlist=[""])
    assert caught.value.field == "extidlist[0]"


def test_enums_accept_members_and_raw_values() -> None:
    request = build(owner_type="ext", conversation_tag=2)
    assert request.owner_type is OwnerType.EXT
    assert request.conversation_tag is ConversationTag.INTERNAL
    assert ManagementOptions(searchable=1).searchable is Searchable.YES


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"owner_type": "boss"}, "owner_type"),
        ({"conversation_tag": 1}, "conversation_tag"),
        ({"conversation_tag": True}, "conversation_tag"),
        ({"conversation_tag": 2.0}, "conversation_tag"),
    ],
)
def test_undocumented_enum_values_are_rejected(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        build(**changes)
    assert caught.value.field == field
    assert "must be one of" in caught.value.rule


@pytest.mark.parametrize(
    "option",
    [
        "mention_all_authority",
        "show_history_type",
        "validation_type",
        "searchable",
        "chat_banned_type",
        "management_type",
    ],
)
def test_management_options_take_only_0_or_1(option: str) -> None:
    assert ManagementOptions(**{option: 0}) != ManagementOptions(**{option: 1})
    with pytest.raises(RequestValidationError) as caught:
        ManagementOptions(**{option: 2})
    assert caught.value.field == option


def test_icon_must_be_non_empty_when_given() -> None:
    assert build(icon="@mediaId").icon == "@mediaId"
    with pytest.raises(RequestValidationError) as caught:
        build(icon="")
    assert caught.value.field == "icon"


def test_management_options_must_be_the_options_class() -> None:
    with pytest.raises(RequestValidationError) as caught:
        build(management_options={"searchable": 1})
    assert caught.value.field == "management_options"


def test_validation_error_is_also_a_value_error_and_names_field_in_text() -> None:
    with pytest.raises(ValueError, match=r"^name: "):
        build(name="")


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "群\ud800"},
        {"owner": "\udfff"},
        {"useridlist": ["ok", "u\ud83d"]},
        {"icon": "\ud800"},
    ],
)
def test_lone_surrogates_are_rejected_before_any_io(changes: dict[str, Any]) -> None:
    with pytest.raises(RequestValidationError, match="surrogates"):
        build(**changes)

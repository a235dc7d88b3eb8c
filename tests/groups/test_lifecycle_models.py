"""Lifecycle requests: DingTalk's wire keys, unset fields left out, every rule checked before
any I/O (the emulator sees no call)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async import (
    AdminRole,
    ChatBannedType,
    CreateGroupRequest,
    GroupInfo,
    GroupService,
    GroupStatus,
    ManagementOptions,
    OpenConversationIdRequest,
    OwnerType,
    RequestValidationError,
    Searchable,
    UpdateAdminsRequest,
    UpdateGroupRequest,
    Verdict,
)
from dingtalk_im_async._wire import from_wire, to_wire
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.lifecycle_support import (
    ADMINS_API,
    CONVERT_API,
    GET_API,
    UPDATE_API,
    lifecycle_service,
)


@pytest.fixture
def groups(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> GroupService:
    return lifecycle_service(emulator, session)


def test_update_body_has_dingtalks_mixed_case_keys() -> None:
    request = UpdateGroupRequest(
        chatid="chat1",
        name="新名字",
        owner="u2",
        owner_type=OwnerType.EMP,
        add_useridlist=["a"],
        del_useridlist=["b"],
        add_extidlist=["x"],
        del_extidlist=["y"],
        icon="@media",
        management_options=ManagementOptions(chat_banned_type=ChatBannedType.ALL_MUTED),
    )
    assert to_wire(request) == {
        "chatid": "chat1",
        "name": "新名字",
        "owner": "u2",
        "ownerType": "emp",
        "add_useridlist": ["a"],
        "del_useridlist": ["b"],
        "add_extidlist": ["x"],
        "del_extidlist": ["y"],
        "icon": "@media",
        "managementOptions": {"chatBannedType": 1},
    }


def test_a_rename_sends_nothing_but_the_name() -> None:
    """Other clients reset mute and search settings on rename; unset fields are left out."""
    assert to_wire(UpdateGroupRequest(chatid="chat1", name="新名字")) == {
        "chatid": "chat1",
        "name": "新名字",
    }


def test_admin_and_convert_requests_on_the_wire() -> None:
    request = UpdateAdminsRequest(open_conversation_id="cid+/=", user_ids=("u1",), role=2)
    assert request.role is AdminRole.ADMIN
    assert to_wire(request) == {"openConversationId": "cid+/=", "userIds": ["u1"], "role": 2}
    assert to_wire(OpenConversationIdRequest(chatid="chat1")) == {"chatId": "chat1"}


def test_group_info_reads_chat_info_with_enums_and_raw_values() -> None:
    info = from_wire(
        GroupInfo,
        {
            "name": "n",
            "owner": "o",
            "useridlist": ["o", "a"],
            "status": 2,
            "chatBannedType": 1,
            "searchable": 7,
            "chatid": "chat1",
        },
    )
    assert info.members == ("o", "a")
    assert info.disbanded
    assert info.status is GroupStatus.DISBANDED
    assert info.chat_banned_type is ChatBannedType.ALL_MUTED
    assert info.searchable == 7  # undocumented value kept, not an error
    assert info.management_options == ManagementOptions(chat_banned_type=1)
    assert info.icon is None


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({}, "request", "changes nothing: set at least one field"),
        ({"chatid": " ", "name": "n"}, "chatid", "must not be empty or blank"),
        ({"chatid": 5, "name": "n"}, "chatid", "must be a string, got int"),
        ({"name": ""}, "name", "must not be empty or blank"),
        ({"name": "x" * 21}, "name", "must be 1 to 20 characters, got 21"),
        (
            {"add_useridlist": []},
            "add_useridlist",
            "must contain at least one id (leave it out instead)",
        ),
        ({"add_useridlist": ["a", " "]}, "add_useridlist[1]", "must not be empty or blank"),
        ({"del_extidlist": "abc"}, "del_extidlist", "must be a list of strings, got str"),
        (
            {"add_useridlist": ["a"], "del_useridlist": ["a"]},
            "del_useridlist",
            "'a' is also in add_useridlist",
        ),
        (
            {"add_extidlist": ["x"], "del_extidlist": ["x"]},
            "del_extidlist",
            "'x' is also in add_extidlist",
        ),
        ({"owner": " "}, "owner", "must not be empty or blank"),
        ({"name": "n", "owner_type": "emp"}, "owner_type", "is only meaningful with owner"),
        (
            {"owner": "o", "owner_type": "boss"},
            "owner_type",
            "must be one of 'emp', 'ext', got 'boss'",
        ),
        ({"icon": ""}, "icon", "must not be empty or blank"),
        (
            {"management_options": ManagementOptions()},
            "management_options",
            "sets nothing (leave it out)",
        ),
        (
            {"management_options": {"searchable": 1}},
            "management_options",
            "must be a ManagementOptions, got dict",
        ),
    ],
)
def test_update_request_rules(fields: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        UpdateGroupRequest(**{"chatid": "chat1", **fields})
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert caught.value.verdict is Verdict.NOT_SENT


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"user_ids": []}, "user_ids"),
        ({"user_ids": ["u", ""]}, "user_ids[1]"),
        ({"role": 1}, "role"),
        ({"role": None}, "role"),
        ({"open_conversation_id": ""}, "open_conversation_id"),
    ],
)
def test_admin_request_rules(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        UpdateAdminsRequest(
            **{"open_conversation_id": "cid1", "user_ids": ["u"], "role": 2, **fields}
        )
    assert caught.value.field == field


def _calls(emulator: DingTalkEmulator) -> int:
    return sum(emulator.calls(api) for api in (UPDATE_API, CONVERT_API, ADMINS_API, GET_API))


@pytest.mark.parametrize(
    "attempt",
    [
        lambda groups: groups.get(""),
        lambda groups: groups.get(None),
        lambda groups: groups.open_conversation_id(" "),
        lambda groups: groups.add_admins("cid1", []),
        lambda groups: groups.remove_admins("", ["u1"]),
        lambda groups: groups.update(CreateGroupRequest(name="n", owner="o", useridlist=["u"])),
        lambda groups: groups.update_admins({"openConversationId": "cid1"}),
    ],
)
async def test_bad_input_to_a_service_method_fails_before_any_io(
    groups: GroupService,
    emulator: DingTalkEmulator,
    attempt: Callable[[GroupService], Any],
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await attempt(groups)
    assert caught.value.verdict is Verdict.NOT_SENT
    assert _calls(emulator) == 0
    assert emulator.token_fetches == 0


def test_searchable_enum_round_trips_through_group_info_settings() -> None:
    info = GroupInfo(name="n", owner="o", members=("o",), searchable=Searchable.YES)
    request = UpdateGroupRequest(chatid="c", management_options=info.management_options)
    assert to_wire(request)["managementOptions"] == {"searchable": 1}

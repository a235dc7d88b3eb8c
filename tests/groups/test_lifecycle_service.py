"""`GroupService` after create, over real HTTP to the emulator: update, the id conversion,
admins and the legacy read, each changing (or reading) the emulator's group store."""

from __future__ import annotations

import aiohttp
import pytest

from dingtalk_im_async import (
    AdminRole,
    ChatBannedType,
    DingTalkClient,
    GroupNotFoundError,
    GroupService,
    GroupStatus,
    ManagementOptions,
    Searchable,
    UpdateAdminsRequest,
    UpdateAdminsResult,
    UpdateGroupRequest,
    UpdateGroupResult,
)
from dingtalk_im_async._service import endpoint_of
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import app_provider
from tests.support.lifecycle_support import (
    CONVERT_API,
    GET_API,
    UPDATE_API,
    lifecycle_service,
    new_group,
)


@pytest.fixture
def groups(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> GroupService:
    return lifecycle_service(emulator, session)


async def test_update_adds_and_removes_members_renames_and_mutes(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups, members=["alice", "bob"])
    result = await groups.update(
        UpdateGroupRequest(
            chatid=group.chatid,
            name="新名字",
            add_useridlist=["carol", "dave"],
            del_useridlist=["bob"],
            add_extidlist=["union1"],
            icon="@newicon",
            management_options=ManagementOptions(chat_banned_type=ChatBannedType.ALL_MUTED),
        )
    )
    assert result == UpdateGroupResult(success=True)
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    assert stored.members == ["manager4220", "alice", "carol", "dave"]
    assert stored.ext_members == ["union1"]
    assert (stored.name, stored.icon) == ("新名字", "@newicon")
    assert stored.options["chatBannedType"] == 1
    assert emulator.requests[-1].body == {
        "chatid": group.chatid,
        "name": "新名字",
        "add_useridlist": ["carol", "dave"],
        "del_useridlist": ["bob"],
        "add_extidlist": ["union1"],
        "icon": "@newicon",
        "managementOptions": {"chatBannedType": 1},
    }


async def test_a_rename_leaves_mute_and_search_settings_alone(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    mute_and_show = ManagementOptions(chat_banned_type=1, searchable=Searchable.YES)
    await groups.update(UpdateGroupRequest(chatid=group.chatid, management_options=mute_and_show))
    await groups.update(UpdateGroupRequest(chatid=group.chatid, name="只改名字"))
    assert emulator.requests[-1].body == {"chatid": group.chatid, "name": "只改名字"}
    info = await groups.get(group.chatid)
    assert info.name == "只改名字"
    assert info.chat_banned_type is ChatBannedType.ALL_MUTED
    assert info.searchable is Searchable.YES


async def test_get_reads_back_what_updates_did(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups, members=["alice"])
    await groups.update(UpdateGroupRequest(chatid=group.chatid, add_useridlist=["bob"]))
    await groups.update(UpdateGroupRequest(chatid=group.chatid, owner="bob", icon="@i"))
    info = await groups.get(group.chatid)
    assert info.owner == "bob"
    assert info.members == ("manager4220", "alice", "bob")
    assert info.chatid == group.chatid
    assert info.status is GroupStatus.NORMAL
    assert not info.disbanded
    assert info.icon == "@i"
    assert info.conversation_tag == group.conversation_tag
    logged = emulator.requests[-1]
    assert (logged.api, logged.method, logged.path) == (GET_API, "GET", "/oapi/chat/get")
    assert logged.query == {"chatid": group.chatid}  # the token is never journaled


async def test_a_disbanded_group_reads_back_with_status_2(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    stored.status = 2  # DingTalk documents no way to disband these groups; the store can
    info = await groups.get(group.chatid)
    assert info.disbanded
    assert info.status is GroupStatus.DISBANDED


async def test_open_conversation_id_converts_the_chatid(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    assert await groups.open_conversation_id(group.chatid) == group.open_conversation_id
    assert emulator.calls(CONVERT_API) == 1
    assert emulator.requests[-1].path == (
        f"/v1.0/im/chat/{group.chatid}/convertToOpenConversationId"
    )


async def test_the_chatid_is_percent_encoded_in_the_path(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    """An id holding `/`, `?` or `+` stays one path segment: it cannot reach another API."""
    odd = "chat/../../group/create?x=1+2"
    with pytest.raises(GroupNotFoundError):
        await groups.open_conversation_id(odd)
    logged = emulator.requests[-1]
    assert logged.api == CONVERT_API  # routed to the conversion, with the id as its one segment
    assert logged.query == {}
    assert emulator.groups_created == 0


async def test_admins_are_added_and_removed_by_open_conversation_id(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups, members=["alice", "bob", "carol"])
    added = await groups.add_admins(group.open_conversation_id, ["alice", "bob"])
    assert added == UpdateAdminsResult(success="true")  # a string, as DingTalk sends it
    stored = emulator.store.by_open_conversation_id(group.open_conversation_id)
    assert stored is not None
    assert stored.sub_admins == {"alice", "bob"}
    assert emulator.requests[-1].body == {
        "openConversationId": group.open_conversation_id,
        "userIds": ["alice", "bob"],
        "role": 2,
    }
    await groups.remove_admins(group.open_conversation_id, ["alice"])
    assert stored.sub_admins == {"bob"}
    assert emulator.requests[-1].body["role"] == 3
    await groups.update_admins(
        UpdateAdminsRequest(
            open_conversation_id=group.open_conversation_id,
            user_ids=["carol"],
            role=AdminRole.ADMIN,
        )
    )
    assert stored.sub_admins == {"bob", "carol"}


async def test_every_lifecycle_call_is_marked_safe_to_repeat_and_create_is_not(
    groups: GroupService,
) -> None:
    """What a bulk run reads to decide whether an unknown outcome may be sent again."""
    for method in (
        groups.update,
        groups.update_admins,
        groups.add_admins,
        groups.remove_admins,
        groups.open_conversation_id,
        groups.get,
    ):
        endpoint = endpoint_of(method)
        assert endpoint is not None, method
        assert endpoint.repeat_safe, method
    create = endpoint_of(groups.create)
    assert create is not None
    assert not create.repeat_safe


async def test_the_client_reads_the_oapi_host_it_was_given(emulator: DingTalkEmulator) -> None:
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
    ) as client:
        group = await new_group(client.groups)
        info = await client.groups.get(group.chatid)
    assert info.name == "项目群"
    assert emulator.calls(GET_API) == 1


async def test_the_oapi_host_comes_from_the_environment(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DINGTALK_OAPI_BASE_URL", emulator.oapi_base_url)
    groups = GroupService(session, app_provider(emulator, session), base_url=emulator.base_url)
    assert groups.oapi_base_url == emulator.oapi_base_url
    group = await new_group(groups)
    assert (await groups.get(group.chatid)).owner == "manager4220"


async def test_update_then_transfer_owner_keeps_the_old_owner_a_member(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups, members=["alice"])
    await groups.update(UpdateGroupRequest(chatid=group.chatid, owner="alice", owner_type="emp"))
    info = await groups.get(group.chatid)
    assert info.owner == "alice"
    assert "manager4220" in info.members
    assert emulator.calls(UPDATE_API) == 1

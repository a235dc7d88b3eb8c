"""`SceneGroupService` against the emulator: every method, over real HTTP, changes and reads
what DingTalk documents, with the wire names the docs give."""

from __future__ import annotations

import pytest

from dingtalk_im_async import (
    CreateSceneGroupResult,
    DingTalkClient,
    DisbandSceneGroupRequest,
    MuteSceneGroupMembersRequest,
    MuteStatus,
    SceneGroupMembersQuery,
    SceneGroupMembersRequest,
    SceneGroupMuteQuery,
    SceneGroupNickRequest,
    SceneGroupOptions,
    SceneGroupRole,
    SceneGroupService,
    SceneGroupStatus,
    TemplateRobotQuery,
    UpdateSceneGroupAdminsRequest,
    UpdateSceneGroupRequest,
)
from dingtalk_im_async.emulator.scenegroups.mute import robot_user_id
from dingtalk_im_async.testing import DingTalkEmulator
from tests.scenegroups.conftest import OWNER, TEMPLATE, create_request


async def test_create_sends_snake_case_and_keeps_the_group(
    emulator: DingTalkEmulator, scene_groups: SceneGroupService
) -> None:
    request = create_request(
        subadmin_ids=["carol"],
        uuid="order-1",
        icon="@media",
        management_options=SceneGroupOptions(chat_banned_type=1, group_live_switch=0),
    )
    result = await scene_groups.create(request)
    assert result.open_conversation_id.startswith("cid")
    assert result.chat_id.startswith("chat")
    assert emulator.requests[-1].body == {
        "title": "项目群",
        "template_id": TEMPLATE,
        "owner_user_id": OWNER,
        "user_ids": ["alice", "bob"],
        "subadmin_ids": ["carol"],
        "uuid": "order-1",
        "icon": "@media",
        "management_options": {"chat_banned_type": 1, "group_live_switch": 0},
    }
    scene = await emulator.get_scene_group(result.open_conversation_id)
    assert scene.template_id == TEMPLATE
    assert scene.uuid == "order-1"
    assert scene.options == {"chat_banned_type": 1, "group_live_switch": 0}
    group = scene.group
    assert (group.chatid, group.name, group.owner) == (result.chat_id, "项目群", OWNER)
    assert group.members == [OWNER, "alice", "bob", "carol"]
    assert group.sub_admins == {"carol"}
    assert emulator.store.by_chatid(result.chat_id) is group  # one group store for both


async def test_the_same_uuid_returns_the_same_group(
    emulator: DingTalkEmulator, scene_groups: SceneGroupService
) -> None:
    first = await scene_groups.create(create_request(uuid="same"))
    again = await scene_groups.create(create_request("另一个名字", uuid="same"))
    other = await scene_groups.create(create_request(uuid="other"))
    assert again == first
    assert other.open_conversation_id != first.open_conversation_id
    assert len(await emulator.list_scene_groups()) == 2
    assert (await scene_groups.get(first.open_conversation_id)).title == "项目群"


async def test_update_changes_only_what_it_names(
    emulator: DingTalkEmulator,
    scene_groups: SceneGroupService,
    scene_group: CreateSceneGroupResult,
) -> None:
    cid = scene_group.open_conversation_id
    result = await scene_groups.update(
        UpdateSceneGroupRequest(
            open_conversation_id=cid,
            title="新名字",
            owner_user_id="alice",
            management_options=SceneGroupOptions(plugin_customize_verify=1),
        )
    )
    assert result.success is True
    assert emulator.requests[-1].body == {
        "open_conversation_id": cid,
        "title": "新名字",
        "owner_user_id": "alice",
        "management_options": {"plugin_customize_verify": 1},
    }
    info = await scene_groups.get(cid)
    assert (info.title, info.owner_user_id, info.template_id) == ("新名字", "alice", TEMPLATE)
    assert info.status is SceneGroupStatus.NORMAL
    assert not info.disbanded
    assert info.group_url is not None
    assert info.group_url.startswith(emulator.base_url)


async def test_members_are_added_removed_and_listed_page_by_page(
    emulator: DingTalkEmulator,
    scene_groups: SceneGroupService,
    scene_group: CreateSceneGroupResult,
) -> None:
    cid = scene_group.open_conversation_id
    added = SceneGroupMembersRequest(
        open_conversation_id=cid, user_ids=[f"u{n}" for n in range(7)], union_ids=["ext1"]
    )
    assert (await scene_groups.add_members(added)).success is True
    assert emulator.requests[-1].body == {
        "open_conversation_id": cid,
        "user_ids": [f"u{n}" for n in range(7)],
        "union_ids": ["ext1"],
    }
    await scene_groups.add_members(added)  # again: nothing changes
    removed = SceneGroupMembersRequest(open_conversation_id=cid, user_ids=["bob", "u6"])
    assert (await scene_groups.remove_members(removed)).success is True

    pages = [page async for page in scene_groups.members(cid, page_size=3)]
    assert [page.member_user_ids for page in pages] == [
        (OWNER, "alice", "u0"),
        ("u1", "u2", "u3"),
        ("u4", "u5"),
    ]
    assert pages[-1].union_id_list == ("ext1",)
    assert [page.has_more for page in pages] == [True, True, False]
    assert emulator.requests[-1].body == {
        "openConversationId": cid,
        "maxResults": 3,
        "nextToken": pages[1].next_token,
    }
    whole = await scene_groups.members_page(
        SceneGroupMembersQuery(open_conversation_id=cid, max_results=1000)
    )
    assert len(whole.member_user_ids) + len(whole.union_id_list) == 9
    assert not whole.has_more


async def test_admins_nicknames_and_the_member_list_names(
    scene_groups: SceneGroupService, scene_group: CreateSceneGroupResult
) -> None:
    cid = scene_group.open_conversation_id
    admins = UpdateSceneGroupAdminsRequest(
        open_conversation_id=cid, role=SceneGroupRole.ADMIN, user_ids=["alice", "bob"]
    )
    assert (await scene_groups.update_admins(admins)).success is True
    nick = SceneGroupNickRequest(open_conversation_id=cid, user_id="alice", group_nick="小艾")
    assert (await scene_groups.set_nick(nick)).success is True
    page = await scene_groups.members_page(
        SceneGroupMembersQuery(open_conversation_id=cid, max_results=1000)
    )
    assert page.staff_id_nick_map["alice"] == "小艾"
    back = UpdateSceneGroupAdminsRequest(open_conversation_id=cid, role=3, user_ids=["bob"])
    await scene_groups.update_admins(back)


async def test_mute_a_member_then_read_and_lift_it(
    emulator: DingTalkEmulator,
    scene_groups: SceneGroupService,
    scene_group: CreateSceneGroupResult,
) -> None:
    cid = scene_group.open_conversation_id
    mute = MuteSceneGroupMembersRequest(
        open_conversation_id=cid,
        user_id_list=["bob"],
        mute_status=MuteStatus.MUTED,
        mute_duration=60_000,
    )
    await scene_groups.mute_members(mute)  # HTTP 200 without a body is its success
    assert emulator.requests[-1].status == 200
    state = await scene_groups.mute_settings(
        SceneGroupMuteQuery(open_conversation_id=cid, user_id="bob")
    )
    assert state.group_mute_mode is False
    assert state.user_mute_result is not None
    assert state.user_mute_result.user_mute_mode
    start, end = state.user_mute_result.mute_start_time, state.user_mute_result.mute_end_time
    assert start is not None
    assert end == start + 60_000
    unmute = MuteSceneGroupMembersRequest(
        open_conversation_id=cid, user_id_list=["bob"], mute_status=0, mute_duration=0
    )
    await scene_groups.mute_members(unmute)
    lifted = await scene_groups.mute_settings(
        SceneGroupMuteQuery(open_conversation_id=cid, user_id="bob")
    )
    assert lifted.user_mute_result is not None
    assert not lifted.user_mute_result.user_mute_mode


async def test_everyone_muted_shows_in_the_mute_settings(
    scene_groups: SceneGroupService,
) -> None:
    made = await scene_groups.create(
        create_request(management_options=SceneGroupOptions(chat_banned_type=1))
    )
    query = SceneGroupMuteQuery(open_conversation_id=made.open_conversation_id, user_id="alice")
    assert (await scene_groups.mute_settings(query)).group_mute_mode is True


async def test_disband_sets_status_2_and_is_safe_to_repeat(
    emulator: DingTalkEmulator,
    scene_groups: SceneGroupService,
    scene_group: CreateSceneGroupResult,
) -> None:
    cid = scene_group.open_conversation_id
    assert (await scene_groups.disband(cid)).success is True
    assert emulator.requests[-1].body == {"openConversationId": cid}
    assert (await scene_groups.disband(DisbandSceneGroupRequest(open_conversation_id=cid))).success
    info = await scene_groups.get(cid)
    assert info.status is SceneGroupStatus.DISBANDED
    assert info.disbanded


async def test_the_template_robot_is_the_apps_robot_in_a_new_group(
    emulator: DingTalkEmulator,
    scene_groups: SceneGroupService,
    scene_group: CreateSceneGroupResult,
) -> None:
    query = TemplateRobotQuery(
        open_conversation_id=scene_group.open_conversation_id, robot_code=emulator.robot_code
    )
    robot = await scene_groups.template_robot(query)
    assert robot.user_id == robot_user_id(emulator.robot_code)
    assert robot.union_id is None


async def test_the_client_has_the_service_on_its_transport(
    emulator: DingTalkEmulator, client: DingTalkClient
) -> None:
    made = await client.scene_groups.create(create_request())
    info = await client.scene_groups.get(made.open_conversation_id)
    assert info.open_conversation_id == made.open_conversation_id
    assert repr(client.scene_groups) == f"SceneGroupService(base_url={emulator.base_url!r})"


@pytest.mark.parametrize("size", [1, 2, 1000])
async def test_members_walks_every_page_for_any_page_size(
    scene_groups: SceneGroupService, size: int
) -> None:
    made = await scene_groups.create(create_request(user_ids=[f"m{n}" for n in range(5)]))
    found = [
        user
        async for page in scene_groups.members(made.open_conversation_id, page_size=size)
        for user in page.member_user_ids
    ]
    assert found == [OWNER, *(f"m{n}" for n in range(5))]

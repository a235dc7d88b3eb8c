"""Every rule of the scene-group requests is checked when a request is built, before any I/O,
and the error names the field."""

from __future__ import annotations

from typing import Any

import pytest

from dingtalk_im_async import (
    CreateSceneGroupRequest,
    MuteSceneGroupMembersRequest,
    MuteStatus,
    RequestValidationError,
    SceneGroupMembersQuery,
    SceneGroupMembersRequest,
    SceneGroupMuteQuery,
    SceneGroupNickRequest,
    SceneGroupOptions,
    SceneGroupRole,
    SceneGroupService,
    TemplateRobotQuery,
    UpdateSceneGroupAdminsRequest,
    UpdateSceneGroupRequest,
)
from dingtalk_im_async._core.wire import to_wire
from dingtalk_im_async.testing import DingTalkEmulator

CREATE: dict[str, Any] = {"title": "群", "template_id": "t", "owner_user_id": "o"}
CID = {"open_conversation_id": "cid1"}


MUTE: dict[str, Any] = {**CID, "user_id_list": ["a"], "mute_status": 1, "mute_duration": 1}
MANY = [f"u{n}" for n in range(1000)]
Create, Update = CreateSceneGroupRequest, UpdateSceneGroupRequest
Admins, Mute = UpdateSceneGroupAdminsRequest, MuteSceneGroupMembersRequest
BROKEN = [
    (Create, {**CREATE, "title": "x" * 31}, "title"),
    (Create, {**CREATE, "title": "  "}, "title"),
    (Create, {**CREATE, "template_id": ""}, "template_id"),
    (Create, {**CREATE, "owner_user_id": 5}, "owner_user_id"),
    (Create, {**CREATE, "user_ids": []}, "user_ids"),
    (Create, {**CREATE, "user_ids": "alice"}, "user_ids"),
    (Create, {**CREATE, "user_ids": MANY}, "user_ids"),
    (Create, {**CREATE, "subadmin_ids": ["a", " "]}, "subadmin_ids[1]"),
    (Create, {**CREATE, "uuid": "u" * 65}, "uuid"),
    (Create, {**CREATE, "uuid": ""}, "uuid"),
    (Create, {**CREATE, "icon": ""}, "icon"),
    (Create, {**CREATE, "management_options": {"searchable": 1}}, "management_options"),
    (
        Create,
        {**CREATE, "management_options": SceneGroupOptions(plugin_customize_verify=1)},
        "management_options",
    ),
    (Update, CID, "request"),
    (Update, {**CID, "title": "x" * 31}, "title"),
    (Update, {**CID, "owner_user_id": "a", "owner_union_id": "b"}, "owner_union_id"),
    (Update, {**CID, "management_options": SceneGroupOptions()}, "management_options"),
    (Update, {"open_conversation_id": " ", "title": "t"}, "open_conversation_id"),
    (SceneGroupMembersRequest, CID, "user_ids"),
    (SceneGroupMembersRequest, {**CID, "union_ids": []}, "union_ids"),
    (SceneGroupMembersQuery, {**CID, "max_results": 0}, "max_results"),
    (SceneGroupMembersQuery, {**CID, "max_results": 1001}, "max_results"),
    (SceneGroupMembersQuery, {**CID, "max_results": True}, "max_results"),
    (Admins, {**CID, "role": 1, "user_ids": ["a"]}, "role"),
    (Admins, {**CID, "role": 2}, "user_ids"),
    (Admins, {**CID, "role": 2, "user_ids": MANY[:13]}, "user_ids"),
    (SceneGroupNickRequest, {**CID, "user_id": "a", "group_nick": "n" * 31}, "group_nick"),
    (SceneGroupNickRequest, {**CID, "user_id": "", "group_nick": "n"}, "user_id"),
    (Mute, {**MUTE, "user_id_list": []}, "user_id_list"),
    (Mute, {**MUTE, "user_id_list": MANY}, "user_id_list"),
    (Mute, {**MUTE, "mute_status": 2}, "mute_status"),
    (Mute, {**MUTE, "mute_duration": -1}, "mute_duration"),
    (Mute, {**MUTE, "mute_duration": 1.5}, "mute_duration"),
    (SceneGroupMuteQuery, {**CID, "user_id": ""}, "user_id"),
    (TemplateRobotQuery, {**CID, "robot_code": " "}, "robot_code"),
    (SceneGroupOptions, {"chat_banned_type": 2}, "chat_banned_type"),
    (SceneGroupOptions, {"searchable": True}, "searchable"),
]


@pytest.mark.parametrize(("build", "fields", "field_name"), BROKEN)
def test_a_broken_rule_names_its_field(
    build: type[Any], fields: dict[str, Any], field_name: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        build(**fields)
    assert caught.value.field == field_name
    assert isinstance(caught.value, ValueError)


def test_enums_take_their_raw_values_and_lists_become_tuples() -> None:
    admins = UpdateSceneGroupAdminsRequest(**CID, role=2, union_ids=["x"])
    assert admins.role is SceneGroupRole.ADMIN
    assert admins.union_ids == ("x",)
    with pytest.raises(RequestValidationError, match="union_ids: must be a list of strings"):
        UpdateSceneGroupAdminsRequest(**CID, role=2, union_ids=iter(["x"]))  # not a list
    mute = MuteSceneGroupMembersRequest(**CID, user_id_list=["a"], mute_status=0, mute_duration=0)
    assert mute.mute_status is MuteStatus.UNMUTED
    assert to_wire(mute) == {
        "openConversationId": "cid1",
        "userIdList": ["a"],
        "muteStatus": 0,
        "muteDuration": 0,
    }


def test_create_and_member_bodies_are_snake_case_the_others_camel_case() -> None:
    create = CreateSceneGroupRequest(
        **CREATE, user_ids=["a"], management_options=SceneGroupOptions(only_admin_can_ding=1)
    )
    assert to_wire(create) == {
        "title": "群",
        "template_id": "t",
        "owner_user_id": "o",
        "user_ids": ["a"],
        "management_options": {"only_admin_can_ding": 1},
    }
    members = SceneGroupMembersRequest(**CID, union_ids=["x"])
    assert to_wire(members) == {"open_conversation_id": "cid1", "union_ids": ["x"]}
    nick = SceneGroupNickRequest(**CID, user_id="a", group_nick="阿")
    assert to_wire(nick) == {"openConversationId": "cid1", "userId": "a", "groupNick": "阿"}
    query = SceneGroupMembersQuery(**CID, max_results=10, next_token="20")
    assert to_wire(query) == {"openConversationId": "cid1", "maxResults": 10, "nextToken": "20"}


async def test_a_bad_request_is_refused_before_any_io(
    emulator: DingTalkEmulator, scene_groups: SceneGroupService
) -> None:
    with pytest.raises(RequestValidationError):
        await scene_groups.create(CreateSceneGroupRequest(**{**CREATE, "title": ""}))
    with pytest.raises(RequestValidationError, match="must be a CreateSceneGroupRequest"):
        await scene_groups.create(CID)  # type: ignore[arg-type]
    with pytest.raises(RequestValidationError):
        await scene_groups.disband(" ")
    with pytest.raises(RequestValidationError):
        await scene_groups.get("")
    with pytest.raises(RequestValidationError):
        [page async for page in scene_groups.members("cid1", page_size=0)]
    assert emulator.requests == []

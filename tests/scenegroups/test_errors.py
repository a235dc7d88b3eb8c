"""Every code the scene-group pages document raises its class through the service, with the
documented verdict; undocumented answers stay unknown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from dingtalk_im_async import (
    ApiError,
    DisbandSceneGroupRequest,
    GroupDisbandedError,
    GroupNotFoundError,
    GroupTemplateError,
    InvalidParameterError,
    MemberLimitError,
    MuteSceneGroupMembersRequest,
    PermissionCheckError,
    SceneGroupMembersQuery,
    SceneGroupMembersRequest,
    SceneGroupMuteQuery,
    SceneGroupNickRequest,
    SceneGroupService,
    SubAdminLimitError,
    TemplateRobotQuery,
    UnknownUserError,
    UnsuccessfulReplyError,
    UpdateSceneGroupAdminsRequest,
    UpdateSceneGroupRequest,
    Verdict,
)
from dingtalk_im_async._core.endpoint import Endpoint, declared_endpoints
from dingtalk_im_async._core.service import operations
from dingtalk_im_async.testing import DingTalkEmulator
from tests.scenegroups.conftest import create_request

CID = "cid1"
#: A valid call of each of the family's endpoints, by service method.
CALLS: dict[str, Callable[[SceneGroupService], Awaitable[Any]]] = {
    "create": lambda s: s.create(create_request()),
    "update": lambda s: s.update(UpdateSceneGroupRequest(open_conversation_id=CID, title="t")),
    "add_members": lambda s: s.add_members(
        SceneGroupMembersRequest(open_conversation_id=CID, user_ids=["a"])
    ),
    "remove_members": lambda s: s.remove_members(
        SceneGroupMembersRequest(open_conversation_id=CID, user_ids=["a"])
    ),
    "members_page": lambda s: s.members_page(
        SceneGroupMembersQuery(open_conversation_id=CID, max_results=5)
    ),
    "get": lambda s: s.get(CID),
    "update_admins": lambda s: s.update_admins(
        UpdateSceneGroupAdminsRequest(open_conversation_id=CID, role=2, user_ids=["a"])
    ),
    "set_nick": lambda s: s.set_nick(
        SceneGroupNickRequest(open_conversation_id=CID, user_id="a", group_nick="n")
    ),
    "mute_members": lambda s: s.mute_members(
        MuteSceneGroupMembersRequest(
            open_conversation_id=CID, user_id_list=["a"], mute_status=1, mute_duration=1
        )
    ),
    "mute_settings": lambda s: s.mute_settings(
        SceneGroupMuteQuery(open_conversation_id=CID, user_id="a")
    ),
    "disband": lambda s: s.disband(DisbandSceneGroupRequest(open_conversation_id=CID)),
    "template_robot": lambda s: s.template_robot(
        TemplateRobotQuery(open_conversation_id=CID, robot_code="r")
    ),
}
METHODS = operations(SceneGroupService)
FAMILY = [endpoint for endpoint in declared_endpoints() if endpoint.family == "scenegroups"]


def test_every_endpoint_of_the_family_has_a_call_here() -> None:
    assert {id(METHODS[name]) for name in CALLS} == {id(endpoint) for endpoint in FAMILY}


def documented(endpoint: Endpoint[Any, Any]) -> list[tuple[str, type[ApiError]]]:
    """Each code the endpoint's table names beyond the common ones, with its class."""
    codes = endpoint.codes
    found = list(codes.classes.items())
    found += [(code, ApiError) for code in codes.refusals if not code.isdigit()]
    found += [(prefix + "orgNotInGrayList", cls) for prefix, cls in codes.prefixes]
    return [(code, cls) for code, cls in found if not code.isdigit()]


CASES = [
    pytest.param(name, code, cls, id=f"{name}:{code}")
    for name in CALLS
    for code, cls in documented(METHODS[name])
    if not code.startswith(("Forbidden.", "AuthenticationFailed.", "InvalidAuthentication"))
    and code not in ("invalidClientIdOrSecret", "system.busy", "system.error")
]


@pytest.mark.parametrize(("name", "code", "cls"), CASES)
async def test_each_documented_code_raises_its_class_rejected(
    emulator: DingTalkEmulator,
    scene_groups: SceneGroupService,
    name: str,
    code: str,
    cls: type[ApiError],
) -> None:
    emulator.fail_next(status=400, code=code, message="m", api=METHODS[name].api)
    with pytest.raises(ApiError) as caught:
        await CALLS[name](scene_groups)
    assert type(caught.value) is cls
    assert caught.value.verdict is Verdict.REJECTED


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("groupTemplate.notFound", GroupTemplateError),
        ("groupTemplate.permessionDenied.appNotInstalled", GroupTemplateError),
        ("groupTemplate.permessionDenied.orgNotConsistent", GroupTemplateError),
        ("member.exceed", MemberLimitError),
        ("member.notFound", UnknownUserError),
        ("permession.checkFailed", PermissionCheckError),
        ("parameter.invalid", InvalidParameterError),
    ],
)
async def test_the_create_pages_codes(
    emulator: DingTalkEmulator, scene_groups: SceneGroupService, code: str, cls: type[ApiError]
) -> None:
    emulator.fail_next(status=400, code=code, message="m", api="im.sceneGroup.create")
    with pytest.raises(cls) as caught:
        await scene_groups.create(create_request())
    assert caught.value.verdict is Verdict.REJECTED


async def test_the_classes_a_caller_acts_on(
    emulator: DingTalkEmulator, scene_groups: SceneGroupService
) -> None:
    for code, cls in [
        ("groupDisbang", GroupDisbandedError),
        ("invalidOpenConversationId", GroupNotFoundError),
        ("subAdminNumberExcessive", SubAdminLimitError),
        ("userNotInGroup", UnknownUserError),
    ]:
        emulator.fail_next(status=400, code=code, message="m", api="im.sceneGroups.subAdmins")
        with pytest.raises(cls):
            await CALLS["update_admins"](scene_groups)


async def test_system_error_with_http_400_is_unknown(
    emulator: DingTalkEmulator, scene_groups: SceneGroupService
) -> None:
    """`systemError` ("系统异常") is documented with HTTP 400 but says nothing of the call."""
    emulator.fail_next(
        status=400, code="systemError", message="系统异常", api="im.sceneGroups.query"
    )
    with pytest.raises(ApiError) as caught:
        await scene_groups.get(CID)
    assert caught.value.verdict is Verdict.UNKNOWN


async def test_success_false_is_unknown(
    emulator: DingTalkEmulator, scene_groups: SceneGroupService
) -> None:
    emulator.reply_next(body=b'{"success": false}', api="im.sceneGroup.update")
    with pytest.raises(UnsuccessfulReplyError) as caught:
        await CALLS["update"](scene_groups)
    assert caught.value.verdict is Verdict.UNKNOWN


async def test_a_body_on_a_mute_is_read_and_an_empty_one_elsewhere_is_malformed(
    emulator: DingTalkEmulator, scene_groups: SceneGroupService
) -> None:
    emulator.reply_next(body=b"{}", api="im.sceneGroups.muteMembers.set")
    await CALLS["mute_members"](scene_groups)  # DingTalk may also send an empty object
    emulator.reply_next(body=b"", api="im.sceneGroups.query")
    with pytest.raises(Exception, match="empty body") as caught:
        await scene_groups.get(CID)
    assert caught.value.verdict is Verdict.UNKNOWN  # type: ignore[attr-defined]


def test_the_internal_only_apis_say_so() -> None:
    internal = {endpoint.api for endpoint in FAMILY if endpoint.internal_only}
    assert internal == {
        "im.sceneGroups.muteMembers.set",
        "im.sceneGroups.muteSettings",
        "im.chat.scenegroup.disband",
    }

"""The official SDK (`alibabacloud-dingtalk`'s `im_1_0`), unchanged, against the emulator: its
scene-group calls (create, member add, members batch query, query, disband) get the replies
and errors the emulator's contract promises, so the emulator answers as DingTalk documents,
not only as this client expects."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_dingtalk.im_1_0 import models as im  # type: ignore[import-untyped]
from alibabacloud_dingtalk.im_1_0.client import Client  # type: ignore[import-untyped]
from alibabacloud_tea_openapi import models as openapi_models  # type: ignore[import-untyped]
from alibabacloud_tea_util import models as util_models  # type: ignore[import-untyped]
from Tea.exceptions import TeaException  # type: ignore[import-untyped]

from dingtalk_im_async.testing import DingTalkEmulator

RUNTIME = util_models.RuntimeOptions(autoretry=False, max_attempts=1)


def sdk(emulator: DingTalkEmulator) -> Any:
    """The SDK pointed at the emulator: its endpoint is host:port, over plain http."""
    return Client(openapi_models.Config(endpoint=f"127.0.0.1:{emulator.port}", protocol="http"))


def token(emulator: DingTalkEmulator) -> str:
    return emulator.issue_token()


async def create(emulator: DingTalkEmulator, **fields: Any) -> Any:
    request = im.CreateSceneGroupRequest(
        title=fields.pop("title", "官方SDK场景群"),
        template_id=fields.pop("template_id", "sdk-template"),
        owner_user_id="boss",
        **fields,
    )
    headers = im.CreateSceneGroupHeaders(x_acs_dingtalk_access_token=token(emulator))
    response = await sdk(emulator).create_scene_group_with_options_async(request, headers, RUNTIME)
    assert response.status_code == 200
    return response.body


async def test_the_sdks_scene_group_calls_see_the_contract(emulator: DingTalkEmulator) -> None:
    client = sdk(emulator)
    made = await create(
        emulator,
        user_ids=["alice", "bob"],
        subadmin_ids=["alice"],
        uuid="sdk-dedup-1",
        management_options=im.CreateSceneGroupRequestManagementOptions(chat_banned_type=1),
    )
    cid = made.open_conversation_id
    assert cid.startswith("cid")
    assert made.chat_id.startswith("chat")
    assert emulator.requests[-1].body["management_options"] == {"chat_banned_type": 1}
    replay = await create(emulator, title="不同的名字", uuid="sdk-dedup-1")
    assert (replay.open_conversation_id, replay.chat_id) == (cid, made.chat_id)

    added = await client.add_scene_group_member_with_options_async(
        im.AddSceneGroupMemberRequest(open_conversation_id=cid, user_ids=["carol", "dave"]),
        im.AddSceneGroupMemberHeaders(x_acs_dingtalk_access_token=token(emulator)),
        RUNTIME,
    )
    assert added.body.success is True

    seen: list[str] = []
    next_token = None
    pages = 0
    while True:
        page = await client.batch_query_group_member_with_options_async(
            im.BatchQueryGroupMemberRequest(
                open_conversation_id=cid, max_results=2, next_token=next_token
            ),
            im.BatchQueryGroupMemberHeaders(x_acs_dingtalk_access_token=token(emulator)),
            RUNTIME,
        )
        pages += 1
        seen += page.body.member_user_ids
        if not page.body.has_more:
            break
        next_token = page.body.next_token
    assert (seen, pages) == (["boss", "alice", "bob", "carol", "dave"], 3)

    query_headers = im.GetSceneGroupInfoHeaders(x_acs_dingtalk_access_token=token(emulator))
    info = await client.get_scene_group_info_with_options_async(
        im.GetSceneGroupInfoRequest(open_conversation_id=cid), query_headers, RUNTIME
    )
    body = info.body
    assert (body.open_conversation_id, body.title, body.owner_user_id) == (
        cid,
        "官方SDK场景群",
        "boss",
    )
    assert (body.template_id, body.status) == ("sdk-template", 1)

    disbanded = await client.dsband_open_scene_group_with_options_async(
        im.DsbandOpenSceneGroupRequest(open_conversation_id=cid),
        im.DsbandOpenSceneGroupHeaders(x_acs_dingtalk_access_token=token(emulator)),
        RUNTIME,
    )
    assert disbanded.body.success is True
    after = await client.get_scene_group_info_with_options_async(
        im.GetSceneGroupInfoRequest(open_conversation_id=cid), query_headers, RUNTIME
    )
    assert after.body.status == 2
    assert len(await emulator.list_scene_groups()) == 1


async def test_the_sdk_sees_the_documented_refusals(emulator: DingTalkEmulator) -> None:
    client = sdk(emulator)
    await emulator.configure(scene_group_templates=["known"])
    with pytest.raises(TeaException) as unknown_template:
        await create(emulator, template_id="unknown")
    assert (unknown_template.value.code, unknown_template.value.data["statusCode"]) == (
        "groupTemplate.notFound",
        400,
    )
    with pytest.raises(TeaException) as crowd:
        await create(emulator, template_id="known", user_ids=[f"u{n}" for n in range(1000)])
    assert crowd.value.code == "member.exceed"
    with pytest.raises(TeaException) as no_group:
        await client.batch_query_group_member_with_options_async(
            im.BatchQueryGroupMemberRequest(open_conversation_id="cidnope", max_results=5),
            im.BatchQueryGroupMemberHeaders(x_acs_dingtalk_access_token=token(emulator)),
            RUNTIME,
        )
    assert no_group.value.code == "cidEncryptError"
    plain = await emulator.add_group(name="普通群", owner="boss")
    with pytest.raises(TeaException) as no_template:
        await client.get_scene_group_info_with_options_async(
            im.GetSceneGroupInfoRequest(open_conversation_id=plain.open_conversation_id),
            im.GetSceneGroupInfoHeaders(x_acs_dingtalk_access_token=token(emulator)),
            RUNTIME,
        )
    assert no_template.value.code == "groupPermissionDenied"

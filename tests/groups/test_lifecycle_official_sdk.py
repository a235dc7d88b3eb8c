"""The official SDK (`alibabacloud-dingtalk`), unchanged, against the emulator: its
`update_group`, `chat_id_to_open_conversation_id` and `chat_sub_admin_update` get the results
and errors DingTalk documents, so the emulator answers as DingTalk does, not only as this
client expects."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from alibabacloud_dingtalk.im_1_0 import models as im_models  # type: ignore[import-untyped]
from alibabacloud_dingtalk.im_1_0.client import Client  # type: ignore[import-untyped]
from alibabacloud_tea_openapi import models as openapi_models  # type: ignore[import-untyped]
from alibabacloud_tea_util import models as util_models  # type: ignore[import-untyped]
from Tea.exceptions import TeaException  # type: ignore[import-untyped]

from dingtalk_im_async import CreateGroupResult
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.lifecycle_support import lifecycle_service, new_group

RUNTIME = util_models.RuntimeOptions(autoretry=False, max_attempts=1)


def sdk_client(emulator: DingTalkEmulator) -> Any:
    """The SDK pointed at the emulator: its endpoint is host:port, over plain http."""
    return Client(openapi_models.Config(endpoint=f"127.0.0.1:{emulator.port}", protocol="http"))


@pytest.fixture
async def group(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> CreateGroupResult:
    return await new_group(lifecycle_service(emulator, session), members=["alice", "bob"])


async def test_update_group(emulator: DingTalkEmulator, group: CreateGroupResult) -> None:
    request = im_models.UpdateGroupRequest(
        chatid=group.chatid,
        name="官方SDK改名",
        add_useridlist=["carol"],
        del_useridlist=["bob"],
        management_options=im_models.UpdateGroupRequestManagementOptions(chat_banned_type=1),
    )
    headers = im_models.UpdateGroupHeaders(x_acs_dingtalk_access_token=emulator.issue_token())
    response = await sdk_client(emulator).update_group_with_options_async(request, headers, RUNTIME)
    assert response.status_code == 200
    assert response.body.success is True
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    assert (stored.name, stored.members) == ("官方SDK改名", ["manager4220", "alice", "carol"])
    assert stored.options["chatBannedType"] == 1
    assert emulator.requests[-1].body == {
        "add_useridlist": ["carol"],
        "chatid": group.chatid,
        "del_useridlist": ["bob"],
        "managementOptions": {"chatBannedType": 1},
        "name": "官方SDK改名",
    }


async def test_update_group_refusals_reach_the_sdk_as_documented(
    emulator: DingTalkEmulator, group: CreateGroupResult
) -> None:
    headers = im_models.UpdateGroupHeaders(x_acs_dingtalk_access_token=emulator.issue_token())
    client = sdk_client(emulator)
    cases = [
        (im_models.UpdateGroupRequest(chatid="chat404", name="n"), "invalideChatId"),
        (im_models.UpdateGroupRequest(chatid=group.chatid, owner="carol"), "parameter.invalid"),
        (im_models.UpdateGroupRequest(chatid=group.chatid, name="x" * 21), "parameter.invalid"),
    ]
    for request, code in cases:
        with pytest.raises(TeaException) as caught:
            await client.update_group_with_options_async(request, headers, RUNTIME)
        assert (caught.value.code, caught.value.data["statusCode"]) == (code, 400)
    emulator.configure(visible_users=frozenset({"manager4220"}))
    with pytest.raises(TeaException) as hidden:
        await client.update_group_with_options_async(
            im_models.UpdateGroupRequest(chatid=group.chatid, add_useridlist=["stranger"]),
            headers,
            RUNTIME,
        )
    assert hidden.value.code == "permession.checkFailed"


async def test_chat_id_to_open_conversation_id(
    emulator: DingTalkEmulator, group: CreateGroupResult
) -> None:
    headers = im_models.ChatIdToOpenConversationIdHeaders(
        x_acs_dingtalk_access_token=emulator.issue_token()
    )
    client = sdk_client(emulator)
    response = await client.chat_id_to_open_conversation_id_with_options_async(
        group.chatid, headers, RUNTIME
    )
    assert response.body.open_conversation_id == group.open_conversation_id
    with pytest.raises(TeaException) as caught:
        await client.chat_id_to_open_conversation_id_with_options_async("chat404", headers, RUNTIME)
    assert caught.value.code == "invalideChatId"


async def test_chat_sub_admin_update(emulator: DingTalkEmulator, group: CreateGroupResult) -> None:
    headers = im_models.ChatSubAdminUpdateHeaders(
        x_acs_dingtalk_access_token=emulator.issue_token()
    )
    client = sdk_client(emulator)
    add = im_models.ChatSubAdminUpdateRequest(
        open_conversation_id=group.open_conversation_id, user_ids=["alice", "bob"], role=2
    )
    response = await client.chat_sub_admin_update_with_options_async(add, headers, RUNTIME)
    assert response.body.success == "true"  # the SDK's model: a string, as documented
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    assert stored.sub_admins == {"alice", "bob"}
    remove = im_models.ChatSubAdminUpdateRequest(
        open_conversation_id=group.open_conversation_id, user_ids=["bob"], role=3
    )
    await client.chat_sub_admin_update_with_options_async(remove, headers, RUNTIME)
    assert stored.sub_admins == {"alice"}
    for request, code in [
        (
            im_models.ChatSubAdminUpdateRequest(
                open_conversation_id="cid404", user_ids=["alice"], role=2
            ),
            "invalidParameter.openConversationId.invalid",
        ),
        (
            im_models.ChatSubAdminUpdateRequest(
                open_conversation_id=group.open_conversation_id, user_ids=["zed"], role=2
            ),
            "staff.not.found",
        ),
        (
            im_models.ChatSubAdminUpdateRequest(
                open_conversation_id=group.open_conversation_id, user_ids=["alice"], role=5
            ),
            "invalidParamter.role",
        ),
    ]:
        with pytest.raises(TeaException) as caught:
            await client.chat_sub_admin_update_with_options_async(request, headers, RUNTIME)
        assert caught.value.code == code

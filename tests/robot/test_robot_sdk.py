"""The official SDK (`alibabacloud-dingtalk`), run unchanged against the emulator over HTTP:
`org_group_send`, `org_group_query` and `org_group_recall` get DingTalk's documented results,
and its send body is the one `RobotService` sends."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from alibabacloud_dingtalk.robot_1_0 import models as robot_models
from alibabacloud_dingtalk.robot_1_0.client import Client as RobotClient
from alibabacloud_tea_openapi import models as openapi_models
from alibabacloud_tea_util import models as util_models

from dingtalk_im_async import GroupService, Markdown, RobotService
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.robot_support import SEND_API, message_to, new_group, robot, stored

__all__ = ["robot"]


def sdk_client(emulator: DingTalkEmulator) -> Any:
    """The SDK pointed at the emulator: its endpoint is the host:port, over plain http."""
    host = emulator.base_url.split("://", 1)[1]
    return RobotClient(openapi_models.Config(endpoint=host, protocol="http"))


def headers(cls: Any, emulator: DingTalkEmulator) -> Any:
    return cls(x_acs_dingtalk_access_token=emulator.issue_token())


async def sdk_send(emulator: DingTalkEmulator, cid: str, msg_key: str, msg_param: str) -> Any:
    """`org_group_send_with_options` as DingTalk's Python sample calls it (synchronously,
    here in a thread so the emulator's loop keeps serving)."""
    request = robot_models.OrgGroupSendRequest(
        msg_param=msg_param, msg_key=msg_key, open_conversation_id=cid, robot_code=emulator.app_key
    )
    return await asyncio.to_thread(
        sdk_client(emulator).org_group_send_with_options,
        request,
        headers(robot_models.OrgGroupSendHeaders, emulator),
        util_models.RuntimeOptions(),
    )


async def test_org_group_send_posts_and_returns_the_process_query_key(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    response = await sdk_send(
        emulator, group.open_conversation_id, "sampleText", '{"content":"钉钉，让进步发生"}'
    )
    assert response.status_code == 200
    [posted] = stored(emulator, group).messages
    assert response.body.process_query_key == posted.process_query_key
    assert (posted.msg_key, posted.msg_param) == ("sampleText", {"content": "钉钉，让进步发生"})


async def test_org_group_query_pages_the_readers_and_org_group_recall_recalls(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    sent = await sdk_send(emulator, group.open_conversation_id, "sampleText", '{"content":"x"}')
    key = sent.body.process_query_key
    emulator.store.mark_read(key, "alice", "bob")
    client = sdk_client(emulator)

    async def query(next_token: str | None = None) -> Any:
        request = robot_models.OrgGroupQueryRequest(
            open_conversation_id=group.open_conversation_id,
            robot_code=emulator.app_key,
            process_query_key=key,
            max_results=1,
            next_token=next_token,
        )
        response = await client.org_group_query_with_options_async(
            request,
            headers(robot_models.OrgGroupQueryHeaders, emulator),
            util_models.RuntimeOptions(),
        )
        return response.body

    first = await query()
    assert (first.send_status, first.read_user_ids, first.has_more) == ("SUCCESS", ["alice"], True)
    second = await query(first.next_token)
    assert (second.read_user_ids, second.has_more) == (["bob"], False)

    recall = await client.org_group_recall_with_options_async(
        robot_models.OrgGroupRecallRequest(
            open_conversation_id=group.open_conversation_id,
            robot_code=emulator.app_key,
            process_query_keys=[key, "nosuchkey"],
        ),
        headers(robot_models.OrgGroupRecallHeaders, emulator),
        util_models.RuntimeOptions(),
    )
    assert recall.body.success_result == [key]
    assert set(recall.body.failed_result) == {"nosuchkey"}
    assert (await query()).send_status == "RECALLED"


@pytest.mark.parametrize(
    ("setup", "code"),
    [("no robot", "invalidParameter.robotCode.empty"), ("too fast", "send.too.fast")],
)
async def test_the_sdk_sees_dingtalks_http_400_codes(
    groups: GroupService, emulator: DingTalkEmulator, setup: str, code: str
) -> None:
    group = await new_group(groups)
    if setup == "no robot":
        stored(emulator, group).robots.clear()
    else:
        emulator.configure(group_message_limit=0)
    with pytest.raises(Exception) as caught:
        await sdk_send(emulator, group.open_conversation_id, "sampleText", '{"content":"x"}')
    assert caught.value.code == code
    assert caught.value.data["statusCode"] == 400
    assert stored(emulator, group).messages == []


async def test_the_sdk_and_robot_service_send_the_same_body(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    message = Markdown("周报", "## 本周\n- 完成 **3** 项")
    await robot.send(message_to(group, message))
    await sdk_send(
        emulator,
        group.open_conversation_id,
        message.msg_key,
        json.dumps(message.msg_param(), ensure_ascii=False),
    )
    ours, theirs = [entry.body for entry in emulator.requests if entry.api == SEND_API]
    assert set(ours) == set(theirs)
    assert json.loads(ours.pop("msgParam")) == json.loads(theirs.pop("msgParam"))
    assert ours == theirs
    assert [m.msg_param for m in stored(emulator, group).messages] == [message.msg_param()] * 2

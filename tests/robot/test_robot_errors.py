"""Every documented robot error, produced by the emulator's rules (or scheduled where only
DingTalk can cause it), raised as its class with the right verdict."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async import (
    ApiError,
    CallQuotaExceededError,
    GroupDisbandedError,
    GroupMessage,
    GroupService,
    InvalidParameterError,
    RateLimitError,
    RawMessage,
    RecallRequest,
    RobotNotInGroupError,
    RobotNotOwnedError,
    RobotService,
    RobotStoppedError,
    Text,
    TransportError,
    UnknownSendResultError,
    Verdict,
)
from dingtalk_im_async.robot.api import SEND_GROUP_MESSAGE
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.conftest import app_provider
from tests.support.emulator_routes import call_oapi, emulator_with_test_routes
from tests.support.raw_http import post
from tests.support.robot_support import (
    QUERY_API,
    RECALL_API,
    ROBOTS_API,
    SEND_API,
    message_to,
    new_group,
    robot,
    stored,
)

__all__ = ["robot"]


async def test_a_group_without_the_robot_says_to_add_it(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(robot_in_new_groups=False) as emulator:
        tokens = app_provider(emulator, session)
        groups = GroupService(session, tokens, base_url=emulator.base_url)
        robot = RobotService(
            session, tokens, robot_code=emulator.robot_code, base_url=emulator.base_url
        )
        group = await new_group(groups)
        assert not await robot.installed(group.open_conversation_id)
        with pytest.raises(RobotNotInGroupError) as caught:
            await robot.send(message_to(group))
        assert caught.value.verdict is Verdict.REJECTED
        assert caught.value.code == "invalidParameter.robotCode.empty"
        assert "Add the app's robot to the group" in str(caught.value)
        with pytest.raises(RobotNotInGroupError):
            await robot.recall(
                RecallRequest(
                    open_conversation_id=group.open_conversation_id, process_query_keys=["key"]
                )
            )
        stored(emulator, group).robots.add(emulator.robot_code)  # someone adds it
        await robot.send(message_to(group))
        assert len(stored(emulator, group).messages) == 1


async def test_another_apps_robot_says_to_use_this_apps(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    group = await new_group(groups)
    stored(emulator, group).robots.add("dingsomeoneelse")
    foreign = RobotService(
        session,
        app_provider(emulator, session),
        robot_code="dingsomeoneelse",
        base_url=emulator.base_url,
    )
    for call in (
        foreign.send(message_to(group)),
        foreign.recall(
            RecallRequest(open_conversation_id=group.open_conversation_id, process_query_keys=["k"])
        ),
        anext(foreign.read_status(group.open_conversation_id, "k")),
    ):
        with pytest.raises(RobotNotOwnedError) as caught:
            await call
        assert caught.value.verdict is Verdict.REJECTED
        assert "the app key" in str(caught.value)
    assert stored(emulator, group).messages == []


async def test_a_disbanded_group_and_a_stopped_robot_are_refusals(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    emulator.configure(stopped_robots=emulator.settings.stopped_robots | {emulator.robot_code})
    with pytest.raises(RobotStoppedError) as stopped:
        await robot.send(message_to(group))
    assert stopped.value.verdict is Verdict.REJECTED
    assert "Enable the robot" in str(stopped.value)
    emulator.configure(stopped_robots=())
    stored(emulator, group).status = 2  # disbanded
    with pytest.raises(GroupDisbandedError) as disbanded:
        await robot.send(message_to(group))
    assert disbanded.value.verdict is Verdict.REJECTED
    assert stored(emulator, group).messages == []


async def test_unknown_groups_kinds_and_keys_are_invalid_parameters(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    with pytest.raises(InvalidParameterError, match=re.escape("invalid.openConversationId")):
        await robot.send(GroupMessage(open_conversation_id="cidnosuchgroup", message=Text("x")))
    with pytest.raises(InvalidParameterError, match=re.escape("invalidParameter.msgKey.invalid")):
        await robot.send(message_to(group, RawMessage(key="sampleHologram", param={"a": 1})))
    with pytest.raises(InvalidParameterError, match=re.escape("invalid.processQueryKey")) as query:
        await anext(robot.read_status(group.open_conversation_id, "nosuchkey"))
    with pytest.raises(InvalidParameterError, match=re.escape("illegal.openconevrsation.id")):
        await robot.robots("cidnosuchgroup")
    assert query.value.verdict is Verdict.REJECTED
    assert stored(emulator, group).messages == []


async def test_sending_too_fast_is_a_rate_limit_with_http_400(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(group_message_limit=2) as emulator:
        tokens = app_provider(emulator, session)
        robot = RobotService(
            session, tokens, robot_code=emulator.robot_code, base_url=emulator.base_url
        )
        group = await new_group(GroupService(session, tokens, base_url=emulator.base_url))
        await robot.send(message_to(group))
        await robot.send(message_to(group))
        with pytest.raises(RateLimitError) as caught:
            await robot.send(message_to(group))
        assert (caught.value.status, caught.value.code) == (400, "send.too.fast")
        assert caught.value.verdict is Verdict.REJECTED
        assert len(stored(emulator, group).messages) == 2


@pytest.mark.parametrize("code", ["too.many.group", "too.many.people", "send.byToken.tooFast"])
async def test_the_other_robot_rate_limits_are_rate_limits_too(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator, code: str
) -> None:
    group = await new_group(groups)
    emulator.fail_next(status=400, code=code, message="发送频繁限流", api=SEND_API)
    with pytest.raises(RateLimitError) as caught:
        await robot.send(message_to(group))
    assert caught.value.verdict is Verdict.REJECTED
    assert emulator.calls(SEND_API) == 1


async def test_an_unknown_send_result_is_unknown_and_never_resent(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    emulator.fail_next(
        status=400, code="unknown.send.result", message="未知的发送结果", api=SEND_API
    )
    with pytest.raises(UnknownSendResultError) as caught:
        await robot.send(message_to(group))
    assert caught.value.verdict is Verdict.UNKNOWN
    assert "look at the group" in str(caught.value)
    assert emulator.calls(SEND_API) == 1


async def test_a_lost_reply_leaves_a_posted_message_and_an_unknown_verdict(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    emulator.faults_for(SEND_API).schedule(Fault.DROPPED_MID_RESPONSE)
    with pytest.raises(TransportError) as caught:
        await robot.send(message_to(group))
    assert caught.value.verdict is Verdict.UNKNOWN
    assert emulator.calls(SEND_API) == 1  # not sent again
    assert len(stored(emulator, group).messages) == 1  # yet it is in the group


async def test_a_server_error_is_retried_and_posts_once(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    emulator.fail_next(api=SEND_API)  # HTTP 500 system.error: DingTalk did not do it
    await robot.send(message_to(group))
    assert emulator.calls(SEND_API) == 2
    assert len(stored(emulator, group).messages) == 1


async def test_read_status_not_ready_is_a_documented_refusal(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    sent = await robot.send(message_to(group))
    emulator.fail_next(
        status=400,
        code="processQueryKey.expireTime",
        message="processQueryKey还未生成消息查询数据或已过期",
        api=QUERY_API,
    )
    with pytest.raises(ApiError) as caught:
        await anext(robot.read_status(group.open_conversation_id, sent.process_query_key))
    assert caught.value.verdict is Verdict.REJECTED
    [page] = [
        p async for p in robot.read_status(group.open_conversation_id, sent.process_query_key)
    ]
    assert page.read_user_ids == ()


async def test_the_quota_stops_robot_calls_but_not_tokens(session: aiohttp.ClientSession) -> None:
    async with DingTalkEmulator(monthly_call_quota=3) as emulator:
        tokens = app_provider(emulator, session)
        robot = RobotService(
            session, tokens, robot_code=emulator.robot_code, base_url=emulator.base_url
        )
        group = await new_group(GroupService(session, tokens, base_url=emulator.base_url))
        await robot.send(message_to(group))
        await robot.installed(group.open_conversation_id)
        for call in (robot.send(message_to(group)), robot.robots(group.open_conversation_id)):
            with pytest.raises(CallQuotaExceededError) as caught:
                await call
            assert caught.value.verdict is Verdict.REJECTED
            assert caught.value.status == 403
        assert emulator.quota_used == 3
        await tokens.invalidate(await tokens.get_token())
        await tokens.get_token()  # the token endpoint is exempt
        assert emulator.token_fetches == 2
        assert len(stored(emulator, group).messages) == 1
        emulator.reset()
        assert emulator.quota_used == 0


async def test_the_quota_on_the_legacy_host_is_errcode_90020(
    session: aiohttp.ClientSession,
) -> None:
    async with emulator_with_test_routes(monthly_call_quota=0) as emulator:
        reply = await call_oapi(session, emulator, chatid="chat1")
        assert reply.json()["errcode"] == 90020


ROBOT_PATHS = {
    SEND_API: "/v1.0/robot/groupMessages/send",
    RECALL_API: "/v1.0/robot/groupMessages/recall",
    QUERY_API: "/v1.0/robot/groupMessages/query",
    ROBOTS_API: "/v1.0/robot/groups/robots/query",
}


@pytest.mark.parametrize(
    ("api", "body", "code"),
    [
        (SEND_API, ["not", "an", "object"], "invalidParameter.msgBody.invalid"),
        (SEND_API, {"openConversationId": "{cid}"}, "invalidParameter.robotCode.missing"),
        (SEND_API, {"robotCode": "{robot}"}, "miss.openConversationId"),
        (
            SEND_API,
            {"robotCode": "{robot}", "openConversationId": "{cid}", "msgParam": "{}"},
            "invalidParameter.msgKey.empty",
        ),
        (
            SEND_API,
            {"robotCode": "{robot}", "openConversationId": "{cid}", "msgKey": "sampleText"},
            "invalidParameter.param.invalid",
        ),
        (
            SEND_API,
            {
                "robotCode": "{robot}",
                "openConversationId": "{cid}",
                "msgKey": "sampleText",
                "msgParam": "not json",
            },
            "invalidParameter.msgParam.invalid",
        ),
        (
            SEND_API,
            {
                "robotCode": "{robot}",
                "openConversationId": "{cid}",
                "msgKey": "sampleText",
                "msgParam": '{"content":"' + "字" * 5000 + '"}',
            },
            "invalidParameter.msgParam.tooLong",
        ),
        (
            RECALL_API,
            {"robotCode": "{robot}", "openConversationId": "{cid}", "processQueryKeys": []},
            "invalidParameter.processQueryKey.missing",
        ),
        (
            RECALL_API,
            {
                "robotCode": "{robot}",
                "openConversationId": "{cid}",
                "processQueryKeys": [f"k{n}" for n in range(21)],
            },
            "invalidParameter.processQueryKeys.overMax",
        ),
        (QUERY_API, {"robotCode": "{robot}"}, "invalidParameter.processQueryKey.missing"),
        (
            QUERY_API,
            {"robotCode": "{robot}", "processQueryKey": "k", "maxResults": 201},
            "invalidParameter.pageSize.invalid",
        ),
        (
            QUERY_API,
            {"robotCode": "{robot}", "processQueryKey": "k", "nextToken": "abc"},
            "invalidParameter.cursor.invalid",
        ),
        (ROBOTS_API, {}, "illegal.openconevrsation.id"),
    ],
)
async def test_malformed_bodies_get_dingtalks_http_400_codes(
    groups: GroupService,
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    api: str,
    body: Any,
    code: str,
) -> None:
    """What the client never sends, the emulator still refuses as DingTalk does."""
    group = await new_group(groups)
    values = {"{cid}": group.open_conversation_id, "{robot}": emulator.robot_code}
    if isinstance(body, dict):
        body = {
            key: values.get(value, value) if isinstance(value, str) else value
            for key, value in body.items()
        }
    reply = await post(
        session,
        emulator.base_url + ROBOT_PATHS[api],
        json_body=body,
        headers={"x-acs-dingtalk-access-token": emulator.issue_token()},
    )
    assert (reply.status, reply.json()["code"]) == (400, code)
    assert isinstance(reply.json()["requestid"], str)
    assert stored(emulator, group).messages == []


async def test_robot_apis_need_their_permission(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    emulator.configure(denied_scopes=emulator.settings.denied_scopes | {"qyapi_robot_sendmsg"})
    with pytest.raises(ApiError, match="AccessTokenPermissionDenied") as caught:
        await robot.send(message_to(group))
    assert caught.value.verdict is Verdict.REJECTED
    assert await robot.installed(group.open_conversation_id)  # needs qyapi_chat_manage


def test_robot_codes_map_to_their_classes() -> None:
    api_error_for = SEND_GROUP_MESSAGE.codes.api_error

    expected: dict[str, type[ApiError]] = {
        "invalidParameter.robotCode.notExsit": RobotNotInGroupError,
        "invalidParameter.robotCode": RobotNotInGroupError,
        "not.allowed.robotCode": RobotNotOwnedError,
        "invalidParameter.msgParam.tooLong": InvalidParameterError,
    }
    for code, cls in expected.items():
        assert type(api_error_for(status=400, code=code, message="")) is cls, code
    refusal = api_error_for(status=400, code="contain.notAllowed.text", message="")
    assert type(refusal) is ApiError
    assert refusal.verdict is Verdict.REJECTED
    assert api_error_for(status=500, code="group.disbanded", message="").verdict is Verdict.UNKNOWN

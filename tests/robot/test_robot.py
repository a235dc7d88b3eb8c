"""RobotService against the emulator over real HTTP: post, recall, read status, robots."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from dingtalk_im_async import (
    Button,
    ButtonCard,
    DingTalkClient,
    GroupMessage,
    GroupService,
    Markdown,
    OpenRobotType,
    RequestValidationError,
    RobotService,
    SendResult,
    SendStatus,
    StaticTokenProvider,
    Text,
)
from dingtalk_im_async._service import build_transport
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.robot_support import (
    MEMBERS,
    QUERY_API,
    RECALL_API,
    SEND_API,
    message_to,
    new_group,
    robot,
    stored,
)

__all__ = ["robot"]


async def test_a_message_lands_in_its_group_as_sent(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    card = ButtonCard(
        title="欢迎", text="**欢迎加入**", buttons=[Button("a", "u1"), Button("b", "u2")]
    )
    result = await robot.send(message_to(group, card))
    assert isinstance(result, SendResult)
    [posted] = stored(emulator, group).messages
    assert posted.process_query_key == result.process_query_key
    assert posted.msg_key == "sampleActionCard2"
    assert posted.msg_param == card.msg_param()
    assert posted.robot_code == emulator.app_key  # the app's robot: its code is the app key
    [logged] = [entry for entry in emulator.requests if entry.api == SEND_API]
    assert logged.body["robotCode"] == emulator.app_key
    assert json.loads(logged.body["msgParam"]) == card.msg_param()


async def test_the_robots_of_a_group_include_the_apps_own(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    stored(emulator, group).robots.add("dingotherrobot")
    robots = await robot.robots(group.open_conversation_id)
    assert sorted(found.robot_code for found in robots.robots) == sorted(
        [emulator.app_key, "dingotherrobot"]
    )
    assert all(found.open_robot_type is OpenRobotType.INTERNAL_APP for found in robots.robots)
    assert robots.has(emulator.app_key)
    assert await robot.installed(group.open_conversation_id)
    stored(emulator, group).robots.discard(emulator.app_key)
    assert not await robot.installed(group.open_conversation_id)


async def test_recall_says_which_keys_were_recalled_and_why_others_were_not(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    first = await robot.send(message_to(group, Text("一")))
    second = await robot.send(message_to(group, Text("二")))
    result = await robot.recall(group.open_conversation_id, [first.process_query_key, "unknownkey"])
    assert result.succeeded == (first.process_query_key,)
    assert set(result.failed) == {"unknownkey"}
    again = await robot.recall(group.open_conversation_id, [first.process_query_key])
    assert again.succeeded == ()
    assert again.failed[first.process_query_key]  # DingTalk's reason, e.g. already recalled
    statuses = [message.status for message in stored(emulator, group).messages]
    assert statuses == ["RECALLED", "SUCCESS"]
    assert second.process_query_key not in result.failed


async def test_read_status_walks_the_pages_of_readers(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    sent = await robot.send(message_to(group))
    emulator.store.mark_read(sent.process_query_key, "carol", "alice", "manager4220", "bob")
    emulator.store.mark_read(sent.process_query_key, "alice")  # once is once
    pages = [
        page
        async for page in robot.read_status(
            group.open_conversation_id, sent.process_query_key, page_size=3
        )
    ]
    assert [page.read_user_ids for page in pages] == [("carol", "alice", "manager4220"), ("bob",)]
    assert [page.has_more for page in pages] == [True, False]
    assert all(page.send_status is SendStatus.SUCCESS for page in pages)
    queries = [entry.body for entry in emulator.requests if entry.api == QUERY_API]
    assert [query.get("nextToken") for query in queries] == [None, pages[0].next_token]
    assert all(query["maxResults"] == 3 for query in queries)


async def test_read_status_of_an_unread_then_recalled_message(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    sent = await robot.send(message_to(group))
    [page] = [
        p async for p in robot.read_status(group.open_conversation_id, sent.process_query_key)
    ]
    assert (page.send_status, page.read_user_ids, page.has_more) == (SendStatus.SUCCESS, (), False)
    await robot.recall(group.open_conversation_id, [sent.process_query_key])
    [page] = [
        p async for p in robot.read_status(group.open_conversation_id, sent.process_query_key)
    ]
    assert page.send_status is SendStatus.RECALLED


def test_mark_read_takes_members_only(emulator: DingTalkEmulator) -> None:
    with pytest.raises(KeyError):
        emulator.store.mark_read("no-such-key", "alice")


async def test_mark_read_refuses_a_reader_outside_the_group(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    sent = await robot.send(message_to(group))
    with pytest.raises(ValueError, match="stranger"):
        emulator.store.mark_read(sent.process_query_key, "alice", "stranger")
    assert stored(emulator, group).messages[0].read_by == []


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda robot: robot.recall("cid", []), "process_query_keys"),
        (lambda robot: robot.recall("cid", [f"k{n}" for n in range(21)]), "process_query_keys"),
        (lambda robot: robot.recall("", ["k"]), "open_conversation_id"),
        (lambda robot: anext(robot.read_status("cid", "k", page_size=201)), "max_results"),
        (lambda robot: anext(robot.read_status("cid", "k", page_size=0)), "max_results"),
        (lambda robot: anext(robot.read_status("cid", " ")), "process_query_key"),
        (lambda robot: robot.robots(""), "open_conversation_id"),
        (lambda robot: robot.send(Text("not a GroupMessage")), "request"),
    ],
)
async def test_bad_calls_are_refused_before_any_io(
    robot: RobotService,
    emulator: DingTalkEmulator,
    call: Callable[[RobotService], Awaitable[object]],
    field: str,
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await call(robot)
    assert caught.value.field == field
    assert emulator.requests == []


async def test_a_message_may_name_another_robot_of_the_app(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    async with DingTalkEmulator(robot_code="dingsecondrobot") as second:
        tokens = StaticTokenProvider(second.issue_token())
        robot = RobotService(session, tokens, robot_code="dingwrong", base_url=second.base_url)
        owner = GroupService(session, tokens, base_url=second.base_url)
        group = await new_group(owner)
        message = GroupMessage(
            open_conversation_id=group.open_conversation_id,
            message=Text("x"),
            robot_code="dingsecondrobot",
        )
        await robot.send(message)
        [logged] = [entry for entry in second.requests if entry.api == SEND_API]
        assert logged.body["robotCode"] == "dingsecondrobot"


async def test_the_client_shares_one_transport_and_defaults_the_robot_to_the_app_key(
    emulator: DingTalkEmulator,
) -> None:
    async with DingTalkClient(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    ) as client:
        assert client.robot.robot_code == emulator.app_key
        assert client.robot.pacer is client.groups.pacer
        group = await new_group(client.groups)
        await client.robot.send(message_to(group, Markdown("t", "**hi**")))
        assert await client.robot.installed(group.open_conversation_id)
    assert emulator.token_fetches == 1  # one token for both services
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        robot_code="dingcustom",
    ) as client:
        assert client.robot.robot_code == "dingcustom"
        assert "dingcustom" in repr(client.robot)
        assert emulator.app_secret not in repr(client.robot)


def test_robot_code_must_be_given_and_not_blank(session: aiohttp.ClientSession) -> None:
    tokens = StaticTokenProvider("token")
    with pytest.raises(ValueError, match="robot_code"):
        RobotService(session, tokens, robot_code=" ")
    transport = build_transport(session, tokens)
    with pytest.raises(ValueError, match="robot_code"):
        RobotService.over(transport)
    with pytest.raises(TypeError, match="takes no settings"):
        GroupService.over(transport, robot_code="r")
    assert RobotService.over(transport, robot_code="r").robot_code == "r"


async def test_every_member_can_be_counted_as_a_reader(
    robot: RobotService, groups: GroupService, emulator: DingTalkEmulator
) -> None:
    group = await new_group(groups)
    sent = await robot.send(message_to(group))
    emulator.store.mark_read(sent.process_query_key, *MEMBERS)
    readers = [
        user
        async for page in robot.read_status(group.open_conversation_id, sent.process_query_key)
        for user in page.read_user_ids
    ]
    assert readers == list(MEMBERS)
    assert emulator.calls(RECALL_API) == 0

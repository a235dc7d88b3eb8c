"""The code shown on docs/robot.md, run against the emulator."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from dingtalk_im_async import (
    Button,
    ButtonCard,
    CallQuotaExceededError,
    CreateGroupRequest,
    DingTalkClient,
    GroupMessage,
    Markdown,
    RecallRequest,
    RobotNotInGroupError,
    RunStoppedError,
    Text,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.robot_support import SEND_API


# --8<-- [start:post]
async def post_and_read(client: DingTalkClient, open_conversation_id: str) -> list[str]:
    """Post a card as the app's robot, then list who has read it so far."""
    if not await client.robot.installed(open_conversation_id):
        raise RuntimeError("add the app's robot to the group first")
    card = ButtonCard(
        title="本周值班",
        text="### 本周值班\n\n请确认你的班次。",
        buttons=[
            Button("确认", "https://example.com/ok"),
            Button("换班", "https://example.com/swap"),
        ],
    )
    sent = await client.robot.send(
        GroupMessage(open_conversation_id=open_conversation_id, message=card)
    )
    return [
        user
        async for page in client.robot.read_status(open_conversation_id, sent.process_query_key)
        for user in page.read_user_ids
    ]


# --8<-- [end:post]


# --8<-- [start:recall]
async def post_then_take_back(client: DingTalkClient, open_conversation_id: str) -> None:
    sent = await client.robot.send(
        GroupMessage(open_conversation_id=open_conversation_id, message=Text("发错群了"))
    )
    result = await client.robot.recall(
        RecallRequest(
            open_conversation_id=open_conversation_id, process_query_keys=[sent.process_query_key]
        )
    )
    for key, reason in result.failed.items():  # DingTalk's reason for each one not recalled
        print(f"not recalled: {key}: {reason}")


# --8<-- [end:recall]


# --8<-- [start:announce]
async def announce(client: DingTalkClient, group_ids: list[str], text: str) -> list[str]:
    """Post `text` into every group; return the groups to send to again later."""
    message = Markdown("通知", text)
    requests = [GroupMessage(open_conversation_id=group, message=message) for group in group_ids]
    again = []
    async with client.many(client.robot.send, requests) as outcomes:
        async for outcome in outcomes:
            group = outcome.request.open_conversation_id
            if isinstance(outcome.error, (CallQuotaExceededError, RunStoppedError)):
                again.append(group)  # the monthly quota ran out: nothing was sent
            elif isinstance(outcome.error, RobotNotInGroupError):
                print(f"{group}: add the robot first")
                again.append(group)
            elif outcome.error is not None and outcome.verdict is Verdict.UNKNOWN:
                print(f"{group}: may have been posted, look before sending again")
            elif outcome.error is not None:
                print(f"{group}: refused: {outcome.error}")
    return again


# --8<-- [end:announce]


@contextlib.asynccontextmanager
async def client_of(emulator: DingTalkEmulator) -> AsyncIterator[DingTalkClient]:
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        rate_limit=None,
    ) as client:
        yield client


async def make_groups(client: DingTalkClient, count: int) -> list[str]:
    return [
        (
            await client.groups.create(
                CreateGroupRequest(name=f"群{n}", owner="manager4220", useridlist=["alice", "bob"])
            )
        ).open_conversation_id
        for n in range(count)
    ]


async def test_post_and_read(emulator: DingTalkEmulator) -> None:
    async with client_of(emulator) as client:
        [group] = await make_groups(client, 1)
        assert await post_and_read(client, group) == []
        [(stored_group, posted)] = [
            (found, found.messages[0]) for found in emulator.store if found.messages
        ]
        emulator.store.mark_read(posted.process_query_key, "alice")
        assert posted.msg_key == "sampleActionCard2"
        assert stored_group.open_conversation_id == group
        stored_group.robots.clear()
        with pytest.raises(RuntimeError, match="add the app's robot"):
            await post_and_read(client, group)


async def test_post_then_take_back(
    emulator: DingTalkEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    async with client_of(emulator) as client:
        [group] = await make_groups(client, 1)
        await post_then_take_back(client, group)
    stored = emulator.store.by_open_conversation_id(group)
    assert stored is not None
    assert [message.status for message in stored.messages] == ["RECALLED"]
    assert capsys.readouterr().out == ""


async def test_announce_lists_groups_without_the_robot_to_send_again(
    emulator: DingTalkEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    async with client_of(emulator) as client:
        group_ids = await make_groups(client, 3)
        without_robot = emulator.store.by_open_conversation_id(group_ids[1])
        assert without_robot is not None
        without_robot.robots.clear()
        assert await announce(client, group_ids, "今晚 22:00 系统维护") == [group_ids[1]]
    assert capsys.readouterr().out == f"{group_ids[1]}: add the robot first\n"
    assert [len(group.messages) for group in emulator.store] == [1, 0, 1]


async def test_announce_never_resends_an_unknown_outcome(
    emulator: DingTalkEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    async with client_of(emulator) as client:
        group_ids = await make_groups(client, 2)
        emulator.fail_next(status=400, code="unknown.send.result", message="未知", api=SEND_API)
        assert await announce(client, group_ids, "今晚 22:00 系统维护") == []
    assert "may have been posted, look before sending again" in capsys.readouterr().out
    assert emulator.calls(SEND_API) == 2


async def test_announce_stops_at_the_quota_and_lists_the_rest(emulator: DingTalkEmulator) -> None:
    async with client_of(emulator) as client:
        group_ids = await make_groups(client, 6)
        emulator.configure(monthly_call_quota=emulator.quota_used + 2)
        again = await announce(client, group_ids, "今晚 22:00 系统维护")
    assert len(again) == 4
    assert sum(len(group.messages) for group in emulator.store) == 2
    assert {group.open_conversation_id for group in emulator.store if not group.messages} == set(
        again
    )

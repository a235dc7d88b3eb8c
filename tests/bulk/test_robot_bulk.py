"""Announcements to many groups through the bulk runner: each group gets its message once,
robot rate limits are put back, unknown outcomes are not, and the monthly quota stops the run."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest

from dingtalk_im_async import (
    BulkOutcome,
    CallQuotaExceededError,
    CreateGroupResult,
    DingTalkClient,
    GroupMessage,
    Markdown,
    RunStoppedError,
    SendResult,
    Text,
    UnknownSendResultError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.support.robot_support import SEND_API, new_group

ANNOUNCEMENT = Markdown("系统维护", "今晚 22:00 系统维护，预计 30 分钟。")


@pytest.fixture
async def client(emulator: DingTalkEmulator) -> AsyncIterator[DingTalkClient]:
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        rate_limit=None,
    ) as dingtalk:
        yield dingtalk


async def many_groups(client: DingTalkClient, count: int) -> list[CreateGroupResult]:
    return [await new_group(client.groups, f"群{number:03d}") for number in range(count)]


def posts_per_group(emulator: DingTalkEmulator) -> Counter[str]:
    return Counter({group.open_conversation_id: len(group.messages) for group in emulator.store})


async def announce(
    client: DingTalkClient, messages: list[GroupMessage], **options: float
) -> list[BulkOutcome[GroupMessage, SendResult]]:
    async with client.many(client.robot.send, messages, **options) as run:
        return sorted([outcome async for outcome in run], key=lambda outcome: outcome.index)


async def test_one_announcement_reaches_every_group_once(
    client: DingTalkClient, emulator: DingTalkEmulator
) -> None:
    groups = await many_groups(client, 40)
    messages = [
        GroupMessage(open_conversation_id=group.open_conversation_id, message=ANNOUNCEMENT)
        for group in groups
    ]
    outcomes = await announce(client, messages)
    assert all(outcome.ok for outcome in outcomes)
    assert len({outcome.result.process_query_key for outcome in outcomes if outcome.result}) == 40
    assert set(posts_per_group(emulator).values()) == {1}
    assert all(group.messages[0].msg_param == ANNOUNCEMENT.msg_param() for group in emulator.store)


async def test_per_group_messages_and_robot_rate_limits_put_back(
    client: DingTalkClient, emulator: DingTalkEmulator
) -> None:
    groups = await many_groups(client, 6)
    messages = [
        GroupMessage(open_conversation_id=group.open_conversation_id, message=Text(f"你好 {n}"))
        for n, group in enumerate(groups)
    ]
    emulator.fail_next(2, status=400, code="send.too.fast", message="限流错误", api=SEND_API)
    emulator.fail_next(1, status=400, code="too.many.people", message="发送频繁限流", api=SEND_API)
    outcomes = await announce(client, messages, rate_limited_backoff=0)
    assert all(outcome.ok for outcome in outcomes)
    assert sum(outcome.rate_limited_retries for outcome in outcomes) == 3
    assert emulator.calls(SEND_API) == 9
    assert set(posts_per_group(emulator).values()) == {1}
    for number, group in enumerate(groups):
        stored = emulator.store.by_open_conversation_id(group.open_conversation_id)
        assert stored is not None
        assert stored.messages[0].msg_param == {"content": f"你好 {number}"}


async def test_unknown_outcomes_are_reported_and_never_resent(
    client: DingTalkClient, emulator: DingTalkEmulator
) -> None:
    groups = await many_groups(client, 4)
    messages = [
        GroupMessage(open_conversation_id=group.open_conversation_id, message=ANNOUNCEMENT)
        for group in groups
    ]
    emulator.fail_next(
        status=400, code="unknown.send.result", message="未知的发送结果", api=SEND_API
    )
    emulator.faults_for(SEND_API).schedule(Fault.DROPPED_MID_RESPONSE)
    outcomes = await announce(client, messages, concurrency=1)
    unknown = [outcome for outcome in outcomes if outcome.verdict is Verdict.UNKNOWN]
    assert [outcome.index for outcome in unknown] == [0, 1]
    assert isinstance(unknown[0].error, UnknownSendResultError)
    assert emulator.calls(SEND_API) == 4  # one call per group: nothing was sent twice
    # The dropped reply's message is in its group; the unknown.send.result one is not here.
    assert [posts_per_group(emulator)[group.open_conversation_id] for group in groups] == [
        0,
        1,
        1,
        1,
    ]


async def test_the_monthly_quota_stops_the_run_and_the_rest_is_sent_next_month(
    client: DingTalkClient, emulator: DingTalkEmulator
) -> None:
    groups = await many_groups(client, 30)
    emulator.configure(monthly_call_quota=emulator.quota_used + 10)  # ten calls left this month
    messages = [
        GroupMessage(open_conversation_id=group.open_conversation_id, message=ANNOUNCEMENT)
        for group in groups
    ]
    outcomes = await announce(client, messages, concurrency=4)
    sent = [outcome for outcome in outcomes if outcome.ok]
    spent = [outcome for outcome in outcomes if isinstance(outcome.error, CallQuotaExceededError)]
    stopped = [outcome for outcome in outcomes if isinstance(outcome.error, RunStoppedError)]
    assert len(sent) == 10
    assert 1 <= len(spent) <= 4  # the calls in flight when the quota ran out
    assert len(sent) + len(spent) + len(stopped) == 30
    assert {outcome.verdict for outcome in spent + stopped} <= {Verdict.REJECTED, Verdict.NOT_SENT}
    assert emulator.calls(SEND_API) == 10 + len(spent)  # nothing sent after the stop
    assert sum(posts_per_group(emulator).values()) == 10

    emulator.quota_used = 0  # a new month
    again = await announce(client, [outcome.request for outcome in spent + stopped])
    assert [outcome.error for outcome in again if not outcome.ok] == []
    assert set(posts_per_group(emulator).values()) == {1}

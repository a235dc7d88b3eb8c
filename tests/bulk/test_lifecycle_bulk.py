"""Bulk runs of lifecycle operations through `client.many`: "add these 3 people to these 50
groups" and "rename these groups" under faults, with one outcome and verdict per input;
unknown outcomes are sent again because an update is safe to repeat (a create's are not);
and resuming a stopped run sends only what did not take effect, without duplicates."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dingtalk_im_async import (
    BulkOutcome,
    CreateGroupRequest,
    CreateGroupResult,
    DingTalkClient,
    GroupDisbandedError,
    GroupNotFoundError,
    RunStoppedError,
    UpdateGroupRequest,
    UpdateGroupResult,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator, ErrorReply, Fault
from tests.conftest import INSTANT_RETRIES
from tests.support.lifecycle_support import UPDATE_API

NEW_HIRES = ("hire1", "hire2", "hire3")
Outcome = BulkOutcome[UpdateGroupRequest, UpdateGroupResult]


@pytest.fixture
async def client(emulator: DingTalkEmulator) -> AsyncIterator[DingTalkClient]:
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
        rate_limit=None,
        retry=INSTANT_RETRIES,
    ) as dingtalk:
        yield dingtalk


async def fifty_groups(client: DingTalkClient) -> list[CreateGroupResult]:
    requests = [
        CreateGroupRequest(name=f"项目{n}", owner="manager4220", useridlist=["alice"])
        for n in range(50)
    ]
    async with client.many(client.groups.create, requests) as outcomes:
        created = [outcome.result async for outcome in outcomes]
    assert all(result is not None for result in created)
    return [result for result in created if result is not None]


async def run(
    client: DingTalkClient, requests: list[UpdateGroupRequest], **options: int
) -> list[Outcome]:
    async with client.many(
        client.groups.update, requests, rate_limited_backoff=0, **options
    ) as run:
        return sorted([outcome async for outcome in run], key=lambda outcome: outcome.index)


async def test_add_three_people_to_fifty_groups_under_faults(
    client: DingTalkClient, emulator: DingTalkEmulator
) -> None:
    groups = await fifty_groups(client)
    gone = emulator.store.by_chatid(groups[7].chatid)
    assert gone is not None
    gone.status = 2  # one group was disbanded meanwhile
    faults = emulator.faults_for(UPDATE_API)
    # Inputs 0-2: applied but the reply is lost; 3-4: dropped before any reply. Each is an
    # unknown outcome, put back and sent again (a clean call). Input 5: two HTTP 500s the
    # transport retries itself.
    for fault in [Fault.DROPPED_MID_RESPONSE] * 3 + [Fault.CONNECTION_CLOSED] * 2:
        faults.schedule(fault)
        faults.schedule(Fault.SLOW, delay=0)
    faults.schedule(Fault.SYSTEM_ERROR, 2)
    requests = [UpdateGroupRequest(chatid=g.chatid, add_useridlist=NEW_HIRES) for g in groups]

    outcomes = await run(client, requests, concurrency=1)

    assert len(outcomes) == 50
    failed = [outcome for outcome in outcomes if not outcome.ok]
    assert [outcome.index for outcome in failed] == [7]
    assert isinstance(failed[0].error, GroupDisbandedError)
    assert failed[0].verdict is Verdict.REJECTED
    assert failed[0].rate_limited_retries == 0  # a refusal is never sent again
    put_back = [outcome.index for outcome in outcomes if outcome.rate_limited_retries]
    assert put_back == [0, 1, 2, 3, 4]  # each unknown outcome sent once more: a success
    assert emulator.calls(UPDATE_API) == 50 + 5 + 2
    for index, group in enumerate(groups):
        stored = emulator.store.by_chatid(group.chatid)
        assert stored is not None
        expected = ["manager4220", "alice"] if index == 7 else ["manager4220", "alice", *NEW_HIRES]
        assert stored.members == expected  # each person once, whatever was sent twice


async def test_rename_these_groups(client: DingTalkClient, emulator: DingTalkEmulator) -> None:
    groups = await fifty_groups(client)
    names = {group.chatid: f"新名字{n}" for n, group in enumerate(groups[:10])}
    requests = [UpdateGroupRequest(chatid=chatid, name=name) for chatid, name in names.items()]
    requests.append(UpdateGroupRequest(chatid=groups[0].open_conversation_id, name="错的id"))
    emulator.reply_next(body=b'{"success": false}', api=UPDATE_API)  # put back, then applied

    outcomes = await run(client, requests, concurrency=4)

    assert [outcome.ok for outcome in outcomes] == [True] * 10 + [False]
    wrong_id = outcomes[-1]
    assert isinstance(wrong_id.error, GroupNotFoundError)  # the openConversationId, not chatid
    assert wrong_id.verdict is Verdict.REJECTED
    assert sum(outcome.rate_limited_retries for outcome in outcomes) == 1
    for chatid, name in names.items():
        info = await client.groups.get(chatid)
        assert info.name == name
        assert info.chat_banned_type == 0  # a rename leaves the settings alone


async def test_a_create_with_an_unknown_outcome_is_not_sent_again(
    client: DingTalkClient, emulator: DingTalkEmulator
) -> None:
    """The contrast: creating is not safe to repeat, so a lost reply stays unknown."""
    emulator.faults_for("im.group.create").schedule(Fault.DROPPED_MID_RESPONSE)
    request = CreateGroupRequest(name="n", owner="o", useridlist=["u"])
    async with client.many(client.groups.create, [request], rate_limited_backoff=0) as outcomes:
        (outcome,) = [outcome async for outcome in outcomes]
    assert outcome.verdict is Verdict.UNKNOWN
    assert outcome.rate_limited_retries == 0
    assert emulator.calls("im.group.create") == 1
    assert emulator.groups_created == 1  # it exists: sending it again would make a second


async def test_resuming_a_stopped_run_sends_only_what_did_not_take_effect(
    client: DingTalkClient, emulator: DingTalkEmulator
) -> None:
    groups = await fifty_groups(client)
    requests = [UpdateGroupRequest(chatid=g.chatid, add_useridlist=NEW_HIRES) for g in groups]
    faults = emulator.faults_for(UPDATE_API)
    faults.schedule(Fault.DROPPED_MID_RESPONSE, 2)  # applied, reply lost: unknown
    faults.schedule(Fault.SLOW, 18, delay=0)  # 18 clean calls
    faults.schedule_reply(  # then the month's quota is spent
        ErrorReply(status=403, code="Forbidden.AccessDenied.ApiCountLimitForOrg", message="m")
    )
    # No put-back in this run, so the unknown outcomes stay for the resume to send.
    first = await run(client, requests, concurrency=1, rate_limited_retries=0)

    verdicts = [outcome.verdict for outcome in first]
    assert verdicts.count(Verdict.UNKNOWN) == 2
    stopped = [outcome for outcome in first if isinstance(outcome.error, RunStoppedError)]
    assert len(stopped) == 29  # the quota refusal itself, then the 29 never sent
    assert all(outcome.verdict is Verdict.NOT_SENT for outcome in stopped)
    assert verdicts.count(Verdict.REJECTED) == 1  # the quota refusal: nothing applied
    assert verdicts.count(None) == 18
    calls_before = emulator.calls(UPDATE_API)

    # The resume: everything not done (not sent, refused by the quota, unknown: an update is
    # safe to repeat) goes again; what succeeded does not.
    again = [outcome.request for outcome in first if not outcome.ok]
    second = await run(client, again, concurrency=5)

    assert all(outcome.ok for outcome in second)
    assert emulator.calls(UPDATE_API) - calls_before == len(again) == 32
    for group in groups:
        stored = emulator.store.by_chatid(group.chatid)
        assert stored is not None
        assert stored.members == ["manager4220", "alice", *NEW_HIRES]

"""Each injected fault, over real HTTP: what the wire carries and what the client makes of it."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    GroupService,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
)
from dingtalk_im_async.testing import CannedReply, DingTalkEmulator, ErrorReply, Fault
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.raw_http import CREATE_PATH, TOKEN_PATH, create, post

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


async def test_system_error_is_a_500_and_the_client_retries_it(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_ERROR)
    reply = await create(session, emulator)
    assert (reply.status, reply.json()["code"]) == (500, "system.error")
    assert reply.json()["requestid"] == reply.headers["x-acs-request-id"]
    emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_ERROR, count=2)
    result = await groups.create(REQUEST)
    assert [g.open_conversation_id for g in emulator.groups] == [result.open_conversation_id]
    assert emulator.faults_for("im.group.create").injected == {Fault.SYSTEM_ERROR: 3}


async def test_system_error_on_every_attempt_reaches_the_caller(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_ERROR, count=3)
    with pytest.raises(ServerError):
        await groups.create(REQUEST)
    assert emulator.groups == []
    assert emulator.faults_for("im.group.create").pending == 0


async def test_system_busy_is_a_429_rate_limit_and_not_retried(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_BUSY, count=2)
    reply = await create(session, emulator)
    assert (reply.status, reply.json()["code"]) == (429, "system.busy")
    with pytest.raises(RateLimitError) as caught:
        await groups.create(REQUEST)
    assert caught.value.status == 429
    assert emulator.groups == []


async def test_token_revocation_refuses_the_call_and_the_client_replays_once(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    await groups.create(REQUEST)
    emulator.faults_for("im.group.create").schedule(Fault.TOKEN_REVOKED)
    await groups.create(REQUEST)
    assert emulator.token_fetches == 2
    assert emulator.calls("im.group.create") == 3
    assert len(emulator.groups) == 2
    assert [r.fault for r in emulator.requests if r.path == CREATE_PATH] == [
        None,
        Fault.TOKEN_REVOKED,
        None,
    ]


async def test_slow_reply_times_out_but_the_group_is_still_created(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    impatient = GroupService(
        session, app_provider(emulator, session), base_url=emulator.base_url, timeout=0.1
    )
    emulator.faults_for("im.group.create").schedule(Fault.SLOW, delay=0.4)
    with pytest.raises(TransportError) as caught:
        await impatient.create(REQUEST)
    assert caught.value.may_have_reached_server is True
    for _ in range(100):
        if emulator.groups:
            break
        await asyncio.sleep(0.02)
    [group] = emulator.groups
    assert group.fault is Fault.SLOW


async def test_slow_reply_with_a_random_delay_is_answered_normally(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.SLOW, count=2, delay=(0.01, 0.03))
    result = await groups.create(REQUEST)
    reply = await create(session, emulator)
    assert reply.status == 200
    assert emulator.groups[0].open_conversation_id == result.open_conversation_id
    assert emulator.faults_for("im.group.create").injected == {Fault.SLOW: 2}


async def test_slow_delay_range_holds_the_reply_at_least_the_lower_bound(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    impatient = GroupService(
        session, app_provider(emulator, session), base_url=emulator.base_url, timeout=0.1
    )
    emulator.faults_for("im.group.create").schedule(Fault.SLOW, delay=(0.3, 0.4))
    with pytest.raises(TransportError):
        await impatient.create(REQUEST)


async def test_connection_closed_before_a_reply_creates_nothing(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.CONNECTION_CLOSED, count=2)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await create(session, emulator)
    with pytest.raises(TransportError) as caught:
        await groups.create(REQUEST)
    assert caught.value.may_have_reached_server is True
    assert emulator.groups == []
    assert emulator.calls("im.group.create") == 2


async def test_connection_dropped_mid_response_sends_part_of_the_body(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.DROPPED_MID_RESPONSE)
    async with session.post(
        emulator.base_url + CREATE_PATH,
        json={"name": "n", "owner": "o", "useridlist": ["u"]},
        headers={"x-acs-dingtalk-access-token": emulator.issue_token()},
    ) as response:
        assert response.status == 200
        assert response.headers["x-acs-request-id"]
        assert response.content_length is not None
        partial = await response.content.read(response.content_length // 2)
        assert partial.startswith(b'{"openConversationId":"cid')
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    [group] = emulator.groups
    assert group.fault is Fault.DROPPED_MID_RESPONSE


async def test_dropped_mid_response_leaves_a_group_the_client_cannot_know(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.DROPPED_MID_RESPONSE)
    with pytest.raises(TransportError) as caught:
        await groups.create(REQUEST)
    assert caught.value.may_have_reached_server is True
    assert len(emulator.groups) == 1
    assert emulator.calls("im.group.create") == 1


async def test_html_page_is_a_502_the_client_reports_as_response_error(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.HTML_PAGE, count=2)
    reply = await create(session, emulator)
    assert reply.status == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert b"502 Bad Gateway" in reply.raw
    with pytest.raises(ResponseError) as caught:
        await groups.create(REQUEST)
    assert "502 Bad Gateway" in caught.value.excerpt
    assert emulator.groups == []


async def test_truncated_json_is_a_complete_reply_with_half_a_body(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.TRUNCATED_JSON, count=2)
    reply = await create(session, emulator)
    assert reply.status == 200
    assert reply.raw.startswith(b'{"openConversationId":"cid')
    with pytest.raises(json.JSONDecodeError):
        reply.json()
    with pytest.raises(ResponseError) as caught:
        await groups.create(REQUEST)
    assert caught.value.status == 200
    assert [g.fault for g in emulator.groups] == [Fault.TRUNCATED_JSON] * 2


async def test_ip_block_body_replaces_the_result(
    groups: GroupService, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.IP_BLOCKED, count=2)
    reply = await create(session, emulator)
    body = reply.json()
    assert reply.status == 200
    assert (body["status"], body["wait"], body["punish"]) == (1111, 5, "deny")
    with pytest.raises(ResponseError) as caught:
        await groups.create(REQUEST)
    assert "1111" in caught.value.excerpt
    assert emulator.groups == []


async def test_scheduled_faults_apply_in_order_to_the_next_calls(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_BUSY)
    emulator.faults_for("im.group.create").schedule(Fault.HTML_PAGE)
    emulator.faults_for("im.group.create").schedule_reply(
        ErrorReply(status=403, code="Forbidden.X", message="m")
    )
    statuses = [(await create(session, emulator)).status for _ in range(4)]
    assert statuses == [429, 502, 403, 200]
    assert emulator.faults_for("im.group.create").pending == 0


async def test_faults_wait_for_calls_that_pass_the_gateway_checks(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_ERROR)
    unauthenticated = await post(session, emulator.base_url + CREATE_PATH, json_body={})
    bad_token = await create(session, emulator, token="0" * 32)
    assert unauthenticated.json()["code"] == "AuthenticationFailed.MissingParameter"
    assert bad_token.json()["code"] == "InvalidAuthentication"
    assert emulator.faults_for("im.group.create").pending == 1
    assert (await create(session, emulator)).status == 500


async def test_fault_after_a_delay_applies_both(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_BUSY, delay=0.01)
    assert (await create(session, emulator)).status == 429
    assert emulator.faults_for("im.group.create").injected == {Fault.SYSTEM_BUSY: 1}


async def test_thin_conveniences_schedule_faults(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.fail_next(
        status=403,
        code="Forbidden.AccessDenied.IpNotInWhiteList",
        message="ip",
        api="im.group.create",
    )
    emulator.reply_next(status=200, body=b"[]", api="im.group.create")
    emulator.delay_next(seconds=0.01, api="im.group.create")
    emulator.drop_next(api="im.group.create")
    first = await create(session, emulator)
    second = await create(session, emulator)
    third = await create(session, emulator)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await create(session, emulator)
    assert (first.status, first.json()["code"]) == (403, "Forbidden.AccessDenied.IpNotInWhiteList")
    assert first.json()["requestid"] == first.headers["x-acs-request-id"]
    assert (second.status, second.raw) == (200, b"[]")
    assert third.status == 200
    assert emulator.faults_for("im.group.create").injected == {
        Fault.CANNED_REPLY: 2,
        Fault.SLOW: 1,
        Fault.CONNECTION_CLOSED: 1,
    }


async def test_canned_error_replies_get_fresh_request_ids(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.fail_next(2, api="im.group.create")
    first = await create(session, emulator)
    second = await create(session, emulator)
    assert first.json()["requestid"] != second.json()["requestid"]


async def test_canned_bytes_are_sent_exactly(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("im.group.create").schedule_reply(
        CannedReply(status=418, body=b"\x00teapot", content_type="application/octet-stream")
    )
    reply = await create(session, emulator)
    assert (reply.status, reply.raw) == (418, b"\x00teapot")
    assert reply.headers["Content-Type"] == "application/octet-stream"


async def test_token_endpoint_faults_are_separate(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    provider = AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    )
    emulator.faults_for("oauth2.accessToken").schedule(Fault.SYSTEM_BUSY)
    emulator.faults_for("oauth2.accessToken").schedule(Fault.TRUNCATED_JSON)
    with pytest.raises(RateLimitError):
        await provider.get_token()
    with pytest.raises(ResponseError):
        await provider.get_token()
    assert await provider.get_token()
    assert emulator.faults_for("oauth2.accessToken").injected == {
        Fault.SYSTEM_BUSY: 1,
        Fault.TRUNCATED_JSON: 1,
    }
    assert emulator.faults_for("im.group.create").injected == {}
    assert [r.fault for r in emulator.requests if r.path == TOKEN_PATH] == [
        Fault.SYSTEM_BUSY,
        Fault.TRUNCATED_JSON,
        None,
    ]


async def test_periodic_token_revocation_every_n_calls(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.faults_for("im.group.create").every(Fault.TOKEN_REVOKED, 5)
    for _ in range(10):
        await groups.create(REQUEST)
    # Calls 5 and 10 are refused; the client replays each as the next call (6 and 11).
    assert emulator.faults_for("im.group.create").injected == {Fault.TOKEN_REVOKED: 2}
    assert emulator.calls("im.group.create") == 12
    assert emulator.token_fetches == 3
    assert len(emulator.groups) == 10


@pytest.mark.slow  # two runs of 300 creates under every fault
async def test_seeded_chaos_is_reproducible_and_every_success_is_a_real_group(
    session: aiohttp.ClientSession,
) -> None:
    rates = {
        Fault.SYSTEM_ERROR: 0.10,
        Fault.SYSTEM_BUSY: 0.02,
        Fault.CONNECTION_CLOSED: 0.01,
        Fault.DROPPED_MID_RESPONSE: 0.01,
        Fault.SLOW: 0.01,
        Fault.HTML_PAGE: 0.01,
        Fault.TRUNCATED_JSON: 0.01,
        Fault.IP_BLOCKED: 0.01,
    }
    runs = []
    for _ in range(2):
        async with DingTalkEmulator() as emulator:
            emulator.faults_for("im.group.create").set_rates(rates, seed=7, latency=(0.001, 0.005))
            emulator.faults_for("im.group.create").every(Fault.TOKEN_REVOKED, 50)
            service = GroupService(
                session,
                app_provider(emulator, session),
                base_url=emulator.base_url,
                retry=INSTANT_RETRIES,
            )
            outcomes = [await _outcome(service) for _ in range(300)]
        created = {g.open_conversation_id for g in emulator.groups}
        successes = [o for o in outcomes if o.startswith("cid")]
        assert set(successes) <= created
        faulted = [r.fault for r in emulator.requests if r.fault is not None]
        assert sum(emulator.faults_for("im.group.create").injected.values()) == len(faulted)
        runs.append(([o if not o.startswith("cid") else "ok" for o in outcomes], faulted))
    assert runs[0] == runs[1]
    assert len(set(runs[0][1])) == len(rates) + 1


async def _outcome(service: GroupService) -> str:
    try:
        result = await service.create(REQUEST)
    except (ServerError, RateLimitError, ResponseError, TransportError) as error:
        return type(error).__name__
    return result.open_conversation_id


async def test_close_cuts_calls_still_held_by_a_slow_fault(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator() as emulator:
        service = GroupService(session, app_provider(emulator, session), base_url=emulator.base_url)
        await service.create(REQUEST)
        emulator.faults_for("im.group.create").schedule(Fault.SLOW, delay=60)
        pending = asyncio.create_task(service.create(REQUEST))
        for _ in range(500):
            if not emulator.faults_for("im.group.create").pending:
                break
            await asyncio.sleep(0.01)
    with pytest.raises(TransportError) as caught:
        await pending
    assert caught.value.may_have_reached_server is True
    assert len(emulator.groups) == 1

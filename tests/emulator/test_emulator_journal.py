"""The request journal: API, path, fault, status and timing of every call; never a secret."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from dingtalk_im_async.emulator._replies import json_reply
from dingtalk_im_async.testing import Call, DingTalkEmulator, Fault, Route
from tests.support.emulator_routes import OAPI_ECHO_API, call_oapi, emulator_with_test_routes
from tests.support.raw_http import CREATE_PATH, TOKEN_PATH, create, post


async def test_each_entry_has_the_api_status_fault_and_timing(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.delay_next(seconds=0.05, api="im.group.create")
    await create(session, emulator)
    emulator.fail_next(api="im.group.create")
    await create(session, emulator)
    slow, failed = emulator.requests
    assert (slow.api, slow.path, slow.fault, slow.status) == (
        "im.group.create",
        CREATE_PATH,
        Fault.SLOW,
        200,
    )
    assert (failed.fault, failed.status) == (Fault.CANNED_REPLY, 500)
    assert slow.elapsed is not None
    assert slow.elapsed >= 0.05
    assert failed.elapsed is not None
    assert failed.elapsed < slow.elapsed
    assert slow.received_at < failed.received_at


class Gate:
    """A route whose handler waits until the test lets it answer."""

    def __init__(self) -> None:
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()
        self.route = Route(method="POST", path="/v1.0/test/gate", handler=self.handle)

    async def handle(self, _call: Call) -> web.Response:
        self.arrived.set()
        await self.release.wait()
        return json_reply(200, {})


async def post_through(gate: Gate, emulator: DingTalkEmulator) -> int:
    headers = {"x-acs-dingtalk-access-token": emulator.issue_token()}
    async with (
        aiohttp.ClientSession() as session,
        session.post(emulator.base_url + gate.route.path, json={}, headers=headers) as response,
    ):
        return response.status


async def test_an_entry_is_written_on_arrival_and_completed_when_answered() -> None:
    gate = Gate()
    async with DingTalkEmulator(extra_routes=[gate.route]) as emulator:
        call = asyncio.create_task(post_through(gate, emulator))
        await gate.arrived.wait()
        [in_flight] = emulator.requests
        assert (in_flight.api, in_flight.status, in_flight.elapsed) == ("test.gate", None, None)
        gate.release.set()
        assert await call == 200
    [done] = emulator.requests
    assert done.status == 200
    assert done.elapsed is not None


async def test_a_reset_during_a_call_is_not_undone_when_it_ends() -> None:
    gate = Gate()
    async with DingTalkEmulator(extra_routes=[gate.route]) as emulator:
        call = asyncio.create_task(post_through(gate, emulator))
        await gate.arrived.wait()
        emulator.reset()
        gate.release.set()
        await call
    assert emulator.requests == []


async def test_a_closed_connection_has_no_status(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.drop_next(api="im.group.create")
    with pytest.raises(aiohttp.ClientError):
        await create(session, emulator)
    [logged] = emulator.requests
    assert (logged.fault, logged.status) == (Fault.CONNECTION_CLOSED, None)


async def test_the_journal_never_holds_a_token_or_a_secret(session: aiohttp.ClientSession) -> None:
    async with emulator_with_test_routes(app_secret="s3cret-value") as emulator:
        token = emulator.issue_token()
        await post(
            session,
            emulator.base_url + TOKEN_PATH,
            json_body={"appKey": emulator.app_key, "appSecret": "s3cret-value"},
        )
        await create(session, emulator, token=token)
        await call_oapi(session, emulator, token=token, chatid="chat0", appsecret="s3cret-value")
    token_call, create_call, oapi_call = emulator.requests
    assert token_call.body == {"appKey": emulator.app_key, "appSecret": "<hidden>"}
    assert (create_call.has_token, oapi_call.has_token) == (True, True)
    assert oapi_call.api == OAPI_ECHO_API
    assert oapi_call.query == {"chatid": "chat0", "appsecret": "<hidden>"}
    logged = repr(emulator.requests)
    assert token not in logged
    assert "s3cret-value" not in logged


async def test_switching_the_journal_off_keeps_the_counters(session: aiohttp.ClientSession) -> None:
    async with DingTalkEmulator(record_requests=False) as emulator:
        await create(session, emulator)
        async with session.get(emulator.base_url + "/v1.0/nothing"):
            pass
    assert emulator.requests == []
    assert emulator.calls("im.group.create") == emulator.calls("im.group.create") == 1


async def test_the_journal_keeps_the_newest_lines_and_counts_every_index(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(journal_limit=3) as emulator:
        for _ in range(5):
            async with session.get(emulator.base_url + "/v1.0/nothing"):
                pass
        assert len(emulator.requests) == 3
        assert emulator.journal.total == 5
        assert emulator.journal.first == 2
        assert emulator.journal.failed == 5  # every unknown path is a 404
        page = await (await session.get(emulator.base_url + "/_emulator/requests?since=0")).json()
        assert page["total"] == 5
        assert [line["index"] for line in page["requests"]] == [2, 3, 4]
        newer = await (await session.get(emulator.base_url + "/_emulator/requests?since=4")).json()
        assert [line["index"] for line in newer["requests"]] == [4]
        counters = await emulator.get_counters()
        assert (counters.requests, counters.failed_requests) == (5, 5)


async def test_a_smaller_limit_drops_the_oldest_lines_at_once(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    assert emulator.settings.journal_limit == 10_000  # the default, a standalone's too
    for _ in range(4):
        await create(session, emulator)
    emulator.configure(journal_limit=2)
    assert [line.api for line in emulator.requests] == ["im.group.create"] * 2
    assert emulator.journal.total == 4  # their indexes stay counted
    emulator.configure(journal_limit=None)
    await create(session, emulator)
    assert len(emulator.requests) == 3
    emulator.reset()
    assert (emulator.journal.total, emulator.journal.first) == (0, 0)


async def test_a_line_dropped_while_its_call_is_in_flight_stays_dropped() -> None:
    gate = Gate()
    async with DingTalkEmulator(extra_routes=[gate.route], journal_limit=1) as emulator:
        task = asyncio.create_task(post_through(gate, emulator))
        await gate.arrived.wait()
        async with (
            aiohttp.ClientSession() as session,
            session.get(emulator.base_url + "/v1.0/nothing"),
        ):
            pass
        gate.release.set()
        assert await task == 200
        [line] = emulator.requests
        assert line.path == "/v1.0/nothing"

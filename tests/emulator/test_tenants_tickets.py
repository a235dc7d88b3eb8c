"""Suite tickets, authorisations and corp tokens over real HTTP: the admin API rotates a
ticket and the suite's Stream connections hear it as a `suite_ticket` event; a relieved
organisation's tokens stop working; revoking an organisation's tokens leaves the others'."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.tenant_support import (
    CORP_A,
    CORP_B,
    SECRET,
    SUITE,
    call,
    corp_token,
    create_scene_group,
    fetch_corp_token,
    next_event,
    stream_of,
    tenant_emulator,
)

QUERY = "/v1.0/im/sceneGroups/query"


@pytest.fixture
async def emulator() -> AsyncIterator[DingTalkEmulator]:
    async with tenant_emulator() as emu:
        yield emu


async def admin(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator, method: str, path: str, body: object
) -> tuple[int, dict[str, object]]:
    async with session.request(method, f"{emulator.base_url}/_emulator{path}", json=body) as r:
        return r.status, await r.json()


async def usable(session: aiohttp.ClientSession, emulator: DingTalkEmulator, token: str) -> bool:
    """Whether the gateway takes `token` (a query for a group that does not exist: 400
    `cidEncryptError` with a valid token, `InvalidAuthentication` without)."""
    status, reply = await call(session, emulator, QUERY, token, {"openConversationId": "cid0"})
    assert status == 400
    return reply["code"] != "InvalidAuthentication"


async def test_the_admin_api_rotates_a_ticket_and_the_old_one_stops_working(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    old = emulator.suite_ticket(SUITE)
    token = await corp_token(session, emulator, CORP_A)
    status, rotated = await admin(session, emulator, "POST", "/suite-ticket", {"suiteKey": SUITE})
    assert status == 200
    assert rotated["suiteTicket"] == emulator.suite_ticket(SUITE) != old
    status, refused = await fetch_corp_token(session, emulator, CORP_A, suiteTicket=old)
    assert (status, refused["code"]) == (400, "invalidSuiteTicket")
    assert (await fetch_corp_token(session, emulator, CORP_A))[0] == 200
    assert await usable(session, emulator, token)  # fetched with the old ticket: still valid
    status, unknown = await admin(session, emulator, "POST", "/suite-ticket", {"suiteKey": "x"})
    assert status == 404
    assert "no suite has the key 'x'" in str(unknown["message"])


async def test_a_rotation_reaches_the_suites_stream_connections_only(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    async with (
        stream_of(session, emulator) as suite_ws,
        stream_of(session, emulator, emulator.app_key, emulator.app_secret) as app_ws,
    ):
        ticket = await emulator.rotate_suite_ticket(SUITE)
        event = await next_event(suite_ws)
        assert event["headers"]["eventType"] == "suite_ticket"
        assert event["data"]["suiteTicket"] == ticket
        emulator.stream.push_event("chat_disband", {"openConversationId": "c"})
        app_event = await next_event(app_ws)
        assert app_event["headers"]["eventType"] == "chat_disband"  # not the suite's ticket
    # A wrong suite secret opens no connection.
    body = {"clientId": SUITE, "clientSecret": "wrong", "subscriptions": []}
    async with session.post(
        emulator.base_url + "/v1.0/gateway/connections/open",
        json=body,
        headers={"Accept": "application/json"},
    ) as reply:
        assert reply.status == 400
        assert (await reply.json())["code"] == "invalidClientIdOrSecret"


async def test_the_timer_rotates_tickets_when_set(session: aiohttp.ClientSession) -> None:
    async with tenant_emulator(suite_ticket_interval=0.2) as emulator:
        async with stream_of(session, emulator) as ws:
            first = await next_event(ws)
            second = await next_event(ws)
        assert first["data"]["suiteTicket"] != second["data"]["suiteTicket"]
        emulator.configure(suite_ticket_interval=None)
        rotations = (await emulator.get_tenants()).suites[0].ticket_rotations
        assert rotations >= 2
        await asyncio.sleep(0.5)
        assert (await emulator.get_tenants()).suites[0].ticket_rotations == rotations
        await emulator.configure(suite_ticket_interval=0.1)  # switched on while running
        await asyncio.sleep(0.5)
        assert (await emulator.get_tenants()).suites[0].ticket_rotations > rotations


async def test_relieving_an_organisation_ends_its_tokens_and_tells_the_suite(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token_a = await corp_token(session, emulator, CORP_A)
    token_b = await corp_token(session, emulator, CORP_B)
    async with stream_of(session, emulator) as ws:
        status, _ = await admin(
            session, emulator, "POST", f"/tenants/{CORP_A}/relieve", {"suiteKey": SUITE}
        )
        assert status == 200
        event = await next_event(ws)
        assert event["headers"]["eventType"] == "org_suite_relieve"
        assert event["headers"]["eventCorpId"] == CORP_A
        assert event["data"]["auth_corp_info"] == {"corpid": CORP_A}
        assert not await usable(session, emulator, token_a)
        assert await usable(session, emulator, token_b)
        status, refused = await fetch_corp_token(session, emulator, CORP_A)
        assert (status, refused["code"]) == (400, "invalidAuthInfo")

        status, _ = await admin(
            session, emulator, "POST", "/tenants/ding-corp-c/authorise", {"suiteKey": SUITE}
        )
        assert status == 200
        assert (await next_event(ws))["headers"]["eventType"] == "org_suite_auth"
    assert await usable(session, emulator, await corp_token(session, emulator, "ding-corp-c"))
    report = await emulator.get_tenants()
    assert report.suites[0].corp_ids == (CORP_B, "ding-corp-c")
    ticket = emulator.suite_ticket(SUITE)
    await emulator.reset()  # back to `corp_ids`; the ticket stays
    assert (await emulator.get_tenants()).suites[0].corp_ids == (CORP_A, CORP_B)
    assert emulator.suite_ticket(SUITE) == ticket
    assert not await usable(session, emulator, token_b)


async def test_revoking_an_organisations_tokens_leaves_the_others(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token_a = await corp_token(session, emulator, CORP_A)
    token_b = await corp_token(session, emulator, CORP_B)
    status, _ = await admin(session, emulator, "POST", f"/tenants/{CORP_A}/revoke-tokens", {})
    assert status == 200
    assert not await usable(session, emulator, token_a)
    assert await usable(session, emulator, token_b)
    assert await usable(session, emulator, await corp_token(session, emulator, CORP_A))
    status, view = await admin(session, emulator, "GET", "/tenants", None)
    assert status == 200
    fetches = {org["corpId"]: org["tokenFetches"] for org in view["organisations"]}  # type: ignore[attr-defined]
    assert (fetches[CORP_A], fetches[CORP_B]) == (2, 1)
    assert view["crossTenantCalls"] == 0
    assert SECRET not in str(view)


async def test_the_unified_token_endpoint_gives_a_suite_a_corp_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    async def fetch(corp: str, **changes: str) -> tuple[int, dict[str, object]]:
        body = {
            "client_id": SUITE,
            "client_secret": SECRET,
            "grant_type": "client_credentials",
            **changes,
        }
        async with session.post(f"{emulator.base_url}/v1.0/oauth2/{corp}/token", json=body) as r:
            return r.status, await r.json()

    status, got = await fetch(CORP_A)
    assert (status, got["expires_in"]) == (200, 7200)
    assert emulator.tenants.owner(str(got["access_token"])) is not None
    assert (await fetch(CORP_A, grant_type="password"))[1]["code"] == "unsupported.grant.type"
    assert (await fetch(CORP_A, client_secret="wrong"))[1]["code"] == "invalid.client"
    status, refused = await fetch("ding-corp-z")
    assert (status, refused["code"]) == (401, "unauthorized.client")
    status, own = await fetch(
        emulator.stream.corp_id, client_id=emulator.app_key, client_secret=emulator.app_secret
    )
    assert status == 200
    assert emulator.is_valid_token(str(own["access_token"]))


async def test_an_organisations_group_events_reach_the_suite_not_the_app(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token_a = await corp_token(session, emulator, CORP_A)
    async with (
        stream_of(session, emulator) as suite_ws,
        stream_of(session, emulator, emulator.app_key, emulator.app_secret) as app_ws,
    ):
        cid = await create_scene_group(session, emulator, token_a)
        body = {"open_conversation_id": cid, "user_ids": ["u9"]}
        status, _ = await call(session, emulator, "/v1.0/im/sceneGroup/member/add", token_a, body)
        assert status == 200
        event = await next_event(suite_ws)
        assert event["headers"]["eventType"] == "chat_add_member"
        assert event["headers"]["eventCorpId"] == CORP_A
        assert (event["data"]["corpId"], event["data"]["openConversationId"]) == (CORP_A, cid)
        with pytest.raises(TimeoutError):
            await next_event(app_ws, timeout=0.3)

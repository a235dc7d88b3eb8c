"""The gateway in front of every route, in DingTalk's order: token, QPS, permission, faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async.testing import DingTalkEmulator, ErrcodeReply, Fault
from tests.support.emulator_routes import (
    ECHO_API,
    OAPI_ECHO_API,
    TOPAPI_ECHO_API,
    at_the_start_of_a_second,
    call_echo,
    call_oapi,
    emulator_with_test_routes,
)
from tests.support.raw_http import create


@pytest.fixture
async def emulator() -> AsyncIterator[DingTalkEmulator]:
    """An emulator serving the test routes besides its own."""
    async with emulator_with_test_routes() as emu:
        yield emu


async def test_v1_routes_refuse_a_missing_then_an_invalid_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    missing = await call_echo(session, emulator, token=None)
    invalid = await call_echo(session, emulator, token="0" * 32)
    assert (missing.status, missing.json()["code"]) == (
        400,
        "AuthenticationFailed.MissingParameter",
    )
    assert (invalid.status, invalid.json()["code"]) == (400, "InvalidAuthentication")
    assert invalid.json()["requestid"] == invalid.headers["x-acs-request-id"]
    assert emulator.calls(ECHO_API) == 2
    assert emulator.windows(ECHO_API) == {}  # refused before the QPS window counts them


async def test_oapi_routes_take_the_token_from_the_query_and_answer_in_the_envelope(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    await create(session, emulator)
    group = next(iter(emulator.store))
    found = await call_oapi(session, emulator, chatid=group.chatid)
    unknown = await call_oapi(session, emulator, chatid="chat0")
    assert (found.status, found.json()) == (
        200,
        {"errcode": 0, "errmsg": "ok", "chat_info": {"name": group.name, "chatid": group.chatid}},
    )
    assert (unknown.status, unknown.json()) == (200, {"errcode": 40016, "errmsg": "不合法的chatid"})


@pytest.mark.parametrize("token", [None, "0" * 32])
async def test_oapi_routes_answer_a_bad_token_with_errcode_40014(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, token: str | None
) -> None:
    reply = await call_oapi(session, emulator, token=token, chatid="chat0")
    assert (reply.status, reply.json()) == (
        200,
        {"errcode": 40014, "errmsg": "不合法的access_token"},
    )
    assert emulator.calls(OAPI_ECHO_API) == 1


async def test_topapi_routes_answer_a_bad_token_with_errcode_88_and_a_sub_code(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    invalid = await call_oapi(session, emulator, "/topapi/chat/echo", token="bad", method="POST")
    missing = await call_oapi(session, emulator, "/topapi/chat/echo", token=None, method="POST")
    assert invalid.status == missing.status == 200
    assert invalid.json()["errcode"] == missing.json()["errcode"] == 88
    assert (invalid.json()["sub_code"], missing.json()["sub_code"]) == ("40014", "40000")
    assert invalid.json()["errmsg"] == "ding talk error[subcode=40014,submsg=不合法的access_token]"


async def test_a_v1_header_token_is_no_token_for_oapi(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    headers = {"x-acs-dingtalk-access-token": emulator.issue_token()}
    async with session.get(emulator.oapi_base_url + "/chat/echo", headers=headers) as response:
        assert (await response.json())["errcode"] == 40014


async def test_the_qps_limit_counts_each_api_apart(session: aiohttp.ClientSession) -> None:
    async with emulator_with_test_routes(qps_limit=2) as emulator:
        await at_the_start_of_a_second()
        echoes = [(await call_echo(session, emulator)).status for _ in range(3)]
        creates = [(await create(session, emulator)).status for _ in range(2)]
    assert len(emulator.windows(ECHO_API)) == 1
    assert echoes == [200, 200, 403]
    assert creates == [200, 200]
    assert emulator.traffic_for(ECHO_API).rate_limited == 1
    assert emulator.rate_limited == 1
    assert sum(emulator.windows(ECHO_API).values()) == 3


async def test_a_per_api_limit_overrides_the_default(session: aiohttp.ClientSession) -> None:
    async with emulator_with_test_routes(qps_limit=1, qps_limits={ECHO_API: None}) as emulator:
        await at_the_start_of_a_second()
        echoes = [(await call_echo(session, emulator)).status for _ in range(3)]
        emulator.configure(qps_limits={**emulator.settings.qps_limits, OAPI_ECHO_API: 0})
        oapi = await call_oapi(session, emulator, chatid="chat0")
    assert echoes == [200, 200, 200]
    assert (emulator.qps_limit_for(ECHO_API), emulator.qps_limit_for("im.group.create")) == (
        None,
        1,
    )
    assert oapi.json()["errcode"] == 90018


async def test_permission_is_checked_after_the_token_and_per_scope(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.configure(denied_scopes={"qyapi_chat_read"})
    assert emulator.settings.denies("qyapi_chat_read")
    assert not emulator.settings.denies("qyapi_chat_manage")
    echo = await call_echo(session, emulator)  # needs qyapi_chat_manage: still granted
    oapi = await call_oapi(session, emulator, chatid="chat0")
    without_token = await call_oapi(session, emulator, token=None, chatid="chat0")
    assert echo.status == 200
    assert (oapi.json()["errcode"], oapi.json()["sub_code"]) == (88, "60011")
    assert without_token.json()["errcode"] == 40014
    emulator.configure(has_group_permission=False)
    refused = await call_echo(session, emulator)
    assert (refused.status, refused.json()["code"]) == (
        403,
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    )
    assert refused.json()["accessdenieddetail"] == {"requiredScopes": ["qyapi_chat_manage"]}
    emulator.configure(has_group_permission=True)
    assert emulator.settings.denies("qyapi_chat_read")  # denied on its own, still
    assert not emulator.settings.denies("qyapi_chat_manage")


async def test_faults_hit_only_their_api_and_only_calls_past_the_gateway(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for(ECHO_API).schedule(Fault.SYSTEM_BUSY)
    created = await create(session, emulator)
    refused = await call_echo(session, emulator, token=None)
    busy = await call_echo(session, emulator)
    clean = await call_echo(session, emulator)
    assert (created.status, refused.status, busy.status, clean.status) == (200, 400, 429, 200)
    assert emulator.faults_for(ECHO_API).calls == 2
    assert emulator.faults_for("im.group.create").calls == 1


@pytest.mark.parametrize("fault", [Fault.SYSTEM_ERROR, Fault.SYSTEM_BUSY])
async def test_server_faults_on_oapi_routes_are_errcode_minus_one(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, fault: Fault
) -> None:
    emulator.faults_for(OAPI_ECHO_API).schedule(fault)
    reply = await call_oapi(session, emulator, chatid="chat0")
    assert (reply.status, reply.json()) == (200, {"errcode": -1, "errmsg": "系统繁忙"})


async def test_a_revoked_token_fault_refuses_in_the_route_hosts_shape(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token = emulator.issue_token()
    emulator.faults_for(OAPI_ECHO_API).schedule(Fault.TOKEN_REVOKED)
    revoked = await call_oapi(session, emulator, token=token, chatid="chat0")
    after = await call_echo(session, emulator, token=token)
    assert revoked.json() == {"errcode": 40014, "errmsg": "不合法的access_token"}
    assert after.json()["code"] == "InvalidAuthentication"


async def test_errcode_replies_and_shortcuts_work_for_any_api(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for(OAPI_ECHO_API).schedule_reply(
        ErrcodeReply(errcode=43007, errmsg="需要授权", extra={"sub_code": "x"})
    )
    emulator.fail_next(status=400, code="invalideChatId", message="m", api=ECHO_API)
    emulator.drop_next(api=TOPAPI_ECHO_API)
    errcode = await call_oapi(session, emulator, chatid="chat0")
    failed = await call_echo(session, emulator)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call_oapi(session, emulator, "/topapi/chat/echo", method="POST")
    assert errcode.json() == {"errcode": 43007, "errmsg": "需要授权", "sub_code": "x"}
    assert (failed.status, failed.json()["code"]) == (400, "invalideChatId")
    assert emulator.faults_for(TOPAPI_ECHO_API).injected == {Fault.CONNECTION_CLOSED: 1}


async def test_aiohttp_resends_a_dropped_get_once_so_a_test_sees_two_calls(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    """Worth knowing for GET endpoints (chat/get): the client library, not DingTalk, repeats it."""
    emulator.drop_next(api=OAPI_ECHO_API)
    reply = await call_oapi(session, emulator, chatid="chat0")
    assert reply.json()["errcode"] == 40016
    assert [(r.fault, r.status) for r in emulator.requests] == [
        (Fault.CONNECTION_CLOSED, None),
        (None, 200),
    ]

"""`Transport.call(endpoint, request)`: one path for every API and host family (issue 11)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import pytest
from attrs import define, field

from dingtalk_im_async import (
    ApiError,
    CallQuotaExceededError,
    CreateGroupRequest,
    DingTalkClient,
    GroupNotFoundError,
    GroupService,
    InvalidTokenError,
    RateLimitError,
    RequestValidationError,
    RetryPolicy,
    RunStoppedError,
    Verdict,
)
from dingtalk_im_async._core.endpoint import Endpoint, Host
from dingtalk_im_async._core.wire import wire
from dingtalk_im_async.errors import COMMON_CODES
from dingtalk_im_async.groups.api import GROUPS
from dingtalk_im_async.testing import DingTalkEmulator, Fault, set_testing
from tests.conftest import app_provider
from tests.support.emulator_routes import TEST_ROUTES


@define(frozen=True, kw_only=True)
class EchoRequest:
    chat_id: str = field(metadata=wire("chatId"))
    some_field: str | None = None
    snake_list: tuple[str, ...] | None = field(default=None, metadata=wire("snake_list"))


@define(frozen=True, kw_only=True)
class EchoResult:
    body: dict[str, Any]
    params: dict[str, str]
    query: dict[str, str]


@define(frozen=True, kw_only=True)
class ChatQuery:
    chatid: str


@define(frozen=True, kw_only=True)
class ChatInfo:
    name: str
    chatid: str


ECHO = Endpoint(
    path="/v1.0/im/echo/{chatId}",
    request_type=EchoRequest,
    result_type=EchoResult,
    repeat_safe=True,
    api="im.echo",
)
OAPI_ECHO = Endpoint(
    path="/chat/echo",
    method="GET",
    host=Host.OAPI,
    request_type=ChatQuery,
    result_type=ChatInfo,
    repeat_safe=True,
    result_key="chat_info",
    codes=COMMON_CODES | GROUPS.codes,  # a group read: the family's codes
)


def request(name: str = "g") -> CreateGroupRequest:
    return CreateGroupRequest(name=name, owner="manager4220", useridlist=["u1"])


@pytest.fixture
async def routed() -> DingTalkEmulator:
    async with DingTalkEmulator(extra_routes=TEST_ROUTES) as emulator:
        yield emulator  # type: ignore[misc]


def service_for(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, **options: object
) -> GroupService:
    return GroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        oapi_base_url=emulator.oapi_base_url,
        **{"rate_limit": None, **options},  # type: ignore[arg-type]
    )


async def test_path_fields_are_percent_encoded_and_left_out_of_the_body(
    routed: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = service_for(routed, session)
    odd = "cid+a/b=="  # openConversationIds are base64: `+`, `/` and `=`
    result = await groups._transport.call(
        ECHO, EchoRequest(chat_id=odd, some_field="x", snake_list=("u",))
    )
    assert result.params == {"chatId": odd}
    assert result.body == {"someField": "x", "snake_list": ["u"]}  # camelCase, override kept


async def test_the_legacy_host_takes_the_token_in_the_query_and_unwraps_the_envelope(
    routed: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = service_for(routed, session)
    created = await groups.create(request("legacy"))
    info = await groups._transport.call(OAPI_ECHO, ChatQuery(chatid=created.chatid))
    assert info == ChatInfo(name="legacy", chatid=created.chatid)
    [logged] = [entry for entry in routed.requests if entry.api == OAPI_ECHO.api]
    assert "access_token" not in logged.query  # the journal never keeps it


async def test_a_legacy_errcode_is_a_typed_refusal(
    routed: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = service_for(routed, session)
    with pytest.raises(GroupNotFoundError) as refused:  # the class update's invalideChatId has
        await groups._transport.call(OAPI_ECHO, ChatQuery(chatid="chatnothere"))
    assert refused.value.code == "40016"
    assert refused.value.status == 200
    assert refused.value.verdict is Verdict.REJECTED


async def test_a_legacy_invalid_token_is_replayed_once_with_a_fresh_one(
    routed: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = service_for(routed, session)
    created = await groups.create(request("replayed"))
    routed.faults_for(OAPI_ECHO.api).schedule(Fault.TOKEN_REVOKED)
    info = await groups._transport.call(OAPI_ECHO, ChatQuery(chatid=created.chatid))
    assert info.name == "replayed"
    assert routed.token_fetches == 2
    assert routed.calls(OAPI_ECHO.api) == 2


async def test_a_request_of_the_wrong_type_is_refused_before_any_io(
    routed: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = service_for(routed, session)
    with pytest.raises(RequestValidationError) as refused:
        await groups._transport.call(ECHO, ChatQuery(chatid="c"))  # type: ignore[arg-type]
    assert refused.value.verdict is Verdict.NOT_SENT
    assert routed.token_fetches == 0


async def test_a_2xx_reply_carrying_an_error_code_is_that_error(
    emulator: DingTalkEmulator, groups: GroupService
) -> None:
    emulator.reply_next(
        status=200, body=b'{"code": "system.busy", "message": "busy"}', api="im.group.create"
    )
    with pytest.raises(RateLimitError) as busy:
        await groups.create(request())
    assert busy.value.status == 200
    assert busy.value.verdict is Verdict.REJECTED
    assert emulator.groups == []


async def test_an_api_error_keeps_the_whole_error_body(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(has_group_permission=False) as emulator:
        groups = service_for(emulator, session)
        with pytest.raises(ApiError) as denied:
            await groups.create(request())
    assert denied.value.code == "Forbidden.AccessDenied.AccessTokenPermissionDenied"
    assert denied.value.body["accessdenieddetail"] == {"requiredScopes": ["qyapi_chat_manage"]}
    assert denied.value.verdict is Verdict.REJECTED


async def test_a_gateway_error_with_a_code_is_unknown(
    emulator: DingTalkEmulator, groups: GroupService
) -> None:
    emulator.reply_next(
        status=504, body=b'{"code": "GatewayTimeout", "message": "late"}', api="im.group.create"
    )
    with pytest.raises(ApiError) as late:
        await groups.create(request())
    assert late.value.verdict is Verdict.UNKNOWN


async def test_the_monthly_quota_stops_a_bulk_run_and_the_rest_are_not_sent(
    emulator: DingTalkEmulator, groups: GroupService
) -> None:
    emulator.fail_next(
        status=403,
        code="Forbidden.AccessDenied.ApiCountLimitForOrg",
        message="q",
        api="im.group.create",
    )
    requests = [request(f"q{n}") for n in range(30)]
    async with groups.create_many(requests, concurrency=1) as run:
        outcomes = sorted([outcome async for outcome in run], key=lambda o: o.index)
    assert isinstance(outcomes[0].error, CallQuotaExceededError)
    assert outcomes[0].verdict is Verdict.REJECTED
    assert all(isinstance(o.error, RunStoppedError) for o in outcomes[1:])
    assert {o.verdict for o in outcomes[1:]} == {Verdict.NOT_SENT}
    assert emulator.calls("im.group.create") == 1


async def test_an_unknown_outcome_is_put_back_only_for_operations_safe_to_repeat(
    routed: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    async with DingTalkClient(
        app_key=routed.app_key,
        app_secret=routed.app_secret,
        base_url=routed.base_url,
        rate_limit=None,
    ) as client:
        transport = client.groups._transport

        async def echo(item: EchoRequest) -> EchoResult:
            return await transport.call(ECHO, item)

        routed.faults_for(ECHO.api).schedule(Fault.DROPPED_MID_RESPONSE)
        async with client.many(echo, [EchoRequest(chat_id="c")], rate_limited_backoff=0) as run:
            [repeated] = [outcome async for outcome in run]
        routed.faults_for("im.group.create").schedule(Fault.DROPPED_MID_RESPONSE)
        async with client.many(client.groups.create, [request("once")]) as run:
            [created] = [outcome async for outcome in run]
    assert repeated.ok
    assert repeated.rate_limited_retries == 1
    assert created.verdict is Verdict.UNKNOWN
    assert routed.calls("im.group.create") == 1


async def test_set_testing_makes_every_retry_wait_instant(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = service_for(emulator, session, retry=RetryPolicy(initial_wait=5, max_wait=5))
    emulator.fail_next(2, api="im.group.create")
    set_testing(True)
    try:
        result = await asyncio.wait_for(groups.create(request()), timeout=2)
    finally:
        set_testing(False)
    assert result.chatid
    assert emulator.calls("im.group.create") == 3


async def test_the_token_fetch_retries_a_500_on_the_same_entry_point(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.faults_for("oauth2.accessToken").schedule(Fault.SYSTEM_ERROR)
    groups = service_for(emulator, session)
    set_testing(True)
    try:
        with caplog.at_level(logging.WARNING, logger="dingtalk_im_async"):
            await groups.create(request())
    finally:
        set_testing(False)
    assert emulator.token_fetches == 2
    assert "retrying after HTTP 500 system.error" in caplog.text


async def test_a_failed_token_fetch_means_the_call_was_not_sent(
    emulator: DingTalkEmulator, groups: GroupService
) -> None:
    emulator.faults_for("oauth2.accessToken").schedule(Fault.CONNECTION_CLOSED)
    with pytest.raises(Exception) as lost:
        await groups.create(request())
    assert getattr(lost.value, "verdict", None) is Verdict.NOT_SENT
    assert emulator.calls("im.group.create") == 0


async def test_a_refused_token_whose_replacement_is_also_refused_fails_once(
    emulator: DingTalkEmulator, groups: GroupService
) -> None:
    emulator.faults_for("im.group.create").schedule(Fault.TOKEN_REVOKED)
    emulator.faults_for("im.group.create").schedule(Fault.TOKEN_REVOKED)
    with pytest.raises(InvalidTokenError):
        await groups.create(request())
    assert emulator.calls("im.group.create") == 2

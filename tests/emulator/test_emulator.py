"""The emulator's own behaviours that the client's tests rely on."""

from __future__ import annotations

import asyncio
import re
import ssl

import aiohttp
import pytest
import trustme

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    GroupService,
    RateLimitError,
    TransportError,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.raw_http import CREATE_PATH, create, post

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


@pytest.fixture(scope="session")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


async def test_qps_limit_refuses_calls_beyond_the_limit_in_one_second(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(qps_limit=5) as emulator:
        provider = AppTokenProvider(
            session,
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
        )
        service = GroupService(session, provider, base_url=emulator.base_url)
        await provider.get_token()
        outcomes = await asyncio.gather(
            *(service.create(REQUEST) for _ in range(30)), return_exceptions=True
        )
    refused = [o for o in outcomes if isinstance(o, RateLimitError)]
    assert len(refused) == emulator.rate_limited
    assert all(r.code == "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi" for r in refused)
    assert len(emulator.groups) == 30 - len(refused)
    assert len(emulator.groups) <= 5 * len(emulator.windows("im.group.create"))
    assert refused
    assert sum(emulator.windows("im.group.create").values()) == 30


async def test_emulator_serves_https_with_a_trusted_certificate(
    certificate_authority: trustme.CA,
) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    certificate_authority.configure_trust(client_context)
    async with (
        DingTalkEmulator(ssl_context=server_context) as emulator,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_context)) as session,
    ):
        assert emulator.base_url.startswith("https://127.0.0.1:")
        provider = AppTokenProvider(
            session,
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
        )
        result = await GroupService(session, provider, base_url=emulator.base_url).create(REQUEST)
        assert result.open_conversation_id == emulator.groups[0].open_conversation_id


async def test_untrusted_certificate_is_refused_by_default(
    certificate_authority: trustme.CA, session: aiohttp.ClientSession
) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(server_context)
    async with DingTalkEmulator(ssl_context=server_context) as emulator:
        provider = AppTokenProvider(
            session,
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
        )
        with pytest.raises(TransportError) as caught:
            await provider.get_token()
        assert caught.value.may_have_reached_server is False
        assert emulator.token_fetches == 0


async def test_ids_look_like_dingtalks_and_are_unique(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    token = emulator.issue_token()
    replies = await asyncio.gather(*(create(session, emulator, token=token) for _ in range(200)))
    bodies = [reply.json() for reply in replies]
    conversation_ids = {body["openConversationId"] for body in bodies}
    chatids = {body["chatid"] for body in bodies}
    request_ids = {reply.headers["x-acs-request-id"] for reply in replies}
    assert len(conversation_ids) == len(chatids) == len(request_ids) == 200
    assert all(re.fullmatch(r"cid[A-Za-z0-9+/]{22}==", cid) for cid in conversation_ids)
    assert all(re.fullmatch(r"chat[0-9a-f]{32}", chatid) for chatid in chatids)
    guid = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"
    assert all(re.fullmatch(guid, request_id) for request_id in request_ids)
    assert all(re.fullmatch(r"[0-9a-f]{30}", r.headers["x-acs-trace-id"]) for r in replies)
    assert {g.open_conversation_id for g in emulator.groups} == conversation_ids


async def test_error_bodies_carry_code_message_and_the_headers_request_id(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    reply = await create(session, emulator, {"name": "n"})
    body = reply.json()
    assert set(body) == {"code", "message", "requestid"}
    assert body["requestid"] == reply.headers["x-acs-request-id"]
    assert reply.headers["x-acs-trace-id"]
    assert reply.headers["Content-Type"].startswith("application/json")


async def test_success_reply_has_exactly_the_spec_fields(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    reply = await create(session, emulator)
    assert reply.status == 200
    assert set(reply.json()) == {"openConversationId", "chatid", "conversationTag"}
    assert reply.headers["x-acs-request-id"]


async def test_qps_windows_count_only_authenticated_calls(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(qps_limit=1) as emulator:
        await post(session, emulator.base_url + CREATE_PATH, json_body={"name": "n"})
        await create(session, emulator, token="0" * 32)
        accepted = await create(session, emulator)
    assert accepted.status == 200
    assert emulator.calls("im.group.create") == 3
    assert sum(emulator.windows("im.group.create").values()) == 1
    assert emulator.rate_limited == 0

"""The emulator's own behaviours that the client's tests rely on."""

from __future__ import annotations

import asyncio
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
    assert len(emulator.groups) <= 5 * len(emulator.create_windows)
    assert refused
    assert sum(emulator.create_windows.values()) == 30


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

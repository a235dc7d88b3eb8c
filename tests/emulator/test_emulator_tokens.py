"""The emulator's token endpoint and token checks, as DingTalk documents its own
(https://open.dingtalk.com/document/development/obtain-the-access-token-of-an-internal-app)."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    GroupService,
    InvalidCredentialsError,
    InvalidTokenError,
    StaticTokenProvider,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.raw_http import TOKEN_PATH, create, post

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


async def test_token_endpoint_returns_a_token_and_its_lifetime(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(token_lifetime=3600) as emulator:
        reply = await post(
            session,
            emulator.base_url + TOKEN_PATH,
            json_body={"appKey": emulator.app_key, "appSecret": emulator.app_secret},
        )
    body = reply.json()
    assert reply.status == 200
    assert set(body) == {"accessToken", "expireIn"}
    assert re.fullmatch(r"[0-9a-f]{32}", body["accessToken"])
    assert body["expireIn"] == 3600
    assert reply.headers["x-acs-request-id"]
    assert reply.headers["x-acs-trace-id"]


async def test_asking_again_while_valid_returns_the_same_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    credentials = {"appKey": emulator.app_key, "appSecret": emulator.app_secret}
    first = await post(session, emulator.base_url + TOKEN_PATH, json_body=credentials)
    second = await post(session, emulator.base_url + TOKEN_PATH, json_body=credentials)
    assert first.json()["accessToken"] == second.json()["accessToken"]
    assert emulator.token_fetches == 2


async def test_form_body_is_rejected_although_the_credentials_are_right(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    reply = await post(
        session,
        emulator.base_url + TOKEN_PATH,
        data={"appKey": emulator.app_key, "appSecret": emulator.app_secret},
    )
    body = reply.json()
    assert (reply.status, body["code"]) == (400, "MissingappKey")
    assert "Content-Type: application/json" in body["message"]
    assert body["requestid"] == reply.headers["x-acs-request-id"]


async def test_json_text_without_the_json_content_type_is_rejected(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    reply = await post(
        session,
        emulator.base_url + TOKEN_PATH,
        data=f'{{"appKey":"{emulator.app_key}","appSecret":"{emulator.app_secret}"}}',
        headers={"Content-Type": "text/plain"},
    )
    assert (reply.status, reply.json()["code"]) == (400, "MissingappKey")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"appSecret": "s"}, "MissingappKey"),
        ({"appKey": "", "appSecret": "s"}, "MissingappKey"),
        ({"appKey": "k"}, "MissingappSecret"),
        ({"appKey": "k", "appSecret": 5}, "MissingappSecret"),
        (["appKey", "appSecret"], "MissingappKey"),
    ],
)
async def test_missing_credentials_are_named(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, body: object, code: str
) -> None:
    reply = await post(session, emulator.base_url + TOKEN_PATH, json_body=body)
    assert (reply.status, reply.json()["code"]) == (400, code)
    assert emulator.groups == []


@pytest.mark.parametrize("wrong", ["appKey", "appSecret"])
async def test_wrong_key_or_secret_is_invalid_client_id_or_secret(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, wrong: str
) -> None:
    credentials = {"appKey": emulator.app_key, "appSecret": emulator.app_secret, wrong: "nope"}
    reply = await post(session, emulator.base_url + TOKEN_PATH, json_body=credentials)
    assert (reply.status, reply.json()["code"]) == (400, "invalidClientIdOrSecret")


async def test_client_sees_wrong_credentials_as_invalid_credentials_error(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    provider = AppTokenProvider(
        session, app_key=emulator.app_key, app_secret="wrong", base_url=emulator.base_url
    )
    with pytest.raises(InvalidCredentialsError) as caught:
        await provider.get_token()
    assert caught.value.status == 400


async def test_expired_token_is_invalid_authentication(session: aiohttp.ClientSession) -> None:
    async with DingTalkEmulator(token_lifetime=0.05) as emulator:
        token = emulator.issue_token()
        await asyncio.sleep(0.1)
        reply = await create(session, emulator, token=token)
    assert (reply.status, reply.json()["code"]) == (400, "InvalidAuthentication")
    assert reply.json()["message"] == "不合法的access_token"


async def test_revoked_token_is_refused_and_the_client_replays_with_a_new_one(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    provider = AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    )
    service = GroupService(session, provider, base_url=emulator.base_url)
    old = await provider.get_token()
    emulator.revoke_tokens()
    refused = await create(session, emulator, token=old)
    assert refused.json()["code"] == "InvalidAuthentication"
    await service.create(REQUEST)
    assert emulator.token_fetches == 2
    assert len(emulator.groups) == 1


async def test_missing_token_header_is_authentication_failed(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    reply = await post(
        session, emulator.base_url + "/v1.0/im/group/create", json_body={"name": "n"}
    )
    body = reply.json()
    assert (reply.status, body["code"]) == (400, "AuthenticationFailed.MissingParameter")
    assert "x-acs-dingtalk-access-token" in body["message"]
    assert emulator.calls("im.group.create") == 1
    assert emulator.windows("im.group.create") == {}


async def test_unknown_token_is_an_invalid_token_error_for_the_client(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    reply = await create(session, emulator, token="0" * 32)
    assert (reply.status, reply.json()["code"]) == (400, "InvalidAuthentication")
    service = GroupService(session, StaticTokenProvider("0" * 32), base_url=emulator.base_url)
    with pytest.raises(InvalidTokenError):
        await service.create(REQUEST)

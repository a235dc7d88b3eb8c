"""Tokens and app secrets never appear in reprs, exception text or log records."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkError,
    GroupService,
    RetryPolicy,
    StaticTokenProvider,
)
from dingtalk_im_async.testing import DingTalkEmulator

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


async def test_no_token_or_secret_in_errors_reprs_or_logs(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    )
    service = GroupService(
        session, provider, base_url=emulator.base_url, retry=RetryPolicy(initial_wait=0, max_wait=0)
    )
    errors: list[DingTalkError] = []
    emulator.fail_next(3, status=500, code="system.error")
    emulator.fail_next(1, status=400, code="parameter.invalid")
    emulator.reply_next(status=502, body=b"<html>bad gateway</html>", content_type="text/html")
    emulator.drop_next(1)
    for _ in range(4):
        try:
            await service.create(REQUEST)
        except DingTalkError as error:
            errors.append(error)
    await service.create(REQUEST)
    token = await provider.get_token()
    bad_token_service = GroupService(
        session, StaticTokenProvider("leaky-token-value"), base_url=emulator.base_url
    )
    try:
        await bad_token_service.create(REQUEST)
    except DingTalkError as error:
        errors.append(error)

    assert len(errors) == 5
    texts = [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [repr(provider), repr(service), repr(bad_token_service.__dict__)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(StaticTokenProvider("leaky-token-value"))]
    for secret in (token, emulator.app_secret, "leaky-token-value"):
        assert not [text for text in texts if secret in text]
    assert any("retrying" in record.getMessage() for record in caplog.records)

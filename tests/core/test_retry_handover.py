"""The first try runs outside tenacity; after a retryable failure tenacity takes over as if
it had made that try itself: same attempt count, waits and log lines."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from dingtalk_im_async import (
    CreateGroupRequest,
    GroupService,
    InvalidParameterError,
    RetryPolicy,
    ServerError,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import app_provider

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])


def service_with(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, attempts: int
) -> GroupService:
    return GroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        retry=RetryPolicy(attempts=attempts, initial_wait=0, max_wait=0),
    )


async def test_a_one_attempt_policy_sends_once_and_raises_the_server_error(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.fail_next(2, status=500, code="system.error", api="im.group.create")
    with pytest.raises(ServerError) as caught:
        await service_with(emulator, session, attempts=1).create(REQUEST)
    assert caught.value.code == "system.error"
    assert emulator.calls("im.group.create") == 1


async def test_each_retry_is_logged_with_the_attempt_that_failed(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="dingtalk_im_async")
    emulator.fail_next(3, status=500, code="system.error", api="im.group.create")
    with pytest.raises(ServerError):
        await service_with(emulator, session, attempts=3).create(REQUEST)
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2
    assert retries[0].endswith("(attempt 1)")
    assert retries[1].endswith("(attempt 2)")
    assert "HTTP 500 system.error" in retries[0]
    assert emulator.calls("im.group.create") == 3


async def test_the_error_raised_after_retries_is_the_last_reply(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.fail_next(1, status=500, code="system.error", api="im.group.create")
    emulator.fail_next(1, status=400, code="parameter.invalid", api="im.group.create")
    with pytest.raises(InvalidParameterError):
        await service_with(emulator, session, attempts=3).create(REQUEST)
    assert emulator.calls("im.group.create") == 2


async def test_a_success_after_one_retry_creates_exactly_one_group(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.fail_next(1, status=500, code="system.error", api="im.group.create")
    result = await service_with(emulator, session, attempts=2).create(REQUEST)
    assert emulator.calls("im.group.create") == 2
    assert [g.open_conversation_id for g in emulator.groups] == [result.open_conversation_id]

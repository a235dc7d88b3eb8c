"""Shared fixtures: a real emulator on 127.0.0.1 and a client bound to it over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from dingtalk_im_async import AppTokenProvider, GroupService, RetryPolicy
from dingtalk_im_async.testing import DingTalkEmulator

from .redis_server import redis_for_tests

INSTANT_RETRIES = RetryPolicy(initial_wait=0, max_wait=0)


@pytest.fixture
async def emulator() -> AsyncIterator[DingTalkEmulator]:
    async with DingTalkEmulator() as emu:
        yield emu


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def app_provider(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> AppTokenProvider:
    return AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    )


@pytest.fixture
def groups(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> GroupService:
    return GroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        retry=INSTANT_RETRIES,
    )


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a real redis-server (see tests/redis_server.py); tests use distinct keys."""
    with redis_for_tests() as url:
        yield url

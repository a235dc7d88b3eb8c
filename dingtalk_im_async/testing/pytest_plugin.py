"""pytest plugin (registered as a `pytest11` entry point): the `dingtalk_emulator` fixture.

The fixture is async, so the test suite needs an asyncio pytest plugin
(pytest-asyncio in auto mode, or anyio) to run it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from attrs import define

from .._transport import RetryPolicy
from ..groups import GroupService
from ..tokens import AppTokenProvider
from .emulator import DingTalkEmulator

__all__ = ["EmulatedDingTalk", "dingtalk_emulator"]


@define(frozen=True, kw_only=True)
class EmulatedDingTalk:
    """A running emulator and a `GroupService` bound to it (retry waits are zero)."""

    emulator: DingTalkEmulator
    groups: GroupService
    session: aiohttp.ClientSession


@pytest.fixture
async def dingtalk_emulator() -> AsyncIterator[EmulatedDingTalk]:
    """A fresh emulator on 127.0.0.1 and a ready client, both closed after the test."""
    async with DingTalkEmulator() as emulator, aiohttp.ClientSession() as session:
        provider = AppTokenProvider(
            session,
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
        )
        groups = GroupService(
            session,
            provider,
            base_url=emulator.base_url,
            retry=RetryPolicy(initial_wait=0, max_wait=0),
        )
        yield EmulatedDingTalk(emulator=emulator, groups=groups, session=session)

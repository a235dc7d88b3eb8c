"""Shared fixtures: a real emulator on 127.0.0.1 and a client bound to it over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async import AppTokenProvider, GroupService, RetryPolicy
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.chaos import CHAOS_CREATES, SEED, SOAK_CREATES
from tests.support.redis_server import redis_for_tests

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
    """Unpaced (tests of pacing build their own), with instant retries."""
    return GroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        retry=INSTANT_RETRIES,
        rate_limit=None,
    )


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a real redis-server (see tests/support/redis_server.py); tests use distinct keys."""
    with redis_for_tests() as url:
        yield url


# -- the chaos and soak runs' options and figures (tests/core/conftest.py runs the create chaos,
# tests/stream/test_stream_chaos.py the Stream chaos; both are marked `slow`) ------------------

_CHAOS_FIGURES = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "chaos", "chaos runs (tests/core/test_chaos.py, tests/core/test_secrets.py)"
    )
    group.addoption(
        "--soak",
        action="store_true",
        default=False,
        help=f"main chaos run with {SOAK_CREATES:,} creates instead of {CHAOS_CREATES:,} "
        "($DINGTALK_SOAK_CREATES sets another count; $DINGTALK_SOAK=1 works like --soak)",
    )
    group.addoption(
        "--chaos-debug",
        action="store_true",
        default=False,
        help="run the main chaos run in asyncio's debug mode too (about six times slower)",
    )
    group.addoption("--chaos-seed", type=int, default=SEED, help="seed of the fault draws")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Every log of a run that had the chaos tests carries their figures."""
    figures = config.stash.get(_CHAOS_FIGURES, [])
    if figures:
        terminalreporter.section("chaos figures")
        for line in figures:
            terminalreporter.write_line(line)

"""Shared fixtures: a real emulator on 127.0.0.1 and a client bound to it over real HTTP."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async import AppTokenProvider, GroupService, RetryPolicy
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.chaos import SEED, ChaosRun, chaos_figures, run_chaos
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


# -- the chaos runs, shared by tests/core/test_chaos.py and tests/core/test_secrets.py ------------

#: Creates in the main chaos run: the issue's 10,000 in CI, more with --soak.
CHAOS_CREATES = 10_000
SOAK_CREATES = 100_000
#: The second run: asyncio's debug mode makes the client about six times slower, so it is
#: smaller, with tokens revoked more often to keep as many revocations.
DEBUG_CHAOS_CREATES = 2_000
DEBUG_REVOKE_EVERY = 250
#: An app secret unlike any other string in the run, so finding it anywhere means a leak.
CHAOS_APP_SECRET = "chaos-app-secret-7f3a9c2e"
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


def _main_chaos_creates(config: pytest.Config) -> int:
    if not (config.getoption("--soak") or os.environ.get("DINGTALK_SOAK") == "1"):
        return CHAOS_CREATES
    return int(os.environ.get("DINGTALK_SOAK_CREATES", SOAK_CREATES))


@pytest.fixture(scope="session")
def chaos_run(pytestconfig: pytest.Config) -> ChaosRun:
    """10,000 creates (or the soak's count) under every fault at once."""
    run = run_chaos(
        _main_chaos_creates(pytestconfig),
        app_secret=CHAOS_APP_SECRET,
        seed=pytestconfig.getoption("--chaos-seed"),
        debug=pytestconfig.getoption("--chaos-debug"),
    )
    pytestconfig.stash.setdefault(_CHAOS_FIGURES, []).extend(chaos_figures(run))
    return run


@pytest.fixture(scope="session")
def debug_chaos_run(pytestconfig: pytest.Config) -> ChaosRun:
    """The same scenario, smaller, with the client's loop in asyncio's debug mode."""
    run = run_chaos(
        DEBUG_CHAOS_CREATES,
        app_secret=CHAOS_APP_SECRET,
        seed=pytestconfig.getoption("--chaos-seed"),
        revoke_every=DEBUG_REVOKE_EVERY,
        debug=True,
    )
    pytestconfig.stash.setdefault(_CHAOS_FIGURES, []).extend(chaos_figures(run))
    return run


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Every log of a run that had the chaos tests carries their figures."""
    figures = config.stash.get(_CHAOS_FIGURES, [])
    if figures:
        terminalreporter.section("chaos figures")
        for line in figures:
            terminalreporter.write_line(line)

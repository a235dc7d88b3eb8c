"""The create chaos runs, shared by tests/core/test_chaos.py and tests/core/test_secrets.py
(both marked `slow`); their options (`--soak`, `--chaos-debug`, `--chaos-seed`) are the root
conftest's, which every run loads."""

from __future__ import annotations

import os

import pytest

from tests.conftest import _CHAOS_FIGURES
from tests.support.chaos import (
    CHAOS_APP_SECRET,
    CHAOS_CREATES,
    DEBUG_CHAOS_CREATES,
    DEBUG_REVOKE_EVERY,
    SOAK_CREATES,
    ChaosRun,
    chaos_figures,
    run_chaos,
)


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

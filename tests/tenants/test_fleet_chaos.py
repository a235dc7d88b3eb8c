"""The tenant fleet chaos (issue 24): 3 processes on one Redis serve calls for 2,000
organisations while suite tickets rotate (over Stream) and tokens are revoked. No call
carries another organisation's token (the emulator checks each), each organisation's token
is fetched at most once per revocation (a rotation alone costs none), and no caller sees a
failure: a revoked token costs one replay. The run is `benchmarks/tenant_fleet.py`'s, which
prints the same figures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import _CHAOS_FIGURES

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "tenant_fleet.py"


def fleet_script() -> ModuleType:
    """benchmarks/tenant_fleet.py as a module (benchmarks are scripts, not a package)."""
    if "tenant_fleet" in sys.modules:
        return sys.modules["tenant_fleet"]
    spec = importlib.util.spec_from_file_location("tenant_fleet", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tenant_fleet"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
async def test_a_fleet_serves_2000_organisations_through_rotations_and_revocations(
    redis_url: str, pytestconfig: pytest.Config
) -> None:
    fleet = fleet_script()
    figures = await fleet.run(
        redis_url=redis_url,
        organisations=2000,
        processes=3,
        rounds=2,
        calls=2500,
        rotations=3,
        revocations=15,
    )
    pytestconfig.stash.setdefault(_CHAOS_FIGURES, []).append(
        f"tenant fleet: {figures['organisations']} organisations, {figures['calls']} calls, "
        f"{figures['ticket_rotations']} rotations, {figures['revocations']} revocations: "
        f"{figures['cross_tenant_calls']} cross-tenant, {figures['token_fetches']} fetches, "
        f"{figures['replays']} replays, {sum(figures['failures'].values())} failures, "
        f"{figures['bytes_per_organisation'] / 1024:.1f} KiB per organisation"
    )
    assert figures["cross_tenant_calls"] == 0
    assert figures["wrong_group"] == 0
    assert figures["failures"] == {}
    assert figures["fetches_over_bound"] == {}
    assert figures["ticket_rotations"] >= 1
    assert figures["revocations"] >= 1
    assert figures["replays"] >= 1  # revocations did reach callers, and cost a replay each
    assert figures["token_fetches"] <= figures["organisations"] + figures["revocations"]

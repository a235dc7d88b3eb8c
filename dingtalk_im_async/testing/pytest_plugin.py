"""pytest plugin (a `pytest11` entry point, active once the package is installed).

It provides the `dingtalk_emulator` fixture: a `DingTalkEmulator` running on
127.0.0.1 and a `GroupService` bound to it through an `AppTokenProvider`,
all closed after the test. While the test runs, `set_testing(True)` makes
every retry wait and backoff of the package instant (token fetches and
bulk put-backs included); it is restored afterwards::

    from dingtalk_im_async import CreateGroupRequest
    from dingtalk_im_async.testing import Fault

    async def test_creates_a_group(dingtalk_emulator):
        result = await dingtalk_emulator.groups.create(
            CreateGroupRequest(name="team", owner="manager4220", useridlist=["u1"])
        )
        [group] = dingtalk_emulator.emulator.groups
        assert group.open_conversation_id == result.open_conversation_id

    @pytest.mark.dingtalk_emulator(qps_limit=20, visible_users=["manager4220"])
    async def test_survives_a_dropped_reply(dingtalk_emulator):
        dingtalk_emulator.emulator.faults.schedule(Fault.DROPPED_MID_RESPONSE)
        ...

The `dingtalk_emulator` marker passes its keyword arguments to
`DingTalkEmulator` (`visible_users`, `whitelisted`, `has_group_permission`,
`token_lifetime`, `qps_limit`, `app_key`, `app_secret`, ...).

The fixture is async: install pytest-asyncio beside pytest. It is declared
as a pytest-asyncio fixture, so it works in strict mode (mark tests
`@pytest.mark.asyncio`) and in auto mode alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from .._retry import is_testing, set_testing
from ..groups import GroupService
from ..robot import RobotService
from ..tokens import AppTokenProvider
from .emulated import EmulatedDingTalk
from .emulator import DingTalkEmulator

__all__ = ["MARKER", "EmulatedDingTalk", "dingtalk_emulator"]

if TYPE_CHECKING:
    _async_fixture = pytest.fixture
else:
    # pytest-asyncio's decorator makes the fixture work in its strict mode too;
    # without pytest-asyncio it stays a plain fixture for another async runner.
    try:
        from pytest_asyncio import fixture as _async_fixture
    except ImportError:
        _async_fixture = pytest.fixture

MARKER = "dingtalk_emulator"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): keyword arguments for the `dingtalk_emulator` fixture's "
        "DingTalkEmulator (qps_limit, visible_users, whitelisted, ...)",
    )


@_async_fixture
async def dingtalk_emulator(request: pytest.FixtureRequest) -> AsyncIterator[EmulatedDingTalk]:
    """A fresh emulator on 127.0.0.1 and a ready client, both closed after the test."""
    marker = request.node.get_closest_marker(MARKER)
    settings: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    was_testing = is_testing()
    set_testing(True)
    try:
        async with (
            DingTalkEmulator(**settings) as emulator,
            aiohttp.ClientSession() as session,
            AppTokenProvider(
                session,
                app_key=emulator.app_key,
                app_secret=emulator.app_secret,
                base_url=emulator.base_url,
            ) as tokens,
        ):
            groups = GroupService(
                session, tokens, base_url=emulator.base_url, oapi_base_url=emulator.oapi_base_url
            )
            robot = RobotService(
                session, tokens, robot_code=emulator.robot_code, base_url=emulator.base_url
            )
            yield EmulatedDingTalk(
                emulator=emulator, groups=groups, robot=robot, tokens=tokens, session=session
            )
    finally:
        set_testing(was_testing)

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

Remote mode: with `--dingtalk-emulator-url URL` (or `$DINGTALK_EMULATOR_URL`)
the fixture's `emulator` is a `RemoteEmulator` for a `dingtalk-im emulator`
already running there (in another process or container), reset before each
test; its inspection and fault methods are coroutines.

The fixture is async: install pytest-asyncio beside pytest. It is declared
as a pytest-asyncio fixture, so it works in strict mode (mark tests
`@pytest.mark.asyncio`) and in auto mode alike.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from .._retry import is_testing, set_testing
from ..emulator.emulated import EmulatedDingTalk
from ..emulator.emulator import DingTalkEmulator
from ..emulator.remote import RemoteEmulator
from ..groups import GroupService
from ..robot import RobotService
from ..tokens import AppTokenProvider

__all__ = ["MARKER", "URL_ENV", "URL_OPTION", "EmulatedDingTalk", "dingtalk_emulator"]

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
#: Remote mode: the URL of a running `dingtalk-im emulator` (option, else environment).
URL_OPTION = "--dingtalk-emulator-url"
URL_ENV = "DINGTALK_EMULATOR_URL"
#: Marker settings remote mode can apply through the admin API (restored after the test).
_REMOTE_SETTINGS = frozenset({"qps_limit", "qps_limits", "visible_users"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        URL_OPTION,
        default=None,
        metavar="URL",
        help="Run `dingtalk_emulator` tests against this running emulator (its admin API) "
        f"instead of a fresh one per test; default: ${URL_ENV}.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): keyword arguments for the `dingtalk_emulator` fixture's "
        "DingTalkEmulator (qps_limit, visible_users, whitelisted, ...)",
    )


@_async_fixture
async def dingtalk_emulator(request: pytest.FixtureRequest) -> AsyncIterator[EmulatedDingTalk]:
    """A fresh emulator on 127.0.0.1 and a ready client, both closed after the test; in
    remote mode (`--dingtalk-emulator-url` or `$DINGTALK_EMULATOR_URL`) a `RemoteEmulator`
    for the running one, reset before the test."""
    marker = request.node.get_closest_marker(MARKER)
    settings: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    url = request.config.getoption(URL_OPTION) or os.environ.get(URL_ENV)
    was_testing = is_testing()
    set_testing(True)
    try:
        async with aiohttp.ClientSession() as session:
            if url:
                async with (
                    _remote(url, session, settings) as remote,
                    _bound(remote, session) as emulated,
                ):
                    yield emulated
            else:
                async with (
                    DingTalkEmulator(**settings) as emulator,
                    _bound(emulator, session) as emulated,
                ):
                    yield emulated
    finally:
        set_testing(was_testing)


@asynccontextmanager
async def _bound(
    emulator: DingTalkEmulator | RemoteEmulator, session: aiohttp.ClientSession
) -> AsyncIterator[EmulatedDingTalk]:
    async with AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    ) as tokens:
        groups = GroupService(
            session, tokens, base_url=emulator.base_url, oapi_base_url=emulator.oapi_base_url
        )
        robot = RobotService(
            session, tokens, robot_code=emulator.robot_code, base_url=emulator.base_url
        )
        yield EmulatedDingTalk(
            emulator=emulator, groups=groups, robot=robot, tokens=tokens, session=session
        )


@asynccontextmanager
async def _remote(
    url: str, session: aiohttp.ClientSession, settings: dict[str, Any]
) -> AsyncIterator[RemoteEmulator]:
    """The running emulator, reset, with the marker's settings applied and then restored."""
    unsupported = sorted(set(settings) - _REMOTE_SETTINGS)
    if unsupported:
        pytest.fail(
            f"{MARKER} marker settings {unsupported} need an in-process emulator; remote mode "
            f"applies only {sorted(_REMOTE_SETTINGS)}",
            pytrace=False,
        )
    async with RemoteEmulator(url, session=session) as remote:
        await remote.reset()
        limit, per_api = await remote.qps_limits()
        visible = await remote.visible_users()
        try:
            if "qps_limit" in settings:
                await remote.set_qps_limit(settings["qps_limit"])
            if "qps_limits" in settings:
                await remote.set_qps_limits(settings["qps_limits"])
            if "visible_users" in settings:
                await remote.set_visible_users(settings["visible_users"])
            yield remote
        finally:
            await remote.set_qps_limit(limit)
            await remote.set_qps_limits(per_api)
            await remote.set_visible_users(visible)

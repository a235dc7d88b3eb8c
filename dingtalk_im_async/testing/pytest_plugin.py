"""pytest plugin: the `dingtalk_emulator` fixture and marker (a `pytest11` entry point).

Installing the package registers it for pytest runs in that environment (turn it
off with `-p no:dingtalk_im_async`). Loading it costs little: it imports pytest
and this package's face, and nothing of the emulator or of aiohttp's server
until a test asks for the fixture.

The fixture gives a test a `DingTalkEmulator` running on 127.0.0.1 and a
`GroupService` and `RobotService` bound to it through an `AppTokenProvider`,
all closed after the test. While the test runs, `set_testing(True)` makes
every retry wait and backoff of the package instant; it is restored
afterwards::

    from dingtalk_im_async import CreateGroupRequest
    from dingtalk_im_async.testing import Fault

    async def test_creates_a_group(dingtalk_emulator):
        result = await dingtalk_emulator.groups.create(
            CreateGroupRequest(name="team", owner="manager4220", useridlist=["u1"])
        )
        [group] = await dingtalk_emulator.emulator.list_groups()
        assert group.open_conversation_id == result.open_conversation_id

    @pytest.mark.dingtalk_emulator(qps_limit=20, visible_users=["manager4220"])
    async def test_survives_a_dropped_reply(dingtalk_emulator):
        await dingtalk_emulator.emulator.schedule(
            Fault.DROPPED_MID_RESPONSE, api="im.group.create"
        )
        ...

The `dingtalk_emulator` marker's keyword arguments are `EmulatorSettings`
fields (`qps_limit`, `visible_users`, `fault_rates`, ...) and, in process,
`DingTalkEmulator`'s `host`, `port`, `ssl_context` and `extra_routes`.

Remote mode: with `--dingtalk-emulator-url URL` (or `$DINGTALK_EMULATOR_URL`)
the fixture's `emulator` is a `RemoteEmulator` for a `dingtalk-im emulator`
already running there (in another process or container). Before each test it
calls `reset()` there: every group and message, the journal, the counters, the
scheduled faults and the tokens are forgotten, for every other client of that
emulator too; its settings stay. The marker's settings are applied with
`configure` and put back after the test. The controls have the same names in
both modes; awaited, the same test passes in both.

The fixture is async: install pytest-asyncio beside pytest. It is declared
as a pytest-asyncio fixture, so it works in strict mode (mark tests
`@pytest.mark.asyncio`) and in auto mode alike.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import pytest

from .._core.retry import is_testing, set_testing

__all__ = ["MARKER", "URL_ENV", "URL_OPTION", "dingtalk_emulator"]

if TYPE_CHECKING:
    import aiohttp

    from ..emulator import DingTalkEmulator, EmulatedDingTalk, RemoteEmulator

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
#: Marker arguments that only an emulator of the fixture's own can take.
_IN_PROCESS_ONLY = frozenset({"host", "port", "ssl_context", "extra_routes", "settings"})


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
        f"{MARKER}(**settings): EmulatorSettings for the `dingtalk_emulator` fixture's "
        "emulator (qps_limit, visible_users, whitelisted, fault_rates, ...)",
    )


@_async_fixture
async def dingtalk_emulator(request: pytest.FixtureRequest) -> AsyncIterator[EmulatedDingTalk]:
    """A fresh emulator on 127.0.0.1 and a ready client, both closed after the test; in
    remote mode (`--dingtalk-emulator-url` or `$DINGTALK_EMULATOR_URL`) a `RemoteEmulator`
    for the running one, reset before the test."""
    import aiohttp  # here, not at import: loading the plugin stays cheap

    from ..emulator import DingTalkEmulator

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
    from ..emulator import EmulatedDingTalk
    from ..groups import GroupService
    from ..robot import RobotService
    from ..tokens import AppTokenProvider

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
    """The running emulator, reset, with the marker's settings applied and then put back."""
    from ..emulator import RemoteEmulator
    from ..emulator.settings import setting_info

    unsupported = sorted(
        name
        for name in settings
        if name in _IN_PROCESS_ONLY or (_is_setting(name) and not setting_info(name).live)
    )
    if unsupported:
        pytest.fail(
            f"{MARKER} marker settings {unsupported} need an in-process emulator: a running "
            "emulator's address and app are fixed when it starts",
            pytrace=False,
        )
    async with RemoteEmulator(url, session=session) as remote:
        await remote.reset()
        before = await remote.get_settings()
        try:
            await remote.configure(**settings)
        except (TypeError, ValueError) as error:
            pytest.fail(f"{MARKER} marker: {error}", pytrace=False)
        try:
            yield remote
        finally:
            await remote.configure(**{name: getattr(before, name) for name in settings})


def _is_setting(name: str) -> bool:
    from ..emulator.settings import setting_names

    return name in setting_names()


def __getattr__(name: str) -> Any:
    """`EmulatedDingTalk`, exported here before, loaded when asked for."""
    if name == "EmulatedDingTalk":
        from ..emulator import EmulatedDingTalk

        return EmulatedDingTalk
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

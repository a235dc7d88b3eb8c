"""`RemoteEmulator` against a real emulator, and the fixture's remote mode against
`dingtalk-im emulator` running as its own process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async import (
    ApiError,
    CreateGroupRequest,
    GroupMessage,
    GroupService,
    RobotService,
    Text,
    TransportError,
)
from dingtalk_im_async.testing import DingTalkEmulator, Fault, RemoteEmulator
from tests.cli.test_cli_emulator import emulator_process
from tests.conftest import app_provider

pytest_plugins = ["pytester"]

REQUEST = CreateGroupRequest(name="team", owner="manager4220", useridlist=["u1", "u2"])


@pytest.fixture
async def remote(emulator: DingTalkEmulator) -> AsyncIterator[RemoteEmulator]:
    async with RemoteEmulator(emulator.base_url + "/") as client:
        yield client


async def test_reads_the_credentials_on_entry(
    remote: RemoteEmulator, emulator: DingTalkEmulator
) -> None:
    assert (remote.app_key, remote.app_secret) == (emulator.app_key, emulator.app_secret)
    assert remote.robot_code == emulator.robot_code
    assert (remote.base_url, remote.oapi_base_url) == (emulator.base_url, emulator.oapi_base_url)
    assert emulator.app_secret not in repr(remote)


async def test_inspects_groups_messages_and_the_journal(
    remote: RemoteEmulator,
    emulator: DingTalkEmulator,
    groups: GroupService,
    session: aiohttp.ClientSession,
) -> None:
    created = await groups.create(REQUEST)
    robot = RobotService(
        session,
        app_provider(emulator, session),
        robot_code=emulator.robot_code,
        base_url=emulator.base_url,
    )
    sent = await robot.send(
        GroupMessage(open_conversation_id=created.open_conversation_id, message=Text("hi"))
    )
    assert await remote.mark_read(sent.process_query_key, "u1") == ["u1"]
    [group] = await remote.groups()
    assert group.open_conversation_id == created.open_conversation_id
    assert group.members == ["manager4220", "u1", "u2"]
    [message] = group.messages
    assert (message.process_query_key, message.read_by) == (sent.process_query_key, ["u1"])
    assert (await remote.group(group.chatid)).name == "team"
    await remote.install_robot(created.open_conversation_id, "bot2")
    assert "bot2" in (await remote.group(created.open_conversation_id)).robots
    await remote.remove_robot(created.open_conversation_id, "bot2")
    assert "bot2" not in (await remote.group(created.open_conversation_id)).robots

    journal = await remote.requests()
    assert journal == emulator.requests
    assert [line.api for line in await remote.requests(since=3)] == ["robot.groupMessages.send"]
    assert await remote.calls("im.group.create") == 1
    with pytest.raises(ValueError, match="no group has the id"):
        await remote.group("nope")
    with pytest.raises(ValueError, match="no route serves"):
        await remote.calls("im.nope")


async def test_faults_as_in_process(
    remote: RemoteEmulator, emulator: DingTalkEmulator, groups: GroupService
) -> None:
    await remote.fail_next(status=403, code="Forbidden.Custom", message="refused here")
    with pytest.raises(ApiError, match="refused here"):
        await groups.create(REQUEST)
    await remote.drop_next()
    with pytest.raises(TransportError):
        await groups.create(REQUEST)
    await remote.delay_next(seconds=0.01)
    await groups.create(REQUEST)
    assert await remote.injected() == {
        Fault.CANNED_REPLY: 1,
        Fault.CONNECTION_CLOSED: 1,
        Fault.SLOW: 1,
    }
    await remote.schedule(Fault.HTML_PAGE, 2, api="oapi.chat.get")
    assert emulator.faults_for("oapi.chat.get").pending == 2
    await remote.set_rates({Fault.SYSTEM_BUSY: 0.5}, api="im.group.update", seed=1)
    assert emulator.faults_for("im.group.update").rates == {Fault.SYSTEM_BUSY: 0.5}
    await remote.clear_faults("oapi.chat.get")
    assert emulator.faults_for("oapi.chat.get").pending == 0
    await remote.clear_faults()
    assert emulator.faults_for("im.group.update").rates == {}
    with pytest.raises(ValueError, match="unknown api"):
        await remote.schedule(Fault.SLOW, api="im.nope")


async def test_settings_and_reset(remote: RemoteEmulator, emulator: DingTalkEmulator) -> None:
    await remote.set_qps_limit(4)
    await remote.set_qps_limits({"im.group.create": 2})
    assert await remote.qps_limits() == (4, {"im.group.create": 2})
    assert emulator.qps_limit_for("im.group.create") == 2
    await remote.set_visible_users(["a"])
    assert await remote.visible_users() == frozenset({"a"})
    await remote.set_visible_users(None)
    assert emulator.visible_users is None
    emulator.faults.schedule(Fault.SLOW)
    await remote.reset()
    assert emulator.faults.pending == 0
    assert emulator.qps_limit == 4


async def test_a_closed_client_says_how_to_use_it(emulator: DingTalkEmulator) -> None:
    client = RemoteEmulator(emulator.base_url)
    with pytest.raises(RuntimeError, match="async with"):
        await client.groups()


REMOTE_TESTS = """
import pytest

from dingtalk_im_async import ApiError, CreateGroupRequest, PermissionCheckError
from dingtalk_im_async.testing import RemoteEmulator

REQUEST = CreateGroupRequest(name="team", owner="manager4220", useridlist=["u1"])


async def test_first_creates_a_group(dingtalk_emulator):
    assert isinstance(dingtalk_emulator.emulator, RemoteEmulator)
    await dingtalk_emulator.groups.create(REQUEST)
    [group] = await dingtalk_emulator.emulator.groups()
    assert group.name == "team"
    assert await dingtalk_emulator.emulator.calls("im.group.create") == 1


async def test_second_starts_from_a_reset_emulator(dingtalk_emulator):
    assert await dingtalk_emulator.emulator.groups() == []
    await dingtalk_emulator.emulator.fail_next(status=403, code="Forbidden.Custom", message="no")
    with pytest.raises(ApiError, match="Forbidden.Custom"):
        await dingtalk_emulator.groups.create(REQUEST)


@pytest.mark.dingtalk_emulator(visible_users=["manager4220"], qps_limit=50)
async def test_marker_settings_apply_remotely(dingtalk_emulator):
    assert (await dingtalk_emulator.emulator.qps_limits())[0] == 50
    with pytest.raises(PermissionCheckError):
        await dingtalk_emulator.groups.create(
            CreateGroupRequest(name="n", owner="stranger", useridlist=["u"])
        )


async def test_marker_settings_were_restored(dingtalk_emulator):
    assert await dingtalk_emulator.emulator.qps_limits() == (None, {})
    assert await dingtalk_emulator.emulator.visible_users() is None


@pytest.mark.dingtalk_emulator(whitelisted=True)
async def test_in_process_only_settings_fail_clearly(dingtalk_emulator):
    pass
"""


@pytest.mark.parametrize("how", ["option", "environment"])
async def test_fixture_runs_a_suite_against_a_separate_emulator_process(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    pytester.makepyfile(test_remote_user=REMOTE_TESTS)
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    monkeypatch.delenv("DINGTALK_EMULATOR_URL", raising=False)
    async with emulator_process("--port", "0") as running:
        url = running.banner["DINGTALK_BASE_URL"]
        args = ["-p", "no:cacheprovider"]
        if how == "option":
            args += ["--dingtalk-emulator-url", url]
        else:
            monkeypatch.setenv("DINGTALK_EMULATOR_URL", url)
        result = await asyncio.to_thread(pytester.runpytest_subprocess, *args)
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*whitelisted*need an in-process emulator*"])

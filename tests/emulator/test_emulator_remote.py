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
from dingtalk_im_async.emulator import (
    CannedReply,
    ErrcodeReply,
    ErrorReply,
    NotFoundError,
)
from dingtalk_im_async.testing import DingTalkEmulator, Fault, RemoteEmulator
from tests.conftest import app_provider
from tests.support.emulator_process import emulator_process

pytest_plugins = ["pytester"]

CREATE = "im.group.create"
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
    [group] = await remote.list_groups()
    assert group.open_conversation_id == created.open_conversation_id
    assert group.members == ["manager4220", "u1", "u2"]
    [message] = group.messages
    assert (message.process_query_key, message.read_by) == (sent.process_query_key, ["u1"])
    assert (await remote.get_group(group.chatid)).name == "team"
    await remote.install_robot(created.open_conversation_id, "bot2")
    assert "bot2" in (await remote.get_group(created.open_conversation_id)).robots
    await remote.remove_robot(created.open_conversation_id, "bot2")
    assert "bot2" not in (await remote.get_group(created.open_conversation_id)).robots

    journal = await remote.read_journal()
    assert journal == emulator.requests
    assert [line.api for line in await remote.read_journal(since=3)] == ["robot.groupMessages.send"]
    assert [line.api for line in await remote.read_journal(limit=1)] == ["robot.groupMessages.send"]
    counters = await remote.get_counters()
    assert counters == await emulator.get_counters()
    assert counters.api(CREATE).calls == 1
    with pytest.raises(NotFoundError, match="no group has the id"):
        await remote.get_group("nope")
    with pytest.raises(NotFoundError, match="no message"):
        await remote.mark_read("nope", "u1")
    with pytest.raises(ValueError, match="no route serves"):
        counters.api("im.nope")


async def test_adds_a_group_without_the_create_api(
    remote: RemoteEmulator, emulator: DingTalkEmulator
) -> None:
    added = await remote.add_group(name="demo", owner="boss", members=["u1"])
    assert (added.members, added.robots) == (["boss", "u1"], {emulator.robot_code})
    stored = emulator.store.by_open_conversation_id(added.open_conversation_id)
    assert stored is not None
    assert stored.chatid == added.chatid
    with pytest.raises(ValueError, match="exists already"):
        await remote.add_group(name="again", owner="boss", chatid=added.chatid)


async def test_faults_as_in_process(
    remote: RemoteEmulator, emulator: DingTalkEmulator, groups: GroupService
) -> None:
    await remote.fail_next(status=403, code="Forbidden.Custom", message="refused", api=CREATE)
    with pytest.raises(ApiError, match="refused"):
        await groups.create(REQUEST)
    await remote.drop_next(api=CREATE)
    with pytest.raises(TransportError):
        await groups.create(REQUEST)
    await remote.delay_next(seconds=0.01, api=CREATE)
    await groups.create(REQUEST)
    assert (await remote.get_counters()).api(CREATE).injected == {
        Fault.CANNED_REPLY: 1,
        Fault.CONNECTION_CLOSED: 1,
        Fault.SLOW: 1,
    }
    await remote.schedule(Fault.HTML_PAGE, 2, api="oapi.chat.get")
    assert emulator.faults_for("oapi.chat.get").pending == 2
    await remote.schedule(Fault.SLOW, api="oapi.chat.get", delay=(0.01, 0.02))
    await remote.set_rates({Fault.SYSTEM_BUSY: 0.5}, api="im.group.update", seed=1, latency=2)
    assert emulator.faults_for("im.group.update").rates == {Fault.SYSTEM_BUSY: 0.5}
    assert emulator.faults_for("im.group.update").latency.low == 2
    await remote.every(Fault.TOKEN_REVOKED, 100, api="im.group.update")
    assert emulator.faults_for("im.group.update").periods == {Fault.TOKEN_REVOKED: 100}
    await remote.clear_faults("oapi.chat.get")
    assert emulator.faults_for("oapi.chat.get").pending == 0
    await remote.clear_faults()
    assert emulator.faults_for("im.group.update").rates == {}
    with pytest.raises(ValueError, match="no route serves"):
        await remote.schedule(Fault.SLOW, api="im.nope")


@pytest.mark.parametrize(
    "reply",
    [
        ErrorReply(status=403, code="Forbidden.Custom", message="no"),
        ErrcodeReply(errcode=40016, errmsg="不合法的chatid", extra={"sub_code": "x"}),
        CannedReply(status=502, body=b"\x00<html>", content_type="text/html", headers={"X": "1"}),
        CannedReply(body=b"{}", applied=True),
    ],
)
async def test_every_scheduled_reply_travels_unchanged(
    remote: RemoteEmulator, emulator: DingTalkEmulator, reply: object
) -> None:
    await remote.schedule_reply(reply, 2, api="oapi.chat.get")  # type: ignore[arg-type]
    injection = emulator.faults_for("oapi.chat.get").draw()
    assert injection is not None
    assert injection.reply == reply


async def test_tokens_are_revoked_remotely(
    remote: RemoteEmulator, emulator: DingTalkEmulator
) -> None:
    token = emulator.issue_token()
    await remote.revoke_tokens()
    assert not emulator.is_valid_token(token)


async def test_settings_and_reset(remote: RemoteEmulator, emulator: DingTalkEmulator) -> None:
    await remote.configure(qps_limit=4, qps_limits={CREATE: 2}, visible_users=["a"])
    settings = await remote.get_settings()
    assert settings == emulator.settings
    assert (settings.qps_limit, dict(settings.qps_limits)) == (4, {CREATE: 2})
    assert emulator.qps_limit_for(CREATE) == 2
    assert settings.visible_users == frozenset({"a"})
    await remote.configure(visible_users=None, fault_rates={"*": {Fault.SLOW: 0.1}})
    assert emulator.settings.visible_users is None
    assert emulator.faults_for("oapi.chat.get").rates == {Fault.SLOW: 0.1}
    with pytest.raises(TypeError, match="unknown emulator settings"):
        await remote.configure(qps=1)
    with pytest.raises(ValueError, match="qps_limit"):
        await remote.configure(qps_limit=-1)
    emulator.faults_for(CREATE).schedule(Fault.SLOW)
    await remote.reset()
    assert emulator.faults_for(CREATE).pending == 0
    assert emulator.faults_for(CREATE).rates == {Fault.SLOW: 0.1}  # standing: applied again
    assert emulator.settings.qps_limit == 4


async def test_settings_fixed_at_start_are_refused_over_http(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    async with session.patch(
        emulator.base_url + "/_emulator/settings", json={"appKey": "another"}
    ) as reply:
        assert reply.status == 400
        assert "fixed when the emulator starts" in (await reply.json())["message"]
    assert emulator.app_key == "dingemulatorappkey"


async def test_a_closed_client_says_how_to_use_it(emulator: DingTalkEmulator) -> None:
    client = RemoteEmulator(emulator.base_url)
    with pytest.raises(RuntimeError, match="async with"):
        await client.list_groups()


REMOTE_TESTS = """
import pytest

from dingtalk_im_async import ApiError, CreateGroupRequest, PermissionCheckError
from dingtalk_im_async.testing import RemoteEmulator

REQUEST = CreateGroupRequest(name="team", owner="manager4220", useridlist=["u1"])


async def test_first_creates_a_group(dingtalk_emulator):
    assert isinstance(dingtalk_emulator.emulator, RemoteEmulator)
    await dingtalk_emulator.groups.create(REQUEST)
    [group] = await dingtalk_emulator.emulator.list_groups()
    assert group.name == "team"
    counters = await dingtalk_emulator.emulator.get_counters()
    assert counters.api("im.group.create").calls == 1


async def test_second_starts_from_a_reset_emulator(dingtalk_emulator):
    assert await dingtalk_emulator.emulator.list_groups() == []
    await dingtalk_emulator.emulator.fail_next(
        status=403, code="Forbidden.Custom", message="no", api="im.group.create"
    )
    with pytest.raises(ApiError, match="Forbidden.Custom"):
        await dingtalk_emulator.groups.create(REQUEST)


@pytest.mark.dingtalk_emulator(visible_users=["manager4220"], qps_limit=50)
async def test_marker_settings_apply_remotely(dingtalk_emulator):
    assert (await dingtalk_emulator.emulator.get_settings()).qps_limit == 50
    with pytest.raises(PermissionCheckError):
        await dingtalk_emulator.groups.create(
            CreateGroupRequest(name="n", owner="stranger", useridlist=["u"])
        )


async def test_marker_settings_were_restored(dingtalk_emulator):
    settings = await dingtalk_emulator.emulator.get_settings()
    assert (settings.qps_limit, settings.visible_users) == (None, None)


@pytest.mark.dingtalk_emulator(app_key="another")
async def test_settings_fixed_at_start_fail_clearly(dingtalk_emulator):
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
    result.stdout.fnmatch_lines(["*app_key*need an in-process emulator*"])

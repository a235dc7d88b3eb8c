"""Earlier names keep working: the create-era ones and settings-as-attributes warn, saying what
replaced them; `dingtalk_im_async.testing` keeps every name without a warning."""

from __future__ import annotations

import importlib
import warnings

import pytest

from dingtalk_im_async.emulator import DingTalkEmulator, Fault, RemoteEmulator

CREATE = "im.group.create"
#: `dingtalk_im_async.testing.__all__` before the emulator had a package of its own.
TESTING_NAMES_01 = [
    "ApiTraffic",
    "Call",
    "CannedReply",
    "CreatedGroup",
    "DingTalkEmulator",
    "EmulatedDingTalk",
    "ErrcodeReply",
    "ErrorReply",
    "Fault",
    "FaultInjector",
    "GatewaySettings",
    "GatewayStats",
    "GroupStore",
    "Latency",
    "LoggedRequest",
    "PostedMessage",
    "RemoteEmulator",
    "Route",
    "StoredGroup",
    "StreamAck",
    "StreamFaults",
    "StreamGateway",
    "WebhookPost",
    "is_testing",
    "set_testing",
]


@pytest.mark.parametrize("name", TESTING_NAMES_01)
def test_the_testing_module_keeps_every_name_without_a_warning(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        testing = importlib.import_module("dingtalk_im_async.testing")
        value = getattr(testing, name)
    emulator = importlib.import_module("dingtalk_im_async.emulator")
    assert name in testing.__all__
    assert value is getattr(emulator, name, value)


def test_create_era_names_warn_and_point_at_their_api() -> None:
    emulator = DingTalkEmulator()
    with pytest.deprecated_call(match=r'faults_for\("im.group.create"\)'):
        assert emulator.faults is emulator.faults_for(CREATE)
    with pytest.deprecated_call(match=r'faults_for\("oauth2.accessToken"\)'):
        assert emulator.token_faults is emulator.faults_for("oauth2.accessToken")
    with pytest.deprecated_call(match=r'calls\("im.group.create"\)'):
        assert emulator.create_calls == 0
    with pytest.deprecated_call(match=r'windows\("im.group.create"\)'):
        assert emulator.create_windows == emulator.windows(CREATE)


@pytest.mark.parametrize("control", ["fail_next", "reply_next", "drop_next"])
def test_a_fault_control_without_an_api_still_means_create_and_warns(control: str) -> None:
    emulator = DingTalkEmulator()
    with pytest.deprecated_call(match=f"{control}\\(\\) without api="):
        getattr(emulator, control)()
    assert emulator.faults_for(CREATE).pending == 1


def test_the_other_fault_controls_without_an_api_warn_too() -> None:
    emulator = DingTalkEmulator()
    with pytest.deprecated_call(match="delay_next"):
        emulator.delay_next(seconds=1)
    with pytest.deprecated_call(match="schedule"):
        emulator.schedule(Fault.SLOW)
    with pytest.deprecated_call(match="every"):
        emulator.every(Fault.SLOW, 5)
    with pytest.deprecated_call(match="set_rates"):
        emulator.set_rates({Fault.SLOW: 0.5})
    assert emulator.faults_for(CREATE).pending == 2


def test_settings_read_and_written_as_attributes_warn_and_still_work() -> None:
    emulator = DingTalkEmulator(qps_limit=3)
    with pytest.deprecated_call(match=r"emulator.settings.qps_limit"):
        assert emulator.qps_limit == 3  # type: ignore[attr-defined]
    with pytest.deprecated_call(match=r"emulator.configure\(visible_users=...\)"):
        emulator.visible_users = frozenset({"u1"})  # type: ignore[attr-defined]
    assert emulator.settings.visible_users == frozenset({"u1"})
    with pytest.deprecated_call():
        emulator.has_group_permission = False  # type: ignore[attr-defined]
    assert emulator.settings.denies("qyapi_chat_manage")
    with pytest.deprecated_call():
        emulator.stopped_robots.add("bot")  # type: ignore[attr-defined]
    with pytest.deprecated_call():
        emulator.denied_scopes.discard("nothing")  # type: ignore[attr-defined]
    assert emulator.settings.stopped_robots == frozenset({"bot"})
    with pytest.deprecated_call():
        assert "bot" in emulator.stopped_robots  # type: ignore[attr-defined]
    with pytest.deprecated_call():
        emulator.token_lifetime = 5  # type: ignore[attr-defined]
    assert emulator.settings.token_lifetime == 5.0


async def test_the_remote_names_of_0_1_warn_and_still_work(emulator: DingTalkEmulator) -> None:
    await emulator.add_group(name="g", owner="o")
    async with RemoteEmulator(emulator.base_url) as remote:
        with pytest.deprecated_call(match="list_groups"):
            [group] = await remote.groups()
        with pytest.deprecated_call(match="get_group"):
            assert (await remote.group(group.chatid)).name == "g"
        with pytest.deprecated_call(match="read_journal"):
            assert await remote.requests() == []
        with pytest.deprecated_call(match="get_counters"):
            assert (await remote.counters())["totals"]["groups"] == 1
        with pytest.deprecated_call(match="get_counters"):
            assert await remote.calls(CREATE) == 0
        with pytest.deprecated_call(match="get_counters"):
            assert await remote.injected() == {}
        with pytest.deprecated_call(match="configure"):
            await remote.set_qps_limit(7)
        with pytest.deprecated_call(match="configure"):
            await remote.set_qps_limits({CREATE: 2})
        with pytest.deprecated_call(match="get_settings"):
            assert await remote.qps_limits() == (7, {CREATE: 2})
        with pytest.deprecated_call(match="configure"):
            await remote.set_visible_users(["a"])
        with pytest.deprecated_call(match="get_settings"):
            assert await remote.visible_users() == frozenset({"a"})
        with pytest.deprecated_call(match="without api="):
            await remote.fail_next()
    assert emulator.faults_for(CREATE).pending == 1

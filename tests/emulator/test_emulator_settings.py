"""`EmulatorSettings`: one class, read by the constructor, `configure`, the admin API, the
command line and the docs table alike."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
import attrs
import pytest

from dingtalk_im_async.emulator import (
    ANY_API,
    DingTalkEmulator,
    EmulatorSettings,
    Fault,
    Latency,
)
from dingtalk_im_async.emulator._admin_views import settings_changes, settings_view
from dingtalk_im_async.emulator.settings import setting_names, settings_table

CREATE = "im.group.create"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "testing.md"

#: A value other than the default for every setting, as a test would pass it.
SAMPLES: dict[str, Any] = {
    "app_key": "another-key",
    "app_secret": "another-secret",
    "robot_code": "robot-1",
    "token_lifetime": 60,
    "suites": {"suite-key-1": "suite-secret-1"},
    "corp_ids": ["ding-corp-a", "ding-corp-b", "ding-corp-a"],
    "suite_ticket_interval": 30,
    "suite_qps_limit": 10,
    "visible_users": ["u2", "u1"],
    "scene_group_templates": ["tpl-1"],
    "whitelisted": True,
    "has_group_permission": False,
    "denied_scopes": ["qyapi_robot_sendmsg"],
    "allowed_hosts": ["emulator:8080", "lan-box"],
    "qps_limit": 20,
    "qps_limits": {CREATE: 5, "oapi.chat.get": None},
    "monthly_call_quota": 0,
    "group_message_limit": 3,
    "card_stream_content_limit": 2048,
    "robot_in_new_groups": False,
    "stopped_robots": ["robot-2"],
    "fault_rates": {ANY_API: {"system-error": 0.1}, CREATE: {Fault.SLOW: 0.5}},
    "fault_periods": {CREATE: {Fault.TOKEN_REVOKED: 100}},
    "fault_seed": 42,
    "slow_latency": (0.2, 0.3),
    "record_requests": False,
    "journal_limit": 50,
    "record_groups": False,
}


def test_every_setting_has_a_sample_here() -> None:
    """A new setting gets a sample, so the round trips below cover it."""
    assert set(SAMPLES) == set(setting_names())


def test_samples_are_converted_to_one_form() -> None:
    settings = EmulatorSettings(**SAMPLES)
    assert settings.visible_users == frozenset({"u1", "u2"})
    assert settings.fault_rates_for("oapi.chat.get") == {Fault.SYSTEM_ERROR: 0.1}
    assert settings.fault_rates_for(CREATE) == {Fault.SLOW: 0.5}
    assert settings.slow_latency == Latency(low=0.2, high=0.3)
    assert settings.token_lifetime == 60.0
    assert settings.robot == "robot-1"
    assert settings.corp_ids == ("ding-corp-a", "ding-corp-b")
    assert settings.suite_ticket_interval == 30.0
    assert "suite-secret-1" not in repr(settings)
    assert EmulatorSettings().robot == EmulatorSettings().app_key


def test_every_setting_travels_through_the_admin_api_unchanged() -> None:
    settings = EmulatorSettings(**SAMPLES)
    view = settings_view(settings)
    assert set(view) == {re.sub(r"_(\w)", lambda m: m[1].upper(), name) for name in SAMPLES}
    assert view["faultRates"] == {"*": {"system-error": 0.1}, CREATE: {"slow": 0.5}}
    assert view["visibleUsers"] == ["u1", "u2"]
    assert EmulatorSettings(**settings_changes(view)) == settings


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"qps": 1}, TypeError, "unknown emulator settings ['qps']"),
        ({"qps_limit": -1}, ValueError, "qps_limit must be an integer >= 0"),
        ({"qps_limit": True}, ValueError, "qps_limit"),
        ({"visible_users": "u1"}, TypeError, "a collection of names"),
        ({"token_lifetime": 0}, ValueError, "token_lifetime"),
        ({"fault_rates": {CREATE: {"meteor": 0.1}}}, ValueError, "'meteor' is not a valid Fault"),
        ({"fault_rates": {CREATE: {Fault.CANNED_REPLY: 0.1}}}, ValueError, "scheduled"),
        ({"fault_rates": {CREATE: {Fault.SLOW: 0.7, Fault.HTML_PAGE: 0.7}}}, ValueError, "more"),
        ({"fault_periods": {CREATE: {Fault.SLOW: 0}}}, ValueError, "positive integer"),
        ({"journal_limit": 0}, ValueError, "journal_limit"),
        ({"slow_latency": (2, 1)}, ValueError, "below low"),
        ({"whitelisted": "yes"}, TypeError, "whitelisted must be true or false"),
        ({"suites": {"k": ""}}, TypeError, "the secret of suite 'k' must be a non-empty"),
        ({"suites": ["k"]}, TypeError, "suites must map suite keys to suite secrets"),
        ({"corp_ids": "ding-corp-a"}, TypeError, "corp_ids must be a collection"),
        ({"suite_ticket_interval": 0}, ValueError, "suite_ticket_interval must be"),
        ({"suite_qps_limit": -1}, ValueError, "suite_qps_limit must be an integer >= 0"),
    ],
)
def test_bad_settings_are_refused_with_their_name(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        EmulatorSettings().changed(**changes)
    with pytest.raises(error, match=re.escape(message)):
        DingTalkEmulator(**changes)


def test_the_constructor_takes_settings_whole_or_by_name() -> None:
    base = EmulatorSettings(qps_limit=3, whitelisted=True)
    emulator = DingTalkEmulator(settings=base, qps_limit=4)
    assert (emulator.settings.qps_limit, emulator.settings.whitelisted) == (4, True)
    assert emulator.qps_limit_for(CREATE) == 4
    with pytest.raises(ValueError, match=r"no route serves the API 'im\.nope'"):
        DingTalkEmulator(qps_limits={"im.nope": 1})
    with pytest.raises(ValueError, match=r"no route serves the API 'im\.nope'"):
        DingTalkEmulator(fault_rates={"im.nope": {Fault.SLOW: 0.1}})


async def test_configure_changes_a_running_emulator_all_or_nothing() -> None:
    emulator = DingTalkEmulator()
    await emulator.configure(qps_limit=2, whitelisted=True)  # awaitable, as remotely
    emulator.configure(token_lifetime=30)  # and at once, in process
    assert (emulator.settings.qps_limit, emulator.settings.token_lifetime) == (2, 30.0)
    with pytest.raises(ValueError, match="qps_limits"):
        emulator.configure(whitelisted=False, qps_limits={CREATE: -1})
    assert emulator.settings.whitelisted is True
    with pytest.raises(ValueError, match="app_key, robot_code are fixed when the emulator starts"):
        emulator.configure(app_key="other", robot_code="r")
    emulator.configure(app_key=emulator.app_key)  # the same value is no change
    assert await emulator.get_settings() is emulator.settings


async def test_standing_faults_apply_to_every_api_and_start_over_on_reset(
    session: aiohttp.ClientSession,
) -> None:
    rates = {ANY_API: {Fault.SYSTEM_BUSY: 0.5}, CREATE: {Fault.HTML_PAGE: 0.5}}
    async with DingTalkEmulator(fault_rates=rates, fault_seed=7) as emulator:
        assert emulator.faults_for("oapi.chat.get").rates == {Fault.SYSTEM_BUSY: 0.5}
        assert emulator.faults_for(CREATE).rates == {Fault.HTML_PAGE: 0.5}
        first = [emulator.faults_for(CREATE).draw() for _ in range(20)]
        emulator.faults_for(CREATE).schedule(Fault.SLOW)
        emulator.reset()
        assert emulator.faults_for(CREATE).pending == 0
        assert [emulator.faults_for(CREATE).draw() for _ in range(20)] == first
        emulator.configure(fault_periods={ANY_API: {Fault.TOKEN_REVOKED: 3}}, fault_rates={})
        assert emulator.faults_for(CREATE).rates == {}
        assert emulator.faults_for("im.group.update").periods == {Fault.TOKEN_REVOKED: 3}
        emulator.clear_faults()
        assert emulator.faults_for("im.group.update").periods == {}


def test_the_docs_table_is_the_settings_table() -> None:
    """docs/testing.md shows `settings_table()`; this test says what to paste if not."""
    assert settings_table() in DOCS.read_text(encoding="utf-8"), settings_table()


def test_each_setting_has_a_one_line_doc_and_a_form() -> None:
    for attribute in attrs.fields(EmulatorSettings):
        info = attribute.metadata["setting"]
        assert info.doc, attribute.name
        assert "\n" not in info.doc, attribute.name
        assert attribute.converter is not None, attribute.name

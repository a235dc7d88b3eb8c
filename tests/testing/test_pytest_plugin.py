"""The `dingtalk_emulator` fixture as a user's own test suite sees it, run by pytester."""

from __future__ import annotations

import asyncio
import socket
import warnings
from pathlib import Path

import pytest

from tests.support.emulator_process import emulator_process

pytest_plugins = ["pytester"]

USER_TESTS = """
import pytest

from dingtalk_im_async import (
    CreateGroupRequest, GroupMessage, PermissionCheckError, Text, TransportError
)
from dingtalk_im_async.testing import Fault

REQUEST = CreateGroupRequest(name="team", owner="manager4220", useridlist=["u1"])
{marker}
async def test_creates_a_group(dingtalk_emulator):
    result = await dingtalk_emulator.groups.create(REQUEST)
    [group] = dingtalk_emulator.emulator.groups
    assert group.open_conversation_id == result.open_conversation_id
    assert dingtalk_emulator.emulator.token_fetches == 1
    assert await dingtalk_emulator.tokens.get_token()
    with open("base_url.txt", "w") as out:
        out.write(dingtalk_emulator.emulator.base_url)

{marker}
@pytest.mark.dingtalk_emulator(visible_users=["manager4220"], qps_limit=5)
async def test_marker_configures_the_emulator(dingtalk_emulator):
    assert dingtalk_emulator.emulator.settings.qps_limit == 5
    with pytest.raises(PermissionCheckError):
        await dingtalk_emulator.groups.create(
            CreateGroupRequest(name="n", owner="stranger", useridlist=["u"])
        )

{marker}
async def test_each_test_gets_a_fresh_emulator_with_fault_injection(dingtalk_emulator):
    emulator = dingtalk_emulator.emulator
    assert emulator.groups == []
    assert emulator.settings.qps_limit is None
    emulator.schedule(Fault.SYSTEM_ERROR, count=2, api="im.group.create")
    await dingtalk_emulator.groups.create(REQUEST)
    assert emulator.calls("im.group.create") == 3
    await emulator.schedule(Fault.DROPPED_MID_RESPONSE, api="im.group.create")
    with pytest.raises(TransportError):
        await dingtalk_emulator.groups.create(REQUEST)

{marker}
async def test_the_apps_robot_posts_into_a_new_group(dingtalk_emulator):
    group = await dingtalk_emulator.groups.create(REQUEST)
    sent = await dingtalk_emulator.robot.send(
        GroupMessage(open_conversation_id=group.open_conversation_id, message=Text("hi"))
    )
    stored = await dingtalk_emulator.emulator.get_group(group.open_conversation_id)
    assert [message.process_query_key for message in stored.messages] == [sent.process_query_key]

{marker}
@pytest.mark.dingtalk_emulator(qps=5)
async def test_a_misspelt_setting_is_named(dingtalk_emulator):
    pass
"""


def user_ini(pytester: pytest.Pytester, *, mode: str = "auto") -> None:
    pytester.makeini(
        f"[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\n"
    )


def user_suite(pytester: pytest.Pytester, *, mode: str) -> None:
    marker = "@pytest.mark.asyncio" if mode == "strict" else ""
    user_ini(pytester, mode=mode)
    pytester.makepyfile(test_user=USER_TESTS.format(marker=marker))


@pytest.mark.parametrize("mode", ["auto", "strict"])
def test_fixture_gives_a_running_emulator_and_a_ready_client(
    pytester: pytest.Pytester, mode: str
) -> None:
    user_suite(pytester, mode=mode)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-W", "error::ResourceWarning", "-W", "error::DeprecationWarning"
    )
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*TypeError: unknown emulator settings*'qps'*"])


def test_emulator_is_closed_after_the_test(pytester: pytest.Pytester) -> None:
    user_suite(pytester, mode="auto")
    pytester.runpytest("-k", "creates_a_group").assert_outcomes(passed=1)
    base_url = (pytester.path / "base_url.txt").read_text()
    port = int(base_url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    user_ini(pytester)
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.dingtalk_emulator(**settings):*"])


def test_fixture_is_listed_for_users(pytester: pytest.Pytester) -> None:
    user_ini(pytester)
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(["dingtalk_emulator*", "*fresh emulator on 127.0.0.1*"])


def readme_testing_section() -> str:
    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text("utf-8")
    return readme.split("## Testing against the emulator", 1)[1].split("\n## ", 1)[0]


def test_readme_example_passes_when_pasted_into_a_new_project(pytester: pytest.Pytester) -> None:
    """The example and the configuration the README shows, and nothing else: a new project."""
    section = readme_testing_section()
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    configuration = section.split("```toml\n", 1)[1].split("```", 1)[0]
    pytester.makepyfile(test_readme_example=example)
    # The control leaves out asyncio_mode only: pytest-asyncio warns (in this process, where
    # the suite would report it) when its loop scope is unset too.
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        without = pytester.runpytest(
            "-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function"
        )
        assert without.ret != 0, "the control: with no asyncio_mode the async tests cannot run"
        pytester.makepyprojecttoml(configuration)
        pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2, warnings=0)
    assert not [str(warning.message) for warning in seen]


async def test_readme_example_passes_against_an_emulator_in_another_process(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's example in remote mode, against `dingtalk-im emulator` run as a process."""
    section = readme_testing_section()
    pytester.makepyfile(test_readme_example=section.split("```python\n", 1)[1].split("```", 1)[0])
    pytester.makepyprojecttoml(section.split("```toml\n", 1)[1].split("```", 1)[0])
    monkeypatch.delenv("DINGTALK_EMULATOR_URL", raising=False)
    async with emulator_process("--port", "0") as running:
        url = running.banner["DINGTALK_BASE_URL"]
        result = await asyncio.to_thread(
            pytester.runpytest_subprocess,
            "-p",
            "no:cacheprovider",
            "-W",
            "error::DeprecationWarning",
            "--dingtalk-emulator-url",
            url,
        )
    result.assert_outcomes(passed=2, warnings=0)


NOTHING_HEAVY = """
import sys

def test_the_plugin_is_loaded_and_nothing_heavy_with_it(request):
    assert request.config.pluginmanager.hasplugin("dingtalk_im_async")
    assert "dingtalk_im_async.testing.pytest_plugin" in sys.modules
    heavy = sorted(
        name for name in sys.modules
        if name == "aiohttp.web" or name.startswith("dingtalk_im_async.emulator")
    )
    assert heavy == []
"""

FIXTURE_USED = """
import sys

async def test_the_fixture_loads_the_emulator(dingtalk_emulator):
    assert "aiohttp.web" in sys.modules
    assert "dingtalk_im_async.emulator" in sys.modules
"""


def test_loading_the_plugin_imports_neither_aiohttp_web_nor_the_emulator(
    pytester: pytest.Pytester,
) -> None:
    """In a fresh process, as pytest loads it from its entry point for any project."""
    user_ini(pytester)
    pytester.makepyfile(test_light=NOTHING_HEAVY)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_emulator_is_loaded_once_a_test_uses_the_fixture(pytester: pytest.Pytester) -> None:
    """The control: the check above sees those modules when they are there."""
    user_ini(pytester)
    pytester.makepyfile(test_heavy=FIXTURE_USED)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_plugin_can_be_switched_off(pytester: pytest.Pytester) -> None:
    user_ini(pytester)
    result = pytester.runpytest_subprocess("-p", "no:dingtalk_im_async", "--markers")
    assert "dingtalk_emulator" not in result.stdout.str()

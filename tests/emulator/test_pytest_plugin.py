"""The `dingtalk_emulator` fixture as a user's own test suite sees it, run by pytester."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

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
    assert dingtalk_emulator.emulator.qps_limit == 5
    with pytest.raises(PermissionCheckError):
        await dingtalk_emulator.groups.create(
            CreateGroupRequest(name="n", owner="stranger", useridlist=["u"])
        )

{marker}
async def test_each_test_gets_a_fresh_emulator_with_fault_injection(dingtalk_emulator):
    assert dingtalk_emulator.emulator.groups == []
    assert dingtalk_emulator.emulator.qps_limit is None
    dingtalk_emulator.emulator.faults.schedule(Fault.SYSTEM_ERROR, count=2)
    await dingtalk_emulator.groups.create(REQUEST)
    assert dingtalk_emulator.emulator.create_calls == 3
    dingtalk_emulator.emulator.faults.schedule(Fault.DROPPED_MID_RESPONSE)
    with pytest.raises(TransportError):
        await dingtalk_emulator.groups.create(REQUEST)

{marker}
async def test_the_apps_robot_posts_into_a_new_group(dingtalk_emulator):
    group = await dingtalk_emulator.groups.create(REQUEST)
    sent = await dingtalk_emulator.robot.send(
        GroupMessage(open_conversation_id=group.open_conversation_id, message=Text("hi"))
    )
    stored = dingtalk_emulator.emulator.store.by_open_conversation_id(group.open_conversation_id)
    assert [message.process_query_key for message in stored.messages] == [sent.process_query_key]
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
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error::ResourceWarning")
    result.assert_outcomes(passed=4)


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
    without = pytester.runpytest("-p", "no:cacheprovider")
    assert without.ret != 0, "the control: with no configuration the async tests cannot run"
    pytester.makepyprojecttoml(configuration)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2, warnings=0)

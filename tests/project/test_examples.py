"""Every file in examples/ runs for real: over HTTP, against the emulator, with no credentials."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    GroupService,
    RetryPolicy,
    RobotService,
    StaticTokenProvider,
)
from dingtalk_im_async.cli._inputs import input_format, read_records
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.support.examples_support import (
    EXAMPLES,
    env_without_credentials,
    load_example,
    serve_aiohttp,
    serve_uvicorn,
)
from tests.support.robot_support import SEND_API, robot
from tests.support.stream_support import eventually

__all__ = ["robot"]

aiohttp_app = load_example("aiohttp_app")
fastapi_app = load_example("fastapi_app")
bot = load_example("bot")
bulk_script = load_example("bulk_script")

NEW_GROUP = {"name": "项目群", "owner": "manager4220", "members": ["alice", "bob"]}
QPS_LIMIT = "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"


async def post(session: aiohttp.ClientSession, url: str, payload: Any) -> tuple[int, Any]:
    async with session.post(url, json=payload) as response:
        return response.status, await response.json()


@pytest.fixture
async def aiohttp_url(emulator: DingTalkEmulator) -> AsyncIterator[str]:
    credentials = aiohttp_app.Credentials(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    )
    async with serve_aiohttp(aiohttp_app.make_app(credentials)) as url:
        yield url


@pytest.fixture
async def fastapi_url(emulator: DingTalkEmulator) -> AsyncIterator[str]:
    credentials = fastapi_app.Credentials(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    )
    async with serve_uvicorn(fastapi_app.create_app(credentials)) as url:
        yield url


@pytest.fixture(params=["aiohttp", "fastapi"])
def app_url(request: pytest.FixtureRequest) -> str:
    """The base URL of either web app example, both bound to the `emulator` fixture."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


# -- both web apps -------------------------------------------------------------


async def test_web_app_shares_one_client_across_concurrent_requests(
    app_url: str, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    names = [f"群{n}" for n in range(5)]
    replies = await asyncio.gather(
        *(post(session, app_url + "/groups", {**NEW_GROUP, "name": name}) for name in names)
    )
    assert [status for status, _ in replies] == [201] * 5
    created = {group.open_conversation_id: group.request["name"] for group in emulator.groups}
    for (_, body), name in zip(replies, names, strict=True):
        assert created[body["open_conversation_id"]] == name
    assert emulator.token_fetches == 1  # one token provider for the whole app


async def test_web_app_rejects_a_bad_group_before_calling_dingtalk(
    app_url: str, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    status, body = await post(session, app_url + "/groups", {**NEW_GROUP, "name": "x" * 21})
    assert status == 422
    assert "name: must be 1 to 20 characters" in body["error"]
    assert emulator.calls("im.group.create") == 0


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ({"status": 403, "code": QPS_LIMIT}, 503),
        ({"status": 403, "code": "Forbidden.AccessDenied.IpNotInWhiteList"}, 502),
        ({"status": 400, "code": "permession.checkFailed", "message": "群主不在应用可见性内"}, 403),
    ],
)
async def test_web_app_turns_dingtalk_refusals_into_http_statuses(
    app_url: str,
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    fault: dict[str, Any],
    status: int,
) -> None:
    emulator.fail_next(**fault, api="im.group.create")
    reply_status, body = await post(session, app_url + "/groups", NEW_GROUP)
    assert reply_status == status
    assert body["error"]
    assert emulator.groups == []


async def test_web_app_says_a_dropped_create_may_have_made_the_group(
    app_url: str, emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.drop_next(api="im.group.create")
    status, body = await post(session, app_url + "/groups", NEW_GROUP)
    assert status == 504
    assert body["may_have_been_created"] is True
    assert emulator.calls("im.group.create") == 1  # never retried: a create is not idempotent


async def test_aiohttp_app_refuses_a_body_that_is_not_a_json_object(
    aiohttp_url: str, session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    async with session.post(aiohttp_url + "/groups", data=b"{not json") as response:
        assert response.status == 400
    assert (await post(session, aiohttp_url + "/groups", ["a list"]))[0] == 400
    assert emulator.calls("im.group.create") == 0


async def test_fastapi_app_validates_the_body_shape_itself(
    fastapi_url: str, session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    status, _ = await post(session, fastapi_url + "/groups", {"name": "n", "owner": "o"})
    assert status == 422
    assert emulator.calls("im.group.create") == 0


@pytest.mark.parametrize("framework", ["aiohttp", "fastapi"])
async def test_web_app_without_credentials_runs_its_own_emulator(
    framework: str, session: aiohttp.ClientSession
) -> None:
    if framework == "aiohttp":
        serving = serve_aiohttp(aiohttp_app.make_app(None))
    else:
        serving = serve_uvicorn(fastapi_app.create_app(None))
    async with serving as url:
        status, _ = await post(session, url + "/groups", NEW_GROUP)
    assert status == 201


# -- the bot ---------------------------------------------------------------------


@pytest.fixture
def group_bot(groups: GroupService, robot: RobotService) -> Any:
    return bot.GroupBot(groups=groups, robot=robot)


async def test_bot_creates_a_group_and_welcomes_its_members(
    group_bot: Any, emulator: DingTalkEmulator
) -> None:
    reply = await group_bot.handle("manager4220", '/group "Launch team" alice bob')
    (group,) = emulator.groups
    assert reply == (
        f"Created 'Launch team' with 2 member(s): {group.chatid}\nWelcome card posted."
    )
    assert group.request["owner"] == "manager4220"
    assert group.request["useridlist"] == ["alice", "bob"]
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    [card] = stored.messages
    assert card.msg_key == "sampleActionCard"
    assert card.msg_param["title"] == "欢迎加入 Launch team"


async def test_bot_says_who_read_the_welcome_card(
    group_bot: Any, emulator: DingTalkEmulator
) -> None:
    await group_bot.handle("manager4220", "/group 项目群 alice bob")
    assert await group_bot.handle("manager4220", "/seen 项目群") == (
        "Nobody has read the welcome card in '项目群' yet (0 of 3)."
    )
    key = group_bot.made["项目群"].welcome_key
    emulator.store.mark_read(key, "bob", "alice")
    assert await group_bot.handle("manager4220", "/seen 项目群") == (
        "2 of 3 members read the welcome card in '项目群': bob, alice"
    )


async def test_bot_waits_for_its_robot_before_welcoming(
    group_bot: Any, emulator: DingTalkEmulator
) -> None:
    emulator.configure(robot_in_new_groups=False)
    reply = await group_bot.handle("manager4220", "/group 项目群 alice")
    assert "My robot is not in '项目群' yet, so no welcome card" in reply
    assert "/welcome 项目群" in reply
    assert "has no welcome card yet" in await group_bot.handle("manager4220", "/seen 项目群")
    (group,) = emulator.groups
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    assert stored.messages == []
    stored.robots.add(emulator.robot_code)  # someone adds the robot
    assert await group_bot.handle("manager4220", "/welcome 项目群") == "Welcome card posted."
    assert len(stored.messages) == 1


async def test_bot_never_posts_a_welcome_twice_after_an_unclear_answer(
    group_bot: Any, emulator: DingTalkEmulator
) -> None:
    emulator.fail_next(
        status=400, code="unknown.send.result", message="未知的发送结果", api=SEND_API
    )
    reply = await group_bot.handle("manager4220", "/group 项目群 alice")
    assert "may or may not be in the group; I won't post it twice" in reply
    assert emulator.calls(SEND_API) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/help", "Commands:"),
        ("hello there", "I don't know 'hello'"),
        ("/group lonely", "Usage: /group <name> <member>"),
        ('/group "unclosed alice', "a quote is not closed"),
        ("/group 这个群名字实在是太长了超过了二十个字符的限制啊 alice", "can't be made: name"),
        ("/seen", "Usage: /seen <name>"),
        ("/welcome nowhere", "I have not made a group called 'nowhere'."),
    ],
)
async def test_bot_answers_bad_commands_without_calling_dingtalk(
    group_bot: Any, emulator: DingTalkEmulator, text: str, expected: str
) -> None:
    assert expected in await group_bot.handle("manager4220", text)
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("fail", "expected"),
    [
        ({"status": 400, "code": "permession.checkFailed"}, "you must be visible"),
        ({"status": 403, "code": QPS_LIMIT}, "nothing was created"),
        ({"count": 3, "status": 500, "code": "system.error"}, "DingTalk kept failing"),
        ({"status": 403, "code": "Forbidden.AccessDenied.IpNotInWhiteList"}, "IpNotInWhiteList"),
    ],
)
async def test_bot_explains_dingtalk_refusals(
    group_bot: Any, emulator: DingTalkEmulator, fail: dict[str, Any], expected: str
) -> None:
    emulator.fail_next(**fail, api="im.group.create")
    assert expected in await group_bot.handle("manager4220", "/group 项目群 alice")
    assert emulator.groups == []


async def test_bot_warns_that_an_unclear_outcome_may_have_made_the_group(
    group_bot: Any, emulator: DingTalkEmulator
) -> None:
    emulator.drop_next(api="im.group.create")
    emulator.reply_next(
        body=b"<html>proxy error</html>", content_type="text/html", api="im.group.create"
    )
    for _ in range(2):
        reply = await group_bot.handle("manager4220", "/group 项目群 alice")
        assert "the group may exist" in reply


async def test_bot_reports_refused_credentials_without_revealing_them(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    tokens = AppTokenProvider(
        session, app_key=emulator.app_key, app_secret="wrong-secret", base_url=emulator.base_url
    )
    group_bot = bot.GroupBot(
        groups=GroupService(session, tokens, base_url=emulator.base_url),
        robot=RobotService(
            session, tokens, robot_code=emulator.robot_code, base_url=emulator.base_url
        ),
    )
    reply = await group_bot.handle("manager4220", "/group 项目群 alice")
    assert "credentials were refused" in reply
    assert "wrong-secret" not in reply


async def test_bot_says_nothing_was_created_when_dingtalk_is_unreachable(
    session: aiohttp.ClientSession,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    options: dict[str, Any] = {
        "base_url": f"http://127.0.0.1:{closed_port}",
        "retry": RetryPolicy(initial_wait=0, max_wait=0),
    }
    tokens = StaticTokenProvider("token")
    group_bot = bot.GroupBot(
        groups=GroupService(session, tokens, **options),
        robot=RobotService(session, tokens, robot_code="dingbot", **options),
    )
    reply = await group_bot.handle("manager4220", "/group 项目群 alice")
    assert reply == "I could not reach DingTalk; nothing was created. Try again."


# -- the bulk script -------------------------------------------------------------


async def test_bulk_script_tallies_each_kind_of_outcome(
    groups: GroupService, emulator: DingTalkEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.fail_next(status=403, code=QPS_LIMIT, api="im.group.create")  # put back, then created
    emulator.fail_next(status=400, code="permession.checkFailed", api="im.group.create")
    emulator.faults_for("im.group.create").schedule(
        Fault.DROPPED_MID_RESPONSE
    )  # created, reply lost
    requests = bulk_script.project_groups(6, "manager4220", ["alice"])
    tally = await bulk_script.create_all(groups, requests)
    assert tally == bulk_script.Tally(created=4, failed=1, unknown=1, put_back=1)
    assert emulator.groups_created == 5
    printed = capsys.readouterr().out
    assert "failed: HTTP 400 permession.checkFailed" in printed
    assert "unknown: " in printed


# -- the scripts, as people run them ------------------------------------------------------


def run_example(name: str, stdin: str = "", *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env_without_credentials(),
        timeout=60,
        check=False,
    )


def test_create_group_script_creates_a_group_on_the_emulator() -> None:
    done = run_example("create_group.py")
    assert done.returncode == 0, done.stderr
    assert "using the emulator" in done.stdout
    assert "created: openConversationId=cid" in done.stdout


def test_bot_script_chats_on_the_console() -> None:
    commands = "/group 项目群 alice\n/pretend-read 项目群 alice\n/seen 项目群\n/help\n"
    done = run_example("bot.py", commands, "--as", "boss")
    assert done.returncode == 0, done.stderr
    assert "Chatting as boss" in done.stdout
    assert "Created '项目群' with 1 member(s): chat" in done.stdout
    assert "Welcome card posted." in done.stdout
    assert "1 of 2 members read the welcome card in '项目群': alice" in done.stdout
    assert "Commands:" in done.stdout


def test_announce_script_posts_to_demo_groups_on_the_emulator() -> None:
    done = run_example("announce.py")
    assert done.returncode == 0, done.stderr
    assert "using the emulator" in done.stdout
    assert re.search(r"sent now +25\n", done.stdout)


def test_bulk_script_creates_generated_groups_on_the_emulator() -> None:
    done = run_example("bulk_script.py", "", "--count", "25")
    assert done.returncode == 0, done.stderr
    assert "using the emulator" in done.stdout
    assert "created 25 of 25 groups" in done.stdout
    assert "(0 failed, 0 unknown, " in done.stdout


@pytest.mark.parametrize(("name", "count"), [("groups.csv", 24), ("groups.jsonl", 3)])
def test_example_inputs_of_the_bulk_command_are_all_valid(name: str, count: int) -> None:
    path = EXAMPLES / name
    records = list(read_records(path, input_format(path, None)))
    assert [record.problem for record in records] == [None] * count
    assert len({record.name for record in records}) == count


async def test_announce_stopped_by_ctrl_c_finishes_what_it_sent_and_the_next_run_the_rest(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    """Ctrl-C mid-announcement: no traceback, every message in flight gets its real outcome
    (none is left unknown), and the next run posts to the other groups, each once."""
    made = [await emulator.add_group(name=f"g{n}", owner="m", members=["u"]) for n in range(12)]
    groups = tmp_path / "groups.txt"
    groups.write_text("".join(f"{g.open_conversation_id}\n" for g in made), encoding="utf-8")
    env = {
        **env_without_credentials(),
        "DINGTALK_APP_KEY": emulator.app_key,
        "DINGTALK_APP_SECRET": emulator.app_secret,
        "DINGTALK_BASE_URL": emulator.base_url,
    }
    emulator.delay_next(12, seconds=0.5, api=SEND_API)
    first = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "announce.py"),
        str(groups),
        "--concurrency",
        "2",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    while emulator.calls(SEND_API) < 2:  # noqa: ASYNC110 - polling a counter
        await asyncio.sleep(0.01)
    first.send_signal(signal.SIGINT)
    stdout, stderr = await asyncio.wait_for(first.communicate(), 30)
    assert first.returncode == 130, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert re.search(r"unknown +0 ", stdout.decode()), stdout.decode()
    assert "interrupted: run again" in stdout.decode()
    assert f"journal: {groups}.journal" in stdout.decode()
    posted = sum(len(group.messages) for group in made)
    assert 2 <= posted < 12
    again = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "announce.py"),
        str(groups),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(again.communicate(), 30)
    assert again.returncode == 0, stdout.decode() + stderr.decode()
    assert re.search(rf"already sent +{posted} ", stdout.decode()), stdout.decode()
    assert [len(group.messages) for group in made] == [1] * 12


def test_stream_bot_script_answers_its_demo_message_on_the_emulator() -> None:
    done = run_example("stream_bot.py")
    assert done.returncode == 0, done.stderr
    assert "using the emulator" in done.stdout
    assert "bot (in the conversation): Created 发布小组; see you there." in done.stdout
    assert "bot (in 发布小组): Welcome, " in done.stdout


async def test_stream_bot_serves_an_app_until_ctrl_c(emulator: DingTalkEmulator) -> None:
    """With credentials it serves the app: a message makes a group; Ctrl-C stops it cleanly."""
    bot_process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "stream_bot.py"),
        env={
            **env_without_credentials(),
            "DINGTALK_APP_KEY": emulator.app_key,
            "DINGTALK_APP_SECRET": emulator.app_secret,
            "DINGTALK_BASE_URL": emulator.base_url,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await eventually(lambda: bool(emulator.stream.connections), timeout=20)
        emulator.stream.inject_message("group 值班群 bob", sender_staff_id="alice")
        await eventually(lambda: bool(emulator.groups), timeout=20)
    finally:
        bot_process.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(bot_process.communicate(), 20)
    assert bot_process.returncode == 130, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert "Stopped." in stdout.decode()
    assert emulator.groups[0].request["useridlist"] == ["alice", "bob"]

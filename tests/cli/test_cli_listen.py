"""`dingtalk-im listen` as a real process against the test's emulator: JSON lines on stdout."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import sys

import aiohttp
import click
import pytest
from click.testing import CliRunner

from dingtalk_im_async import ClientSettings
from dingtalk_im_async.cli import main
from dingtalk_im_async.cli._client import Target
from dingtalk_im_async.cli.listen import _listen
from dingtalk_im_async.stream import BotMessage, StreamClient
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import cli_env, finish, run_cli
from tests.support.stream_support import eventually


async def start_listen(emulator: DingTalkEmulator, *args: str) -> asyncio.subprocess.Process:
    """The command with stdout and stderr apart: the JSON lines must be alone on stdout."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from dingtalk_im_async.cli import main; main(prog_name='dingtalk-im')",
        "listen",
        *args,
        env=cli_env(emulator),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_prints_messages_and_events_as_json_lines(emulator: DingTalkEmulator) -> None:
    process = await start_listen(emulator, "--count", "2")
    await eventually(lambda: bool(emulator.stream.connections), timeout=20)
    sent = emulator.stream.inject_message("你好", sender_staff_id="alice")
    event_id = emulator.stream.push_event(
        "chat_add_member", {"chatId": "chat1", "openConversationId": "cid1", "userId": ["bob"]}
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    message, event = (json.loads(line) for line in stdout.decode().splitlines())
    assert message["kind"] == "message"
    assert message["msgId"] == sent["msgId"]
    assert message["text"] == {"content": " 你好"}
    assert message["senderStaffId"] == "alice"
    assert message["sessionWebhook"].endswith("?session=<hidden>")
    assert event == {
        "kind": "event",
        "eventId": event_id,
        "eventType": "chat_add_member",
        "openConversationId": "cid1",
        "chatId": "chat1",
        "userId": ["bob"],
        "corpId": event["corpId"],
        "timeStamp": event["timeStamp"],
        "eventBornTime": event["eventBornTime"],
        "eventCorpId": event["eventCorpId"],
        "eventUnifiedAppId": event["eventUnifiedAppId"],
    }
    assert "Listening as app" in stderr.decode()
    await emulator.stream.wait_until_acknowledged()


async def test_ctrl_c_stops_it_cleanly(emulator: DingTalkEmulator) -> None:
    process = await start_listen(emulator, "--no-events")
    await eventually(lambda: bool(emulator.stream.connections), timeout=20)
    assert emulator.stream.open_requests[0]["subscriptions"] == [
        {"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"}
    ]
    process.send_signal(signal.SIGINT)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 130  # stopped by a signal: 128 + its number, like every command
    assert stdout == b""
    assert "Traceback" not in stderr.decode()
    assert "Stopped after 0 item(s)." in stderr.decode()
    await eventually(lambda: not emulator.stream.connections)


async def test_refused_credentials_are_a_clear_error_without_the_secret(
    emulator: DingTalkEmulator,
) -> None:
    finished = await finish(
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from dingtalk_im_async.cli import main; main(prog_name='dingtalk-im')",
            "listen",
            env=cli_env(emulator, DINGTALK_APP_SECRET="not-the-secret-42"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    )
    assert finished.code == 1
    assert "cannot listen" in finished.output
    assert "invalidClientIdOrSecret" in finished.output
    assert "not-the-secret-42" not in finished.output


async def test_without_credentials_it_says_how_to_get_some(emulator: DingTalkEmulator) -> None:
    finished = await run_cli(emulator, ["listen"], DINGTALK_APP_KEY="", DINGTALK_APP_SECRET="")
    assert finished.code == 2
    assert "DINGTALK_APP_KEY" in finished.output


def test_nothing_to_listen_to_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["listen", "--emulator", "--no-messages", "--no-events"])
    assert result.exit_code == 2
    assert "nothing to listen to" in result.output


async def test_with_its_own_emulator_it_says_how_to_push_a_message(
    session: aiohttp.ClientSession,
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from dingtalk_im_async.cli import main; main(prog_name='dingtalk-im')",
        "listen",
        "--emulator",
        "--count",
        "1",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    hint = ""
    while "curl" not in hint:
        hint = (await asyncio.wait_for(process.stderr.readline(), 20)).decode()
    url = re.search(r"curl -X POST (\S+)", hint)
    assert url is not None
    await asyncio.wait_for(process.stderr.readline(), 20)  # "Listening as app ..."
    async with session.post(url.group(1), json={"text": "hello"}) as reply:
        msg_id = (await reply.json())["msgId"]
    stdout, _ = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0
    assert json.loads(stdout)["msgId"] == msg_id


# -- the same command in this process, where coverage sees it --------------------------


async def test_in_process_it_prints_the_count_asked_for_and_stops(
    emulator: DingTalkEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    target = Target(
        emulator=False,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        settings=ClientSettings(base_url=emulator.base_url),
    )
    listening = asyncio.ensure_future(_listen(target, messages=True, events=True, count=1))
    await eventually(lambda: bool(emulator.stream.connections))
    sent = emulator.stream.inject_message("in process")
    await asyncio.wait_for(listening, 5)
    out, err = capsys.readouterr()
    assert json.loads(out)["msgId"] == sent["msgId"]
    assert "Stopped after 1 item(s)." in err


async def test_in_process_refused_credentials_are_a_click_error(
    emulator: DingTalkEmulator,
) -> None:
    target = Target(
        emulator=False,
        app_key=emulator.app_key,
        app_secret="nope",
        settings=ClientSettings(base_url=emulator.base_url),
    )
    with pytest.raises(click.ClickException, match="cannot listen: HTTP 400"):
        await _listen(target, messages=True, events=False, count=None)


async def test_in_process_with_its_own_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    listening = asyncio.ensure_future(
        _listen(Target(emulator=True), messages=True, events=True, count=None)
    )
    seen: list[str] = []

    def listening_now() -> bool:
        seen.append(capsys.readouterr().err)
        return "Listening as app" in "".join(seen)

    await eventually(listening_now)
    assert "/_emulator/stream/messages" in "".join(seen)
    listening.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await listening


async def test_count_prints_and_takes_that_many_and_leaves_the_rest_to_the_next_listener(
    emulator: DingTalkEmulator,
) -> None:
    """`--count 2` with five messages waiting: two printed and acknowledged, the others
    answered LATER, so the app's next listener gets them (not after the gateway's minute
    of waiting for an acknowledgement), and the count said is the count printed."""
    emulator.stream.settings.later_delay = 0.05
    emulator.stream.settings.max_redeliveries = 1_000
    emulator.stream.settings.ack_timeout = 600.0  # an unacknowledged frame would wait this long
    process = await start_listen(emulator, "--count", "2", "--no-events")
    await eventually(lambda: bool(emulator.stream.connections), timeout=20)
    sent = {emulator.stream.inject_message(f"m{n}")["msgId"] for n in range(5)}
    stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    printed = {json.loads(line)["msgId"] for line in stdout.decode().splitlines()}
    assert len(printed) == 2
    assert re.search(r"Stopped after 2 item\(s\)", stderr.decode()), stderr.decode()

    async def next_listener_hears() -> set[str]:
        heard: set[str] = set()
        async with StreamClient(
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
            events=False,
        ) as stream:
            async for item in stream:
                assert isinstance(item, BotMessage)
                heard.add(item.msg_id)
                if len(heard) == 3:
                    return heard
        return heard

    assert await asyncio.wait_for(next_listener_hears(), 10) == sent - printed

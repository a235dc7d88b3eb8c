"""`dingtalk-im emulator` run as a real process: serves over HTTP, stops cleanly on signals."""

from __future__ import annotations

import asyncio
import re
import signal
import socket

import aiohttp
import click
import pytest
from click.testing import CliRunner

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkClient,
    GroupMessage,
    GroupService,
    PermissionCheckError,
    ResponseError,
    Text,
    UpdateGroupRequest,
)
from dingtalk_im_async.cli import main
from dingtalk_im_async.emulator import ADMIN_MESSAGES_PATH
from dingtalk_im_async.stream import StreamClient
from tests.support.emulator_process import (
    emulator_process,
)

REQUEST = CreateGroupRequest(name="n", owner="manager4220", useridlist=["u"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def service_for(
    session: aiohttp.ClientSession, banner: dict[str, str]
) -> tuple[AppTokenProvider, GroupService]:
    tokens = AppTokenProvider(
        session,
        app_key=banner["DINGTALK_APP_KEY"],
        app_secret=banner["DINGTALK_APP_SECRET"],
        base_url=banner["DINGTALK_BASE_URL"],
    )
    return tokens, GroupService(session, tokens, base_url=banner["DINGTALK_BASE_URL"])


async def test_serves_creates_on_the_given_port_and_stops_on_ctrl_c(
    session: aiohttp.ClientSession,
) -> None:
    port = free_port()
    async with emulator_process(
        "--port",
        str(port),
        "--app-key",
        "cli-key",
        "--app-secret",
        "cli-secret",
        "--visible-user",
        "manager4220",
        "--visible-user",
        "u",
        "--qps-limit",
        "100",
    ) as running:
        assert running.banner == {
            "DINGTALK_BASE_URL": f"http://127.0.0.1:{port}",
            "DINGTALK_OAPI_BASE_URL": f"http://127.0.0.1:{port}/oapi",
            "DINGTALK_APP_KEY": "cli-key",
        }  # a secret given is never printed (tests/emulator/test_emulator_guard.py)
        _, groups = service_for(session, {**running.banner, "DINGTALK_APP_SECRET": "cli-secret"})
        result = await groups.create(REQUEST)
        assert result.open_conversation_id.startswith("cid")
        with pytest.raises(PermissionCheckError):
            await groups.create(CreateGroupRequest(name="n", owner="stranger", useridlist=["u"]))
        code, summary = await running.stop(signal.SIGINT)
    assert code == 130  # stopped by a signal: 128 + its number, like every command
    assert re.search(r"token fetches\W+1\b", summary)
    assert re.search(r"im\.group\.create calls\W+2\b", summary)
    assert re.search(r"groups created\W+1\b", summary)


async def test_fault_rates_apply_and_sigterm_stops_cleanly(
    session: aiohttp.ClientSession,
) -> None:
    async with emulator_process(
        "--port",
        "0",
        "--fault",
        "im.group.create:html-page=100%",
        "--seed",
        "3",
        "--fault-every",
        "im.group.create:token-revoked=2",
    ) as running:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", running.banner["DINGTALK_BASE_URL"])
        _, groups = service_for(session, running.banner)
        for _ in range(2):  # the second is refused (token revoked), replayed, then gets HTML
            with pytest.raises(ResponseError) as caught:
                await groups.create(REQUEST)
            assert "502 Bad Gateway" in caught.value.excerpt
        code, summary = await running.stop(signal.SIGTERM)
    assert code == 128 + signal.SIGTERM
    assert re.search(r"fault html-page\W+2\b", summary)
    assert re.search(r"fault token-revoked\W+1\b", summary)
    assert re.search(r"token fetches\W+2\b", summary)
    assert re.search(r"groups created\W+0\b", summary)


def test_busy_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["emulator", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault", "meteor=0.1"], "unknown fault 'meteor'; known: system-error"),
        (["--fault", "system-error"], "expected [API:]NAME=VALUE"),
        (["--fault", ":system-error=0.1"], "expected an API name"),
        (["--fault", "system-error=lots"], "a rate is a number or a percentage"),
        (["--fault", "system-error=2"], "between 0 and 1"),
        (["--fault", "system_error=0.7", "--fault", "html-page=50%"], "more than 1"),
        (["--fault", "im.nope:html-page=50%"], "no route serves the API 'im.nope'"),
        (["--fault", "canned-reply=0.1"], "unknown fault"),
        (["--fault-every", "token-revoked=0"], "positive integer"),
        (["--latency", "slow"], "SECONDS or LOW:HIGH"),
        (["--latency", "2:1"], "below low"),
        (["--qps-limit", "0"], "positive integer"),
        (["--api-qps-limit", "im.group.create"], "expected API=N"),
        (["--token-lifetime", "-1"], "token_lifetime must be"),
    ],
)
def test_bad_options_are_refused_before_serving(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["emulator", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_help_says_the_printed_credentials_are_the_emulators_own() -> None:
    result = CliRunner().invoke(main, ["emulator", "--help"])
    assert result.exit_code == 0
    assert "made-up test credentials" in result.output
    assert "dropped-mid-response" in result.output


async def test_a_fault_without_an_api_applies_to_every_api_and_the_old_flag_still_works(
    session: aiohttp.ClientSession,
) -> None:
    async with emulator_process(
        "--port", "0", "--fault", "html-page=100%", "--revoke-tokens-every", "5"
    ) as running:
        tokens, _ = service_for(session, running.banner)
        with pytest.raises(ResponseError):  # the token endpoint gets the proxy's page too
            await tokens.get_token()
        code, summary = await running.stop(signal.SIGTERM)
        assert running.process.stderr is not None
        warning = (await running.process.stderr.read()).decode()
    assert code == 128 + signal.SIGTERM
    assert "--revoke-tokens-every is deprecated; use --fault-every token-revoked=N" in warning
    assert re.search(r"fault html-page\W+1\b", summary)


def test_every_setting_with_a_command_line_form_is_an_option() -> None:
    """The options are made from EmulatorSettings: none is written twice."""
    import attrs

    from dingtalk_im_async.emulator import EmulatorSettings

    result = CliRunner().invoke(main, ["emulator", "--help"], terminal_width=200)
    for attribute in attrs.fields(EmulatorSettings):
        form = attribute.metadata["setting"].cli
        if form is not None:
            assert form.flag in result.output, attribute.name


async def test_the_options_become_the_running_emulators_settings() -> None:
    from dingtalk_im_async.emulator import ANY_API, Fault, RemoteEmulator

    async with emulator_process(
        "--port", "0",
        "--visible-user", "a", "--visible-user", "b",
        "--denied-scope", "qyapi_robot_sendmsg",
        "--api-qps-limit", "im.group.create=7",
        "--monthly-call-quota", "0",
        "--group-message-limit", "2",
        "--no-robot-in-new-groups",
        "--fault", "oapi.chat.get:slow=25%",
        "--fault-every", "token-revoked=9",
        "--latency", "0.2:0.4",
        "--journal-limit", "none",
        "--token-lifetime", "60",
    ) as running:  # fmt: skip
        async with RemoteEmulator(running.banner["DINGTALK_BASE_URL"]) as remote:
            settings = await remote.get_settings()
        await running.stop(signal.SIGTERM)
    assert settings.visible_users == frozenset({"a", "b"})
    assert settings.denies("qyapi_robot_sendmsg")
    assert dict(settings.qps_limits) == {"im.group.create": 7}
    assert (settings.monthly_call_quota, settings.group_message_limit) == (0, 2)
    assert settings.robot_in_new_groups is False
    assert settings.fault_rates_for("oapi.chat.get") == {Fault.SLOW: 0.25}
    assert settings.fault_periods == {ANY_API: {Fault.TOKEN_REVOKED: 9}}
    assert (settings.slow_latency.low, settings.slow_latency.high) == (0.2, 0.4)
    assert (settings.journal_limit, settings.token_lifetime) == (None, 60.0)
    assert settings.record_groups is False  # of no use outside the process


async def test_the_stop_summary_counts_every_api_called_and_the_stream(
    session: aiohttp.ClientSession,
) -> None:
    async with emulator_process("--port", "0") as running:
        banner = running.banner
        async with DingTalkClient(
            app_key=banner["DINGTALK_APP_KEY"],
            app_secret=banner["DINGTALK_APP_SECRET"],
            base_url=banner["DINGTALK_BASE_URL"],
            oapi_base_url=banner["DINGTALK_OAPI_BASE_URL"],
        ) as client:
            created = await client.groups.create(REQUEST)
            await client.groups.update(UpdateGroupRequest(chatid=created.chatid, name="m"))
            await client.groups.get(created.chatid)
            await client.robot.send(
                GroupMessage(open_conversation_id=created.open_conversation_id, message=Text("hi"))
            )
        async with StreamClient(
            app_key=banner["DINGTALK_APP_KEY"],
            app_secret=banner["DINGTALK_APP_SECRET"],
            base_url=banner["DINGTALK_BASE_URL"],
            allow_http=True,
            events=False,
        ) as stream:
            pushed = await session.post(
                banner["DINGTALK_BASE_URL"] + ADMIN_MESSAGES_PATH, json={"text": "hello"}
            )
            assert pushed.status == 200
            await asyncio.wait_for(anext(aiter(stream)), 10)
        code, summary = await running.stop(signal.SIGINT)
    assert code == 130
    for row, count in (
        ("token fetches", 1),
        (r"im\.group\.create calls", 1),
        (r"im\.group\.update calls", 1),
        (r"oapi\.chat\.get calls", 1),
        (r"robot\.groupMessages\.send calls", 1),
        ("stream connections", 1),
        ("stream pushes", "[1-9]"),  # the message, and the rename's event
    ):
        assert re.search(rf"{row}\W+{count}\b", summary), (row, summary)


def test_every_command_that_calls_dingtalk_takes_the_connection_options() -> None:
    """`--timeout` and the rest on each command with `--emulator`, whose help says the
    emulator starts empty; found by walking the command tree, so new commands are held to it."""
    commands = []
    pending: list[click.Command] = [main]
    while pending:
        command = pending.pop()
        if isinstance(command, click.Group):
            pending.extend(command.commands.values())
        elif (
            any(option.name == "emulator" for option in command.params)
            and command.name != "emulator"
        ):
            commands.append(command)
    assert {command.name for command in commands} >= {
        "bulk",
        "create-group",
        "send",
        "listen",
        "update",
        "info",
    }
    for command in commands:
        options = {option.name: option for option in command.params}
        for name in ("timeout", "base_url", "oapi_base_url", "allow_http", "app_key", "app_secret"):
            assert name in options, (command.name, name)
        help_text = options["emulator"].help or ""
        assert "empty in-process emulator" in help_text, command.name

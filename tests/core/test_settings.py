"""Each setting is declared once (`settings.py`): its name, default and doc; the client, the
services, the token provider, bulk runs and the command's options all read it there."""

from __future__ import annotations

import aiohttp
import attrs
import click
import pytest
from click.testing import CliRunner

from dingtalk_im_async import (
    AppTokenProvider,
    BulkOptions,
    BulkRun,
    ClientSettings,
    CreateGroupRequest,
    DingTalkClient,
    GroupService,
    LocalPacer,
    RetryPolicy,
    StaticTokenProvider,
)
from dingtalk_im_async._core import json_codec
from dingtalk_im_async.bulk import RateLimitedRetry
from dingtalk_im_async.cli import main
from dingtalk_im_async.settings import CLI_FLAG, DOC
from dingtalk_im_async.testing import DingTalkEmulator


def request(name: str) -> CreateGroupRequest:
    return CreateGroupRequest(name=name, owner="manager4220", useridlist=["u1"])


@pytest.mark.parametrize("cls", [ClientSettings, BulkOptions])
def test_every_setting_has_a_default_and_a_doc(cls: type) -> None:
    for field in attrs.fields(cls):
        assert field.default is not attrs.NOTHING, field.name
        assert len(field.metadata[DOC]) > 20, field.name


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"timeout": 0}, ValueError),
        ({"timeout": float("inf")}, ValueError),
        ({"rate_limit": 0}, ValueError),
        ({"rate_limit": "fast"}, TypeError),
        ({"connection_limit": 0}, ValueError),
        ({"connection_limit": 1.5}, TypeError),
        ({"refresh_margin": True}, ValueError),
        ({"peer_wait": -1}, ValueError),
        ({"json_codec": "simplejson"}, ValueError),
        ({"retry": 3}, TypeError),
        ({"robot_code": " "}, ValueError),
        ({"base_url": 42}, TypeError),
    ],
)
def test_a_bad_setting_fails_when_built(changes: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error, match=next(iter(changes))):
        ClientSettings(**changes)  # type: ignore[arg-type]


async def test_the_client_takes_settings_whole_or_by_name(emulator: DingTalkEmulator) -> None:
    settings = ClientSettings(base_url=emulator.base_url, timeout=3.0, rate_limit=None)
    async with (
        DingTalkClient(
            app_key=emulator.app_key, app_secret=emulator.app_secret, settings=settings
        ) as whole,
        DingTalkClient(
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
            timeout=3.0,
            rate_limit=None,
        ) as by_name,
    ):
        assert whole.settings == by_name.settings == settings
        assert whole.groups.pacer is None
        created = await whole.groups.create(request("g"))
    assert created.chatid


async def test_by_name_overrides_the_settings_given(emulator: DingTalkEmulator) -> None:
    async with DingTalkClient(
        app_key="k",
        app_secret="s",
        settings=ClientSettings(base_url=emulator.base_url, timeout=3.0),
        timeout=4.0,
    ) as client:
        assert (client.settings.base_url, client.settings.timeout) == (emulator.base_url, 4.0)


def test_an_unknown_setting_or_a_wrong_settings_object_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="timeut"):
        DingTalkClient(app_key="k", app_secret="s", timeut=3)
    with pytest.raises(TypeError, match="ClientSettings"):
        DingTalkClient(app_key="k", app_secret="s", settings=BulkOptions())  # type: ignore[arg-type]


async def test_a_pacer_given_as_rate_limit_still_works_and_warns(
    session: aiohttp.ClientSession,
) -> None:
    pacer = LocalPacer(5)
    with pytest.warns(DeprecationWarning, match="pacer="):
        groups = GroupService(session, StaticTokenProvider("t"), rate_limit=pacer)
    assert groups.pacer is pacer
    assert GroupService(session, StaticTokenProvider("t"), pacer=pacer).pacer is pacer


async def test_the_token_provider_reads_the_same_settings(session: aiohttp.ClientSession) -> None:
    settings = ClientSettings(base_url="http://127.0.0.1:1", refresh_margin=30.0, peer_wait=0.5)
    provider = AppTokenProvider(session, app_key="k", app_secret="s", settings=settings)
    assert (provider._refresh_margin, provider._peer_wait) == (30.0, 0.5)
    with pytest.raises(ValueError, match="peer_wait"):
        AppTokenProvider(session, app_key="k", app_secret="s", peer_wait=-1)


async def test_a_client_may_choose_its_json_codec(session: aiohttp.ClientSession) -> None:
    stdlib = GroupService(session, StaticTokenProvider("t"), json_codec="stdlib")
    assert stdlib._transport._encode is json_codec.encode_stdlib
    assert stdlib._transport._decode is json_codec.decode_stdlib
    auto = GroupService(session, StaticTokenProvider("t"))
    assert auto._transport._encode is json_codec.encode


async def test_bulk_runs_take_options_whole_or_by_name(emulator: DingTalkEmulator) -> None:
    async with DingTalkClient(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    ) as client:
        run = client.many(client.groups.create, [request("a")], BulkOptions(concurrency=2))
        async with run:
            [whole] = [outcome async for outcome in run]
        async with client.groups.create_many([request("b")], concurrency=2) as run:
            [by_name] = [outcome async for outcome in run]
    assert whole.ok
    assert by_name.ok


def test_the_last_releases_put_back_policy_still_works_and_warns() -> None:
    async def call(item: int) -> int:
        return item

    with pytest.warns(DeprecationWarning, match="rate_limited_retries"):
        run = BulkRun(call, [1], rate_limited=RateLimitedRetry(retries=1, backoff=0))
    assert (run._retries, run._backoff) == (1, 0)


def test_the_commands_options_are_the_settings_declarations() -> None:
    """The flag, default and help of each option come from its setting's field."""
    fields = {
        field.metadata[CLI_FLAG]: field
        for cls in (ClientSettings, BulkOptions)
        for field in attrs.fields(cls)
        if CLI_FLAG in field.metadata
    }
    options = {
        opt: param
        for command in (main.commands["bulk"], main.commands["create-group"])
        for param in command.params
        if isinstance(param, click.Option)
        for opt in param.opts
    }
    for flag, field in fields.items():
        assert flag in options, flag
        assert options[flag].name == field.name
        if field.default is not None and field.type is not bool:
            assert options[flag].default == field.default, flag
    bulk_help = CliRunner().invoke(main, ["bulk", "--help"], terminal_width=500).output
    assert fields["--concurrency"].metadata[DOC] in bulk_help
    assert "0 turns pacing off" in bulk_help


def test_a_bad_value_is_a_usage_error_naming_its_option() -> None:
    result = CliRunner().invoke(
        main, ["create-group", "--name", "n", "--owner", "o", "--user", "u", "--timeout", "0"]
    )
    assert result.exit_code == 2
    assert "--timeout" in result.output


def test_the_default_retry_policy_is_the_documented_one() -> None:
    assert ClientSettings().retry == RetryPolicy()

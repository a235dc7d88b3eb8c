"""`dingtalk-im emulator`: run the DingTalk emulator as a standalone local server.

Its options are made from `EmulatorSettings`: each setting's `CliForm` (flag,
metavar, how to read the text) and doc become one click option, so a new
setting is on the command line without an edit here. Only `--host`, `--port`
and `--state` are this command's own.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click
from rich.console import Console
from rich.table import Table

from ..emulator import (
    ADMIN_MESSAGES_PATH,
    ADMIN_PREFIX,
    DingTalkEmulator,
    EmulatorSettings,
    Fault,
    SceneGroupStore,
    SettingInfo,
    load_state,
    save_state,
)
from ._signals import Signals, exiting_on_signals

__all__ = ["emulator"]

_F = TypeVar("_F", bound=Callable[..., Any])
_DEFAULTS = EmulatorSettings()


def _setting_options(command: _F) -> _F:
    """One click option per setting that has a `CliForm`, in the settings' order."""
    for attribute in reversed(attrs.fields(EmulatorSettings)):
        info: SettingInfo = attribute.metadata["setting"]
        form = info.cli
        if form is None:
            continue
        shown = info.shown_default if info.shown_default is not None else attribute.default
        shown = str(shown).replace("`", "")
        help_text = info.doc.replace("`", "") + ("" if info.live else "; fixed at start")
        if attribute.default is True or attribute.default is False:
            option = click.option(form.flag, attribute.name, is_flag=True, help=help_text)
        else:
            option = click.option(
                form.flag,
                attribute.name,
                multiple=form.multiple,
                metavar=form.metavar,
                default=None,
                help=help_text + ("" if form.multiple else f"  [default: {shown}]"),
            )
        command = option(command)
    return command


def _settings_from(options: dict[str, Any]) -> EmulatorSettings:
    """The settings the options ask for; a bad value is a usage error naming its option."""
    changes: dict[str, Any] = {}
    for attribute in attrs.fields(EmulatorSettings):
        form = attribute.metadata["setting"].cli
        if form is None or attribute.name not in options:
            continue
        raw = options.pop(attribute.name)
        if raw is None or raw == () or raw is False:
            continue
        try:
            if raw is True:
                value: Any = not attribute.default
            else:
                value = form.parse(raw) if form.parse is not None else raw
            _DEFAULTS.changed(**{attribute.name: value})  # checked here, named by its flag
        except (ValueError, TypeError) as error:
            raise click.BadParameter(str(error), param_hint=form.flag) from None
        changes[attribute.name] = value
    return _DEFAULTS.changed(**changes)


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Start with the groups saved in this JSON file and save them there on exit.",
)
@_setting_options
@click.option(
    "--revoke-tokens-every",
    type=click.IntRange(min=1),
    metavar="N",
    hidden=True,
    help="Deprecated: --fault-every token-revoked=N.",
)
def emulator(
    host: str,
    port: int,
    state_file: Path | None,
    revoke_tokens_every: int | None,
    **options: Any,
) -> None:
    """Run the DingTalk emulator until Ctrl-C or SIGTERM.

    It serves DingTalk's token, group, robot and Stream endpoints for local
    testing and prints its base URLs and the app key and secret it accepts.
    These are the emulator's own made-up test credentials, printed on purpose;
    a secret given with --app-secret is never printed nor shown. Only the bound
    address answers the dashboard and admin API (--allowed-host adds names), and
    they refuse state changes from web pages of other origins and ones not sent
    as JSON. Its dashboard (the root URL) and admin API
    (/_emulator/) show and steer it while it runs; counts are printed when it
    stops. Faults and QPS limits are per API: --fault im.group.create:system-error=10%
    for one API, --fault system-error=10% for every API.
    """
    settings = _settings_from(options)
    if revoke_tokens_every is not None:
        click.echo(
            "--revoke-tokens-every is deprecated; use --fault-every token-revoked=N", err=True
        )
        periods = {**settings.fault_periods, "*": {Fault.TOKEN_REVOKED: revoke_tokens_every}}
        settings = settings.changed(fault_periods=periods)
    try:
        # The CreatedGroup list holds every create's body: of no use outside the process.
        server = DingTalkEmulator(
            settings=settings.changed(record_groups=False), host=host, port=port
        )
        scenes = server.stores.of(SceneGroupStore)
        loaded = (
            load_state(server.store, state_file, scene_groups=scenes)
            if state_file is not None
            else 0
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if loaded:
        click.echo(f"Loaded {loaded} groups from {state_file}")
    try:
        with exiting_on_signals("the emulator stopped") as signals:
            asyncio.run(_serve(server, Console(highlight=False, soft_wrap=True), signals))
    finally:  # stopped by a signal too: the groups are saved before the exit status is set
        if state_file is not None:
            saved = save_state(server.store, state_file, scene_groups=scenes)
            click.echo(f"Saved {saved} groups to {state_file}")
    sys.exit(signals.exit_code or 0)


async def _serve(server: DingTalkEmulator, console: Console, signals: Signals) -> None:
    """Serve until a signal; stopping that way exits 128 + its number, like any command."""
    stop = asyncio.Event()
    with signals.on_loop(lambda _signum: stop.set()):
        try:
            await server.start()
        except OSError as error:
            raise click.ClickException(
                f"cannot listen on {server.host}:{server.port}: {error}"
            ) from None
        try:
            _print_banner(server, console)
            await stop.wait()
        finally:
            await server.close()
        _print_summary(server, console)


def _print_banner(server: DingTalkEmulator, console: Console) -> None:
    console.print(f"[bold]DingTalk emulator[/bold] listening on {server.base_url}")
    console.print("Local test credentials (made up by the emulator, not real ones):")
    console.print(f"export DINGTALK_BASE_URL={server.base_url}", markup=False)
    console.print(f"export DINGTALK_OAPI_BASE_URL={server.oapi_base_url}", markup=False)
    console.print(f"export DINGTALK_APP_KEY={server.app_key}", markup=False)
    if server.settings.shown_app_secret == server.app_secret:
        console.print(f"export DINGTALK_APP_SECRET={server.app_secret}", markup=False)
    else:  # given with --app-secret: it may be real, so it is never printed
        console.print("# DINGTALK_APP_SECRET: the one given with --app-secret", markup=False)
    console.print(f"Dashboard: {server.base_url}/", markup=False)
    console.print(
        f"Admin API: {server.base_url}{ADMIN_PREFIX}/ (tests: --dingtalk-emulator-url "
        f"{server.base_url})",
        markup=False,
    )
    settings = server.settings
    if settings.suites:  # their keys only: the secrets stay out of the output
        corps = ", ".join(settings.corp_ids) or "no organisation yet"
        for suite_key in settings.suites:
            console.print(f"Suite {suite_key} installed in {corps}", markup=False)
    for api, rates in sorted(settings.fault_rates.items()):
        shown = ", ".join(f"{fault.value}={rate:g}" for fault, rate in rates.items())
        console.print(f"Fault rates ({_apis(api)}): {shown}", markup=False)
    for api, periods in sorted(settings.fault_periods.items()):
        for fault, period in periods.items():
            console.print(
                f"Fault {fault.value} on every {period}th call ({_apis(api)})", markup=False
            )
    console.print(
        f"Stream mode: `dingtalk-im listen`; push a bot message with POST "
        f'{server.base_url}{ADMIN_MESSAGES_PATH} {{"text": "hello"}}',
        markup=False,
    )
    console.print("Press Ctrl-C to stop.")


def _apis(api: str) -> str:
    return "every API" if api == "*" else api


def _print_summary(server: DingTalkEmulator, console: Console) -> None:
    table = Table(title="DingTalk emulator stopped", show_header=False)
    table.add_row("token fetches", str(server.token_fetches))
    for api, traffic in sorted(server.traffic.items()):
        if traffic.calls and api != "oauth2.accessToken":
            table.add_row(f"{api} calls", str(traffic.calls))
    table.add_row("groups created", str(server.groups_created))
    table.add_row("rate limited", str(server.rate_limited))
    stream = server.stream.stats
    for label, count in (
        ("stream connections", stream.connections),
        ("stream pushes", stream.pushes),
        ("stream acknowledged", stream.acked),
        ("stream redeliveries", stream.redeliveries),
    ):
        if count:
            table.add_row(label, str(count))
    injected: dict[Fault, int] = {}
    for traffic in server.traffic.values():
        for fault, count in traffic.faults.injected.items():
            injected[fault] = injected.get(fault, 0) + count
    for fault, count in sorted(injected.items(), key=lambda item: item[0].value):
        table.add_row(f"fault {fault.value}", str(count))
    console.print(table)

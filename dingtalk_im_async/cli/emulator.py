"""`dingtalk-im emulator`: run the DingTalk emulator as a standalone local server."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ..emulator import DingTalkEmulator, Fault, Latency
from ..emulator.admin import ADMIN_PREFIX
from ..emulator.emulator import DEFAULT_APP_KEY, DEFAULT_APP_SECRET
from ..emulator.state import load_state, save_state
from ..emulator.stream_gateway import ADMIN_MESSAGES_PATH
from ._signals import Signals, exiting_on_signals

__all__ = ["emulator"]

_RATE_FAULTS = [fault for fault in Fault if fault is not Fault.CANNED_REPLY]


def _parse_faults(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[Fault, float]:
    """`NAME=RATE` pairs, e.g. `system-error=0.1` or `html-page=1%`."""
    rates: dict[Fault, float] = {}
    names = {fault.value: fault for fault in _RATE_FAULTS}
    for value in values:
        name, sep, raw_rate = value.partition("=")
        fault = names.get(name.strip().lower().replace("_", "-").replace(".", "-"))
        if not sep or fault is None:
            raise click.BadParameter(
                f"expected NAME=RATE with NAME one of {', '.join(names)}, got {value!r}"
            )
        try:
            rate = float(raw_rate.rstrip("%")) / (100 if raw_rate.endswith("%") else 1)
        except ValueError:
            raise click.BadParameter(f"rate of {name} is not a number: {raw_rate!r}") from None
        if not 0 <= rate <= 1:
            raise click.BadParameter(f"rate of {name} must be between 0 and 1, got {raw_rate}")
        rates[fault] = rate
    if sum(rates.values()) > 1:
        raise click.BadParameter("fault rates add up to more than 1")
    return rates


def _parse_api_limits(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, int]:
    """`API=N` pairs, e.g. `im.group.create=20`."""
    limits: dict[str, int] = {}
    for value in values:
        api, sep, raw = value.partition("=")
        if not sep or not raw.strip().isdigit() or int(raw) < 1:
            raise click.BadParameter(f"expected API=N with N a positive integer, got {value!r}")
        limits[api.strip()] = int(raw)
    return limits


def _parse_latency(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> Latency | None:
    """`SECONDS` or `LOW:HIGH`."""
    if value is None:
        return None
    low, _, high = value.partition(":")
    try:
        return Latency(low=float(low), high=float(high) if high else None)
    except ValueError as error:
        raise click.BadParameter(f"expected SECONDS or LOW:HIGH ({error})") from None


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option("--app-key", default=DEFAULT_APP_KEY, show_default=True)
@click.option("--app-secret", default=DEFAULT_APP_SECRET, show_default=True)
@click.option(
    "--token-lifetime",
    type=click.FloatRange(min=0, min_open=True),
    default=7200,
    show_default=True,
    help="expireIn of issued tokens, in seconds.",
)
@click.option(
    "--qps-limit",
    type=click.IntRange(min=1),
    help="Calls per second to each API before 403 QpsLimitForAppkeyAndApi (default: no limit).",
)
@click.option(
    "--api-qps-limit",
    "api_qps_limits",
    multiple=True,
    metavar="API=N",
    callback=_parse_api_limits,
    help="Calls per second to one API, e.g. im.group.create=20 (repeat; overrides --qps-limit).",
)
@click.option(
    "--robot",
    "robot_code",
    metavar="ROBOT_CODE",
    help="The app's robot code (default: the app key), installed in new groups.",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Start with the groups saved in this JSON file and save them there on exit.",
)
@click.option("--whitelisted", is_flag=True, help="Allow normal groups (conversationTag 0).")
@click.option(
    "--no-group-permission",
    is_flag=True,
    help="Answer creates with 403 AccessTokenPermissionDenied.",
)
@click.option(
    "--visible-user",
    "visible_users",
    multiple=True,
    metavar="USERID",
    help="A user the app may make owner (repeat; default: everyone).",
)
@click.option(
    "--fault",
    "fault_rates",
    multiple=True,
    metavar="NAME=RATE",
    callback=_parse_faults,
    help="Inject a fault on this share of create calls, e.g. system-error=0.1 or "
    f"html-page=1% (repeat). Names: {', '.join(f.value for f in _RATE_FAULTS)}.",
)
@click.option("--seed", type=int, help="Seed for the fault draws, for reproducible runs.")
@click.option(
    "--latency",
    metavar="SECONDS[:MAX]",
    callback=_parse_latency,
    help="Delay of 'slow' faults: fixed, or uniform between two values.",
)
@click.option(
    "--revoke-tokens-every",
    type=click.IntRange(min=1),
    metavar="N",
    help="Revoke the app's tokens on every N-th create call.",
)
def emulator(
    host: str,
    port: int,
    app_key: str,
    app_secret: str,
    token_lifetime: float,
    qps_limit: int | None,
    api_qps_limits: dict[str, int],
    robot_code: str | None,
    state_file: Path | None,
    whitelisted: bool,
    no_group_permission: bool,
    visible_users: tuple[str, ...],
    fault_rates: dict[Fault, float],
    seed: int | None,
    latency: Latency | None,
    revoke_tokens_every: int | None,
) -> None:
    """Run the DingTalk emulator until Ctrl-C or SIGTERM.

    It serves DingTalk's token and group endpoints for local testing and
    prints its base URLs and the app key and secret it accepts. These are the
    emulator's own made-up test credentials, printed on purpose; never pass real
    ones. Its dashboard (the root URL) and admin API (/_emulator/) show and
    steer it while it runs; counts are printed when it stops.
    """
    try:
        server = DingTalkEmulator(
            app_key=app_key,
            app_secret=app_secret,
            visible_users=visible_users or None,
            whitelisted=whitelisted,
            has_group_permission=not no_group_permission,
            token_lifetime=token_lifetime,
            qps_limit=qps_limit,
            qps_limits=api_qps_limits,
            robot_code=robot_code,
            host=host,
            port=port,
            record_groups=False,
        )
        loaded = load_state(server.store, state_file) if state_file is not None else 0
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if loaded:
        click.echo(f"Loaded {loaded} groups from {state_file}")
    server.faults.set_rates(fault_rates, seed=seed, latency=latency)
    if revoke_tokens_every is not None:
        server.faults.every(Fault.TOKEN_REVOKED, revoke_tokens_every)
    try:
        with exiting_on_signals("the emulator stopped") as signals:
            asyncio.run(_serve(server, Console(highlight=False, soft_wrap=True), signals))
    finally:  # stopped by a signal too: the groups are saved before the exit status is set
        if state_file is not None:
            saved = save_state(server.store, state_file)
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
    console.print(f"export DINGTALK_APP_SECRET={server.app_secret}", markup=False)
    console.print(f"Dashboard: {server.base_url}/", markup=False)
    console.print(
        f"Admin API: {server.base_url}{ADMIN_PREFIX}/ (tests: --dingtalk-emulator-url "
        f"{server.base_url})",
        markup=False,
    )
    if server.faults.rates:
        rates = ", ".join(f"{f.value}={r:g}" for f, r in server.faults.rates.items())
        console.print(f"Fault rates: {rates}", markup=False)
    for fault, period in server.faults.periods.items():
        console.print(f"Fault {fault.value} on every {period}th create call", markup=False)
    console.print(
        f"Stream mode: `dingtalk-im listen`; push a bot message with POST "
        f'{server.base_url}{ADMIN_MESSAGES_PATH} {{"text": "hello"}}',
        markup=False,
    )
    console.print("Press Ctrl-C to stop.")


def _print_summary(server: DingTalkEmulator, console: Console) -> None:
    table = Table(title="DingTalk emulator stopped", show_header=False)
    table.add_row("token fetches", str(server.token_fetches))
    table.add_row("create calls", str(server.create_calls))
    table.add_row("groups created", str(server.groups_created))
    table.add_row("rate limited", str(server.rate_limited))
    for fault, count in sorted(server.faults.injected.items(), key=lambda item: item[0].value):
        table.add_row(f"fault {fault.value}", str(count))
    console.print(table)

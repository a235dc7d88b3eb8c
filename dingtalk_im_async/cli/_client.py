"""How every command connects: credentials from flags or the environment, the client's settings
from their declarations (`ClientSettings`), or an in-process emulator (`--emulator`); one
`DingTalkClient` either way. Secrets are passed on, never printed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, MutableMapping
from typing import Any, TypeVar

import attrs
import click
from attrs import define, field
from yarl import URL

from .._core.hosts import resolve_base_url, resolve_oapi_base_url
from ..client import DingTalkClient
from ..emulator import DingTalkEmulator
from ..fleet import RedisPacer
from ..fleet_budget import RedisBudget
from ..settings import ClientSettings
from ._options import setting_options, settings_from

__all__ = [
    "IN_PROCESS",
    "Connection",
    "Target",
    "connect",
    "connection_options",
    "describe_target",
    "target_from",
    "target_record",
]

#: The emulator behind `--emulator` enforces DingTalk's standard-edition rate, so pacing shows.
EMULATOR_QPS = 20

_F = TypeVar("_F", bound=Callable[..., Any])

NO_CREDENTIALS = (
    "no DingTalk credentials: set DINGTALK_APP_KEY and DINGTALK_APP_SECRET "
    "(or pass --app-key and --app-secret), or add --emulator to try it against "
    "the built-in emulator"
)
#: The settings every command takes as options (bulk adds `rate_limit`).
CONNECTION_SETTINGS = ("base_url", "oapi_base_url", "timeout", "connect_timeout", "allow_http")


def connection_options(command: _F) -> _F:
    """The options of every command that calls DingTalk: the credentials, `--emulator`, and
    the connection's settings (`--base-url`, `--oapi-base-url`, `--timeout`,
    `--connect-timeout`, `--allow-http`)."""
    command = setting_options(ClientSettings, *CONNECTION_SETTINGS)(command)
    options = [
        click.option(
            "--app-key", envvar="DINGTALK_APP_KEY", show_envvar=True, help="The app's AppKey."
        ),
        click.option(
            "--app-secret",
            envvar="DINGTALK_APP_SECRET",
            show_envvar=True,
            help="The app's AppSecret (prefer the environment variable: flags show in `ps`).",
        ),
        click.option(
            "--emulator",
            is_flag=True,
            help=f"Run against a new, empty in-process emulator (enforcing {EMULATOR_QPS} "
            "calls/s): it holds no group but those this command makes, so ids from "
            "elsewhere are unknown there (for a lasting one, run `dingtalk-im emulator`); "
            "no credentials needed, nothing real is created.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@define(frozen=True, kw_only=True)
class Target:
    """Where a command's calls go, checked before any I/O: credentials and settings, or the
    in-process emulator (whose own credentials and hosts then replace them)."""

    emulator: bool
    app_key: str = ""
    app_secret: str = field(default="", repr=False)
    settings: ClientSettings = field(factory=ClientSettings)


#: `target_record` of `--emulator`: every run gets a new in-process emulator, one target.
IN_PROCESS = {"emulator": "in-process"}


def target_record(target: Target) -> dict[str, str]:
    """Where the calls go, as a results file records it: the API hosts (resolved: flag,
    environment or default) and the app key, never the secret; `IN_PROCESS` for
    `--emulator`. An emulator server differs from DingTalk and from another by its URL."""
    if target.emulator:
        return dict(IN_PROCESS)
    settings = target.settings
    return {
        "baseUrl": resolve_base_url(settings.base_url, allow_http=True),
        "oapiBaseUrl": resolve_oapi_base_url(settings.oapi_base_url, allow_http=True),
        "appKey": target.app_key,
    }


def describe_target(record: Mapping[str, object]) -> str:
    """A `target_record` in words, for messages."""
    if record.get("emulator") == IN_PROCESS["emulator"]:
        return "the in-process emulator (--emulator)"
    return (
        f"{record.get('baseUrl')} and {record.get('oapiBaseUrl')} "
        f"with app key {record.get('appKey')}"
    )


def target_from(given: MutableMapping[str, Any]) -> Target:
    """The target the connection options in `given` describe (taken out of it); a usage
    error (exit 2) says what is missing or wrong."""
    app_key, app_secret = given.pop("app_key"), given.pop("app_secret")
    emulator = given.pop("emulator")
    settings = settings_from(ClientSettings, given)
    if emulator:
        return Target(emulator=True, settings=settings)
    if not app_key or not app_secret:
        raise click.UsageError(NO_CREDENTIALS)
    _check_url(resolve_base_url, settings.base_url, "--base-url / DINGTALK_BASE_URL", settings)
    _check_url(
        resolve_oapi_base_url,
        settings.oapi_base_url,
        "--oapi-base-url / DINGTALK_OAPI_BASE_URL",
        settings,
    )
    return Target(emulator=False, app_key=app_key, app_secret=app_secret, settings=settings)


def _check_url(
    resolve: Callable[..., str], given: str | None, hint: str, settings: ClientSettings
) -> None:
    """A URL the client would refuse, as a usage error in the command's terms."""
    try:
        url = resolve(given, allow_http=True)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=hint) from None
    try:
        resolve(given, allow_http=settings.allow_http)
    except ValueError:
        raise click.BadParameter(
            f"refusing plain http to {URL(url).host}: the access token would travel "
            "unencrypted; use https, or add --allow-http to send it anyway",
            param_hint=hint,
        ) from None


@define(frozen=True, kw_only=True)
class Connection:
    """A connected client, the app it acts for and the emulator it talks to, if any."""

    client: DingTalkClient
    app_key: str
    app_secret: str = field(repr=False)
    base_url: str
    emulator: DingTalkEmulator | None


@contextlib.asynccontextmanager
async def connect(
    target: Target, *, robot_code: str | None = None, redis_url: str | None = None
) -> AsyncIterator[Connection]:
    """Open the client (and the emulator, for `--emulator`); close both on exit.

    `robot_code` None: the app's own robot (the app key). `redis_url`: pace at
    the settings' `rate_limit` through a `RedisPacer` every worker shares, and
    count the settings' `call_budget` through a `RedisBudget` they share.
    """
    async with contextlib.AsyncExitStack() as stack:
        emulator = None
        app_key, app_secret, settings = target.app_key, target.app_secret, target.settings
        if target.emulator:
            emulator = await stack.enter_async_context(DingTalkEmulator(qps_limit=EMULATOR_QPS))
            app_key, app_secret = emulator.app_key, emulator.app_secret
            settings = attrs.evolve(
                settings, base_url=emulator.base_url, oapi_base_url=emulator.oapi_base_url
            )
        pacer = None
        if redis_url and settings.rate_limit is not None:
            pacer = await stack.enter_async_context(
                RedisPacer.from_url(redis_url, rate=settings.rate_limit, app_key=app_key)
            )
        budget = None
        if redis_url and settings.call_budget is not None:
            budget = await stack.enter_async_context(
                RedisBudget.from_url(redis_url, limit=settings.call_budget)
            )
        client = await stack.enter_async_context(
            DingTalkClient(
                app_key=app_key,
                app_secret=app_secret,
                settings=attrs.evolve(settings, robot_code=robot_code),
                pacer=pacer,
                budget=budget,
            )
        )
        yield Connection(
            client=client,
            app_key=app_key,
            app_secret=app_secret,
            base_url=client.groups.base_url,
            emulator=emulator,
        )

"""Where the commands connect: credentials and base URL from flags or the environment, or
an in-process emulator (`--emulator`). Secrets are passed on, never printed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import click
from attrs import define
from yarl import URL

from .._hosts import OAPI_BASE_URL_ENV, resolve_base_url, resolve_oapi_base_url
from ..client import DingTalkClient
from ..emulator import DingTalkEmulator
from ..groups import GroupService
from ..robot import RobotService
from ..tokens import AppTokenProvider

__all__ = ["Connection", "Target", "checked_url", "client_options", "connect", "target_from"]

#: The emulator behind `--emulator` enforces DingTalk's standard-edition rate, so pacing shows.
EMULATOR_QPS = 20

_F = TypeVar("_F", bound=Callable[..., Any])

NO_CREDENTIALS = (
    "no DingTalk credentials: set DINGTALK_APP_KEY and DINGTALK_APP_SECRET "
    "(or pass --app-key and --app-secret), or add --emulator to try it against "
    "the built-in emulator"
)


def client_options(command: _F) -> _F:
    """The options every command that calls DingTalk shares."""
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
            "--base-url",
            envvar="DINGTALK_BASE_URL",
            show_envvar=True,
            help="API host, default https://api.dingtalk.io.",
        ),
        click.option(
            "--allow-http",
            is_flag=True,
            help="Allow a plain http:// base URL to a host that is not this machine "
            "(the access token then travels unencrypted).",
        ),
        click.option(
            "--emulator",
            is_flag=True,
            help=f"Run against an in-process emulator (enforcing {EMULATOR_QPS} calls/s); "
            "no credentials needed, nothing real is created.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@define(frozen=True, kw_only=True)
class Target:
    """Checked connection settings, ready before any I/O."""

    emulator: bool
    app_key: str = ""
    app_secret: str = ""
    base_url: str | None = None
    allow_http: bool = False

    def __repr__(self) -> str:
        return f"Target(emulator={self.emulator!r}, app_key={self.app_key!r})"


def target_from(
    *,
    app_key: str | None,
    app_secret: str | None,
    base_url: str | None,
    emulator: bool,
    allow_http: bool = False,
) -> Target:
    """Check the settings; a usage error (exit 2) says what is missing."""
    if emulator:
        return Target(emulator=True)
    if not app_key or not app_secret:
        raise click.UsageError(NO_CREDENTIALS)
    url = checked_url(resolve_base_url, base_url, "--base-url / DINGTALK_BASE_URL", allow_http)
    checked_url(resolve_oapi_base_url, None, OAPI_BASE_URL_ENV, allow_http)
    return Target(
        emulator=False,
        app_key=app_key,
        app_secret=app_secret,
        base_url=url,
        allow_http=allow_http,
    )


def checked_url(resolve: Callable[..., str], given: str | None, hint: str, allow_http: bool) -> str:
    """The resolved URL, or a usage error in the command's terms (its flags, not Python's)."""
    try:
        url = resolve(given, allow_http=True)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=hint) from None
    try:
        return resolve(given, allow_http=allow_http)
    except ValueError:
        raise click.BadParameter(
            f"refusing plain http to {URL(url).host}: the access token would travel "
            "unencrypted; use https, or add --allow-http to send it anyway",
            param_hint=hint,
        ) from None


@define(frozen=True, kw_only=True)
class Connection:
    """A ready `GroupService` and `RobotService`, their token provider, and the app key
    they act for."""

    groups: GroupService
    robot: RobotService
    tokens: AppTokenProvider
    app_key: str
    emulator: DingTalkEmulator | None


@contextlib.asynccontextmanager
async def connect(target: Target, *, robot_code: str | None = None) -> AsyncIterator[Connection]:
    """Open a client (and the emulator, for `--emulator`); close both on exit. `robot_code`
    None: the app's own robot (the app key)."""
    async with contextlib.AsyncExitStack() as stack:
        emulator = None
        app_key, app_secret, base_url = target.app_key, target.app_secret, target.base_url
        if target.emulator:
            emulator = await stack.enter_async_context(DingTalkEmulator(qps_limit=EMULATOR_QPS))
            app_key, app_secret, base_url = emulator.app_key, emulator.app_secret, emulator.base_url
        client = await stack.enter_async_context(
            DingTalkClient(
                app_key=app_key,
                app_secret=app_secret,
                base_url=base_url,
                robot_code=robot_code,
                allow_http=target.allow_http,
            )
        )
        yield Connection(
            groups=client.groups,
            robot=client.robot,
            tokens=client.tokens,
            app_key=app_key,
            emulator=emulator,
        )

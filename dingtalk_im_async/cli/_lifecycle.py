"""What the `dingtalk-im group` commands share: their options beyond the credentials, a
client that reaches both hosts (the legacy oapi one too), and how a result or a failure
is printed. Secrets are passed on, never printed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import attrs
import click

from .._hosts import resolve_oapi_base_url
from .._wire import to_wire
from ..client import DingTalkClient
from ..emulator import DingTalkEmulator
from ..errors import DingTalkError, Verdict
from ..groups import GroupService
from ._client import EMULATOR_QPS, Target, checked_url, client_options, target_from
from ._signals import exiting_on_signals

__all__ = ["group_options", "print_fields", "run_on_groups"]

_F = TypeVar("_F", bound=Callable[..., Any])
T = TypeVar("T")

#: What a failure's verdict means for the group, in one line after `failed: ...`.
VERDICT_LINES = {
    Verdict.NOT_SENT: "verdict: not sent (nothing reached DingTalk; run it again)",
    Verdict.REJECTED: "verdict: rejected (DingTalk refused it; nothing was changed)",
    Verdict.UNKNOWN: "verdict: unknown (it may have been applied; running it again is safe)",
}


def group_options(command: _F) -> _F:
    """The credentials and `--emulator` (as every command has), `--oapi-base-url`,
    `--timeout` and `--json`."""
    command = click.option("--json", "as_json", is_flag=True, help="Print the reply as JSON.")(
        command
    )
    command = click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=10.0,
        show_default=True,
        help="Seconds to wait for each HTTP reply.",
    )(command)
    command = click.option(
        "--oapi-base-url",
        envvar="DINGTALK_OAPI_BASE_URL",
        show_envvar=True,
        help="Legacy API host (group info reads from it), default https://oapi.dingtalk.io.",
    )(command)
    return client_options(command)


@attrs.define(frozen=True, kw_only=True)
class _Settings:
    target: Target
    oapi_base_url: str | None
    timeout: float


def _settings(connection: dict[str, Any]) -> _Settings:
    """The checked settings from the shared options (left in `connection`) and ours."""
    oapi_base_url = connection.pop("oapi_base_url")
    timeout = float(connection.pop("timeout"))
    target = target_from(**connection)
    if oapi_base_url is not None and not target.emulator:
        checked_url(
            resolve_oapi_base_url,
            oapi_base_url,
            "--oapi-base-url / DINGTALK_OAPI_BASE_URL",
            target.allow_http,
        )
    return _Settings(target=target, oapi_base_url=oapi_base_url, timeout=timeout)


@contextlib.asynccontextmanager
async def _groups_for(settings: _Settings) -> AsyncIterator[GroupService]:
    """A client on both hosts (an in-process emulator's, with `--emulator`), closed on exit."""
    target = settings.target
    async with contextlib.AsyncExitStack() as stack:
        app_key, app_secret = target.app_key, target.app_secret
        base_url, oapi_base_url = target.base_url, settings.oapi_base_url
        if target.emulator:
            emulator = await stack.enter_async_context(DingTalkEmulator(qps_limit=EMULATOR_QPS))
            app_key, app_secret = emulator.app_key, emulator.app_secret
            base_url, oapi_base_url = emulator.base_url, emulator.oapi_base_url
        client = await stack.enter_async_context(
            DingTalkClient(
                app_key=app_key,
                app_secret=app_secret,
                base_url=base_url,
                oapi_base_url=oapi_base_url,
                timeout=settings.timeout,
                allow_http=target.allow_http,  # the CLI's --allow-http
            )
        )
        yield client.groups


def run_on_groups(connection: dict[str, Any], call: Callable[[GroupService], Awaitable[T]]) -> T:
    """Run `call` on a connected `GroupService`; a failure prints its verdict, exit 1."""
    settings = _settings(connection)

    async def run() -> T:
        async with _groups_for(settings) as groups:
            return await call(groups)

    with exiting_on_signals("the change may or may not have been applied") as signals:
        try:
            result = asyncio.run(run())
        except DingTalkError as error:
            click.echo(f"failed: {error}", err=True)
            click.echo(VERDICT_LINES[error.verdict], err=True)
            sys.exit(signals.exit_code or 1)
    if signals.exit_code:
        sys.exit(signals.exit_code)
    return result


def print_fields(result: object, *, as_json: bool) -> None:
    """A result's wire fields: one JSON object, or aligned `key  value` lines."""
    fields = to_wire(result)
    if as_json:
        click.echo(json.dumps(fields, ensure_ascii=False))
        return
    width = max(len(key) for key in fields)
    for key, value in fields.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        click.echo(f"{key.ljust(width)}  {shown}")

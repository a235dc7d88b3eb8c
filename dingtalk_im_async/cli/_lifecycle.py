"""What the `dingtalk-im group` commands share: `--json`, running one call on the groups
service, and how a result or a failure is printed. Secrets are passed on, never printed."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from .._core.wire import to_wire
from ..client import DingTalkClient
from ..errors import DingTalkError, Verdict
from ..groups import GroupService
from ._client import connect, connection_options, target_from
from ._shown import error_text
from ._signals import exiting_on_signals

__all__ = ["group_options", "print_fields", "run_on_client", "run_on_groups"]

_F = TypeVar("_F", bound=Callable[..., Any])
T = TypeVar("T")

#: What a failure's verdict means for the group, in one line after `failed: ...`.
VERDICT_LINES = {
    Verdict.NOT_SENT: "verdict: not sent (nothing reached DingTalk; run it again)",
    Verdict.REJECTED: "verdict: rejected (DingTalk refused it; nothing was changed)",
    Verdict.UNKNOWN: "verdict: unknown (it may have been applied; running it again is safe)",
}


def group_options(command: _F) -> _F:
    """The connection options (as every command has) and `--json`."""
    command = click.option("--json", "as_json", is_flag=True, help="Print the reply as JSON.")(
        command
    )
    return connection_options(command)


def run_on_groups(given: dict[str, Any], call: Callable[[GroupService], Awaitable[T]]) -> T:
    """Run `call` on a connected `GroupService`; a failure prints its verdict, exit 1."""
    return run_on_client(given, lambda client: call(client.groups))


def run_on_client(given: dict[str, Any], call: Callable[[DingTalkClient], Awaitable[T]]) -> T:
    """Run `call` on a connected `DingTalkClient`; a failure prints its verdict, exit 1."""
    target = target_from(given)

    async def run() -> T:
        async with connect(target) as connection:
            return await call(connection.client)

    with exiting_on_signals("the change may or may not have been applied") as signals:
        try:
            result = asyncio.run(run())
        except DingTalkError as error:
            click.echo(f"failed: {error_text(error)}", err=True)
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

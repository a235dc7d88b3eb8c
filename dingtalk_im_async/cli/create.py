"""`dingtalk-im create-group`: one group, every request field as an option."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .._core.wire import to_wire
from ..errors import DingTalkError, RequestValidationError
from ..groups.models import CreateGroupRequest, CreateGroupResult, ManagementOptions
from ._client import Target, connect, connection_options, target_from
from ._shown import error_text
from ._signals import exiting_on_signals

__all__ = ["create_group"]

_F = TypeVar("_F", bound=Callable[..., Any])

#: The six `managementOptions` fields: option name, Python name, what 0 and 1 mean.
MANAGEMENT_OPTIONS = (
    ("--mention-all-authority", "mention_all_authority", "who may @all: 0 everyone, 1 owner only"),
    ("--show-history-type", "show_history_type", "new members see history: 0 no, 1 yes"),
    ("--validation-type", "validation_type", "joining needs approval: 0 no, 1 yes"),
    ("--searchable", "searchable", "group can be found by search: 0 no, 1 yes"),
    ("--chat-banned-type", "chat_banned_type", "everyone muted: 0 no, 1 yes"),
    ("--management-type", "management_type", "who may manage: 0 everyone, 1 owner only"),
)


def _management_options(command: _F) -> _F:
    for flag, name, meaning in reversed(MANAGEMENT_OPTIONS):
        command = click.option(flag, name, type=click.IntRange(0, 1), help=meaning)(command)
    return command


def management_options(given: dict[str, Any]) -> dict[str, int]:
    """The management options set in `given` (taken out of it), by Python name."""
    options = {name: given.pop(name) for _flag, name, _meaning in MANAGEMENT_OPTIONS}
    return {name: value for name, value in options.items() if value is not None}


@click.command("create-group")
@click.option("--name", required=True, help="Group name, 1 to 20 characters.")
@click.option("--owner", required=True, help="userId of the group owner.")
@click.option("--owner-type", type=click.Choice(["emp", "ext"]), help="emp employee, ext external.")
@click.option(
    "--user", "users", multiple=True, required=True, help="userId of a member (repeatable)."
)
@click.option(
    "--conversation-tag",
    type=click.Choice(["0", "2"]),
    help="2 internal group (default), 0 normal group (needs DingTalk's whitelist).",
)
@click.option("--ext-user", "ext_users", multiple=True, help="External contact id (repeatable).")
@click.option("--icon", help="mediaId of the group avatar.")
@_management_options
@click.option("--json", "as_json", is_flag=True, help="Print the reply as JSON.")
@connection_options
def create_group(
    *,
    name: str,
    owner: str,
    owner_type: str | None,
    users: tuple[str, ...],
    conversation_tag: str | None,
    ext_users: tuple[str, ...],
    icon: str | None,
    as_json: bool,
    **given: Any,
) -> None:
    """Create one group (POST /v1.0/im/group/create) and print its ids."""
    chosen = management_options(given)
    target = target_from(given)
    try:
        request = CreateGroupRequest(
            name=name,
            owner=owner,
            owner_type=owner_type,
            useridlist=users,
            conversation_tag=None if conversation_tag is None else int(conversation_tag),
            extidlist=ext_users or None,
            icon=icon,
            management_options=ManagementOptions(**chosen) if chosen else None,
        )
    except RequestValidationError as error:
        raise click.UsageError(f"invalid request: {error}") from None
    with exiting_on_signals("the group may or may not have been created") as signals:
        try:
            result = asyncio.run(_create(target, request))
        except DingTalkError as error:
            click.echo(f"failed: {error_text(error)}", err=True)
            sys.exit(signals.exit_code or 1)
        _print_result(result, as_json=as_json)
    if signals.exit_code:
        sys.exit(signals.exit_code)


async def _create(target: Target, request: CreateGroupRequest) -> CreateGroupResult:
    async with connect(target) as connection:
        return await connection.client.groups.create(request)


def _print_result(result: CreateGroupResult, *, as_json: bool) -> None:
    fields = to_wire(result)
    if as_json:
        click.echo(json.dumps(fields, ensure_ascii=False))
        return
    width = max(len(key) for key in fields)
    for key, value in fields.items():
        click.echo(f"{key.ljust(width)}  {value}")

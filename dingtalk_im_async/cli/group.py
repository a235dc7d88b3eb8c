"""`dingtalk-im group ...`: a group's life after `create-group`, one subcommand per call.

`update`, `info` and `nick` take the chatid; `add-admins` and `remove-admins` the
openConversationId; `convert-id` turns a chatid into an openConversationId
(there is no way back: keep both ids from create-group).
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import RequestValidationError
from ..groups.models import (
    AdminRole,
    ManagementOptions,
    OpenConversationIdResult,
    UpdateAdminsRequest,
    UpdateGroupNickRequest,
    UpdateGroupRequest,
)
from ._lifecycle import group_options, print_fields, run_on_groups
from .create import _management_options, management_options

__all__ = ["group"]


@click.group("group")
def group() -> None:
    """Change, read back and convert the ids of a group made with create-group.

    update, info and nick take the chatid; add-admins and remove-admins the
    openConversationId; convert-id turns a chatid into an openConversationId
    (only that way: keep both ids from create-group).
    """


def _built(build: type[Any], **fields: Any) -> Any:
    """The request, or a usage error (exit 2) naming the rule it breaks, before any I/O."""
    try:
        return build(**fields)
    except RequestValidationError as error:
        raise click.UsageError(f"invalid request: {error}") from None


@group.command("update")
@click.argument("chatid")
@click.option("--name", help="New name, 1 to 20 characters.")
@click.option("--owner", help="userId of the new owner (already a member).")
@click.option("--owner-type", type=click.Choice(["emp", "ext"]), help="emp employee, ext external.")
@click.option("--add-user", "add_users", multiple=True, help="userId to add (repeatable).")
@click.option("--remove-user", "remove_users", multiple=True, help="userId to remove (repeatable).")
@click.option("--add-ext-user", "add_ext", multiple=True, help="External contact to add.")
@click.option("--remove-ext-user", "remove_ext", multiple=True, help="External contact to remove.")
@click.option("--icon", help="mediaId of the new group avatar.")
@_management_options
@group_options
def update(
    *,
    chatid: str,
    name: str | None,
    owner: str | None,
    owner_type: str | None,
    add_users: tuple[str, ...],
    remove_users: tuple[str, ...],
    add_ext: tuple[str, ...],
    remove_ext: tuple[str, ...],
    icon: str | None,
    as_json: bool,
    **given: Any,
) -> None:
    """Change the group CHATID (POST /v1.0/im/group/update): only what you pass is sent,
    so a rename never resets the group's settings."""
    chosen = management_options(given)
    request = _built(
        UpdateGroupRequest,
        chatid=chatid,
        name=name,
        owner=owner,
        owner_type=owner_type,
        add_useridlist=add_users or None,
        del_useridlist=remove_users or None,
        add_extidlist=add_ext or None,
        del_extidlist=remove_ext or None,
        icon=icon,
        management_options=ManagementOptions(**chosen) if chosen else None,
    )
    result = run_on_groups(given, lambda groups: groups.update(request))
    if as_json:
        print_fields(result, as_json=True)
    else:
        click.echo(f"updated {chatid}")


@group.command("info")
@click.argument("chatid")
@group_options
def info(*, chatid: str, as_json: bool, **given: Any) -> None:
    """Read the group CHATID back (the legacy GET {oapi}/chat/get): name, owner,
    members (useridlist), settings and status (1 normal, 2 disbanded)."""
    found = run_on_groups(given, lambda groups: groups.get(chatid))
    print_fields(found, as_json=as_json)


@group.command("convert-id")
@click.argument("chatid")
@group_options
def convert_id(*, chatid: str, as_json: bool, **given: Any) -> None:
    """Print the openConversationId of the group CHATID (the only conversion there is)."""
    cid = run_on_groups(given, lambda groups: groups.open_conversation_id(chatid))
    if as_json:
        print_fields(OpenConversationIdResult(open_conversation_id=cid), as_json=True)
    else:
        click.echo(cid)


@group.command("nick")
@click.argument("chatid")
@click.option("--user", "userid", required=True, help="userId of the member.")
@click.option("--nick", "group_nick", required=True, help="The member's nickname in the group.")
@group_options
def nick(*, chatid: str, userid: str, group_nick: str, as_json: bool, **given: Any) -> None:
    """Set the member --user's nickname in the group CHATID (the legacy POST
    {oapi}/topapi/chat/updategroupnick)."""
    request = _built(UpdateGroupNickRequest, chatid=chatid, userid=userid, group_nick=group_nick)
    result = run_on_groups(given, lambda groups: groups.update_nick(request))
    if as_json:
        print_fields(result, as_json=True)
    else:
        click.echo(f"{userid} is {group_nick!r} in {chatid}")


def _admins_command(name: str, role: AdminRole, summary: str) -> click.Command:
    @group.command(name, help=summary)
    @click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
    @click.option(
        "--user", "users", multiple=True, required=True, help="userId of a member (repeatable)."
    )
    @group_options
    def command(
        *, open_conversation_id: str, users: tuple[str, ...], as_json: bool, **given: Any
    ) -> None:
        request = _built(
            UpdateAdminsRequest,
            open_conversation_id=open_conversation_id,
            user_ids=users,
            role=role,
        )
        result = run_on_groups(given, lambda groups: groups.update_admins(request))
        if as_json:
            print_fields(result, as_json=True)
        else:
            done = "now admins" if role is AdminRole.ADMIN else "no longer admins"
            click.echo(f"{', '.join(users)}: {done} of {open_conversation_id}")

    return command


add_admins = _admins_command(
    "add-admins",
    AdminRole.ADMIN,
    "Make the --user members admins of the group OPEN_CONVERSATION_ID "
    "(POST /v1.0/im/subAdministrators, role 2).",
)
remove_admins = _admins_command(
    "remove-admins",
    AdminRole.MEMBER,
    "Make the admins --user plain members of the group OPEN_CONVERSATION_ID again "
    "(role 3); they stay in the group.",
)

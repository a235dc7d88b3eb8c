"""`dingtalk-im scene-group ...`: scene groups (groups made from a group template), one
subcommand per call, each naming the group by its openConversationId.

`create` always sends a dedup key (`--uuid`, or one it makes up and prints), so a
create whose outcome is unknown can be run again with the same `--uuid` without
making a second group. The member-side subcommands are in `_scene_group_people`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import attrs
import click

from .._core.dedup import new_run_id
from .._core.wire import to_wire
from ..client import DingTalkClient
from ..errors import RequestValidationError
from ..scenegroups.models import (
    CreateSceneGroupRequest,
    SceneGroupMembersPage,
    SceneGroupMembersRequest,
    SceneGroupOptions,
    UpdateSceneGroupRequest,
)
from ._lifecycle import group_options, print_fields, run_on_client

__all__ = ["built", "scene_group"]

#: The settings `--set` may name: `SceneGroupOptions`' fields.
SETTINGS = tuple(field.name for field in attrs.fields(SceneGroupOptions))


@click.group("scene-group")
def scene_group() -> None:
    """Scene groups (场景群): groups made from a group template, the group API a
    third-party app may call. Every subcommand but create takes the group's
    openConversationId. mute, mute-settings and disband are for internal apps only.
    """


def built(build: type[Any], **fields: Any) -> Any:
    """The request, or a usage error (exit 2) naming the rule it breaks, before any I/O."""
    try:
        return build(**fields)
    except RequestValidationError as error:
        raise click.UsageError(f"invalid request: {error}") from None


def _settings(pairs: Iterable[str]) -> SceneGroupOptions | None:
    """`--set NAME=0|1` pairs as `SceneGroupOptions` (None when there are none)."""
    chosen: dict[str, int] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in SETTINGS or value not in ("0", "1"):
            raise click.BadParameter(
                f"{pair!r}: expected NAME=0 or NAME=1, NAME one of {', '.join(SETTINGS)}",
                param_hint="--set",
            )
        chosen[name] = int(value)
    return built(SceneGroupOptions, **chosen) if chosen else None


_set_option = click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=0|1",
    help="A setting of management_options, e.g. chat_banned_type=1 (repeatable).",
)


@scene_group.command("create")
@click.option("--title", required=True, help="Group name, 1 to 30 characters.")
@click.option("--template", "template_id", required=True, help="The group template's id.")
@click.option("--owner", required=True, help="userId of the owner.")
@click.option("--user", "users", multiple=True, help="userId of a member (repeatable).")
@click.option("--admin", "admins", multiple=True, help="userId of an admin (repeatable).")
@click.option(
    "--uuid",
    help="The dedup key: a create with the same uuid makes no second group. Default: a "
    "new one, printed, to run the command again with if its outcome is unknown.",
)
@click.option("--icon", help="mediaId of the group avatar.")
@_set_option
@group_options
def create(
    *,
    title: str,
    template_id: str,
    owner: str,
    users: tuple[str, ...],
    admins: tuple[str, ...],
    uuid: str | None,
    icon: str | None,
    settings: tuple[str, ...],
    as_json: bool,
    **given: Any,
) -> None:
    """Create a group from a template (POST /v1.0/im/sceneGroup/create)."""
    request = built(
        CreateSceneGroupRequest,
        title=title,
        template_id=template_id,
        owner_user_id=owner,
        user_ids=users or None,
        subadmin_ids=admins or None,
        uuid=uuid if uuid is not None else new_run_id(),
        icon=icon,
        management_options=_settings(settings),
    )
    if not as_json:
        click.echo(f"uuid {request.uuid} (run again with --uuid {request.uuid}: no second group)")
    result = run_on_client(given, lambda client: client.scene_groups.create(request))
    if as_json:
        click.echo(json.dumps({**to_wire(result), "uuid": request.uuid}, ensure_ascii=False))
    else:
        print_fields(result, as_json=False)


@scene_group.command("update")
@click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
@click.option("--title", help="New name, 1 to 30 characters.")
@click.option("--icon", help="mediaId of the new avatar.")
@click.option("--owner", help="userId of the new owner (already a member).")
@click.option("--owner-union-id", help="unionId of the new owner, instead of --owner.")
@_set_option
@group_options
def update(
    *,
    open_conversation_id: str,
    title: str | None,
    icon: str | None,
    owner: str | None,
    owner_union_id: str | None,
    settings: tuple[str, ...],
    as_json: bool,
    **given: Any,
) -> None:
    """Change the group's title, icon, owner or settings (POST /v1.0/im/sceneGroup/update);
    only what you pass is sent."""
    request = built(
        UpdateSceneGroupRequest,
        open_conversation_id=open_conversation_id,
        title=title,
        icon=icon,
        owner_user_id=owner,
        owner_union_id=owner_union_id,
        management_options=_settings(settings),
    )
    result = run_on_client(given, lambda client: client.scene_groups.update(request))
    if as_json:
        print_fields(result, as_json=True)
    else:
        click.echo(f"updated {open_conversation_id}")


def _members_command(name: str, adding: bool, summary: str) -> click.Command:
    @scene_group.command(name, help=summary)
    @click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
    @click.option("--user", "users", multiple=True, help="userId (repeatable).")
    @click.option("--union-id", "union_ids", multiple=True, help="unionId (repeatable).")
    @group_options
    def command(
        *,
        open_conversation_id: str,
        users: tuple[str, ...],
        union_ids: tuple[str, ...],
        as_json: bool,
        **given: Any,
    ) -> None:
        request = built(
            SceneGroupMembersRequest,
            open_conversation_id=open_conversation_id,
            user_ids=users or None,
            union_ids=union_ids or None,
        )

        def call(client: DingTalkClient) -> Any:
            service = client.scene_groups
            return (service.add_members if adding else service.remove_members)(request)

        result = run_on_client(given, call)
        if as_json:
            print_fields(result, as_json=True)
        else:
            done = "added to" if adding else "removed from"
            click.echo(f"{', '.join((*users, *union_ids))}: {done} {open_conversation_id}")

    return command


add_members = _members_command(
    "add-members",
    True,
    "Add people to the group OPEN_CONVERSATION_ID by --user and --union-id "
    "(POST /v1.0/im/sceneGroup/member/add; at most 1,000 in a group).",
)
remove_members = _members_command(
    "remove-members",
    False,
    "Remove people from the group OPEN_CONVERSATION_ID (POST /v1.0/im/sceneGroup/member/delete).",
)


@scene_group.command("members")
@click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=1000,
    show_default=True,
    help="Members per call.",
)
@group_options
def members(*, open_conversation_id: str, page_size: int, as_json: bool, **given: Any) -> None:
    """List the group's members, every page (POST /v1.0/im/sceneGroups/members/batchQuery):
    one per line, employees by userId, then others by unionId; --json: one page per line."""

    async def walk(client: DingTalkClient) -> list[SceneGroupMembersPage]:
        pages = client.scene_groups.members(open_conversation_id, page_size=page_size)
        return [page async for page in pages]

    pages = run_on_client(given, walk)
    for page in pages:
        if as_json:
            click.echo(json.dumps(to_wire(page), ensure_ascii=False))
            continue
        for user in page.member_user_ids:
            nick = page.staff_id_nick_map.get(user)
            click.echo(user if nick in (None, user) else f"{user}  {nick}")
        for other in page.union_id_list:
            click.echo(f"{other}  (unionId)")


@scene_group.command("info")
@click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
@group_options
def info(*, open_conversation_id: str, as_json: bool, **given: Any) -> None:
    """Read the group back (POST /v1.0/im/sceneGroups/query): title, owner, template,
    link and status (1 normal, 2 disbanded)."""
    found = run_on_client(given, lambda client: client.scene_groups.get(open_conversation_id))
    print_fields(found, as_json=as_json)


@scene_group.command("disband")
@click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
@group_options
def disband(*, open_conversation_id: str, as_json: bool, **given: Any) -> None:
    """Disband the group (POST /v1.0/im/chat/scenegroup/disband; internal apps only):
    DingTalk's only documented dismiss. Its status becomes 2."""
    result = run_on_client(given, lambda client: client.scene_groups.disband(open_conversation_id))
    if as_json:
        print_fields(result, as_json=True)
    else:
        click.echo(f"disbanded {open_conversation_id}")

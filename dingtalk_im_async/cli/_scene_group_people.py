"""The member-side `dingtalk-im scene-group` subcommands: admins, nicknames, mute, mute
settings and the template robot. They join the `scene-group` group when imported."""

from __future__ import annotations

from typing import Any

import click

from ..scenegroups.models import (
    MuteSceneGroupMembersRequest,
    MuteStatus,
    SceneGroupMuteQuery,
    SceneGroupNickRequest,
    SceneGroupRole,
    TemplateRobotQuery,
    UpdateSceneGroupAdminsRequest,
)
from ._lifecycle import group_options, print_fields, run_on_client
from .scene_group import built, scene_group

__all__ = ["scene_group"]


def _admins_command(name: str, role: SceneGroupRole, summary: str) -> click.Command:
    @scene_group.command(name, help=summary)
    @click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
    @click.option("--user", "users", multiple=True, help="userId (repeatable, 12 at most).")
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
            UpdateSceneGroupAdminsRequest,
            open_conversation_id=open_conversation_id,
            role=role,
            user_ids=users or None,
            union_ids=union_ids or None,
        )
        result = run_on_client(given, lambda client: client.scene_groups.update_admins(request))
        if as_json:
            print_fields(result, as_json=True)
        else:
            done = "now admins" if role is SceneGroupRole.ADMIN else "no longer admins"
            click.echo(f"{', '.join((*users, *union_ids))}: {done} of {open_conversation_id}")

    return command


add_admins = _admins_command(
    "add-admins",
    SceneGroupRole.ADMIN,
    "Make members admins of the group OPEN_CONVERSATION_ID "
    "(PUT /v1.0/im/sceneGroups/subAdmins, role 2).",
)
remove_admins = _admins_command(
    "remove-admins",
    SceneGroupRole.MEMBER,
    "Make admins plain members of the group OPEN_CONVERSATION_ID again (role 3).",
)


@scene_group.command("nick")
@click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
@click.option("--user", "user_id", required=True, help="userId of the member.")
@click.option("--nick", "group_nick", required=True, help="The nickname, 1 to 30 characters.")
@group_options
def nick(
    *, open_conversation_id: str, user_id: str, group_nick: str, as_json: bool, **given: Any
) -> None:
    """Set a member's nickname in the group (PUT /v1.0/im/sceneGroups/members/groupNicks)."""
    request = built(
        SceneGroupNickRequest,
        open_conversation_id=open_conversation_id,
        user_id=user_id,
        group_nick=group_nick,
    )
    result = run_on_client(given, lambda client: client.scene_groups.set_nick(request))
    if as_json:
        print_fields(result, as_json=True)
    else:
        click.echo(f"{user_id} is {group_nick!r} in {open_conversation_id}")


def _mute_command(name: str, status: MuteStatus, summary: str) -> click.Command:
    @scene_group.command(name, help=summary)
    @click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
    @click.option(
        "--user", "users", multiple=True, required=True, help="userId (repeatable, 999 at most)."
    )
    @click.option(
        "--minutes",
        type=click.IntRange(min=0),
        default=0 if status is MuteStatus.UNMUTED else 60,
        show_default=True,
        help="How long the mute lasts.",
        hidden=status is MuteStatus.UNMUTED,
    )
    @group_options
    def command(
        *,
        open_conversation_id: str,
        users: tuple[str, ...],
        minutes: int,
        as_json: bool,
        **given: Any,
    ) -> None:
        request = built(
            MuteSceneGroupMembersRequest,
            open_conversation_id=open_conversation_id,
            user_id_list=users,
            mute_status=status,
            mute_duration=minutes * 60_000,
        )
        result = run_on_client(given, lambda client: client.scene_groups.mute_members(request))
        if as_json:
            print_fields(result, as_json=True)
        elif status is MuteStatus.MUTED:
            click.echo(f"{', '.join(users)}: muted for {minutes} min in {open_conversation_id}")
        else:
            click.echo(f"{', '.join(users)}: no longer muted in {open_conversation_id}")

    return command


mute = _mute_command(
    "mute",
    MuteStatus.MUTED,
    "Mute members of the group OPEN_CONVERSATION_ID for --minutes "
    "(POST /v1.0/im/sceneGroups/muteMembers/set; internal apps only).",
)
unmute = _mute_command(
    "unmute",
    MuteStatus.UNMUTED,
    "Lift the mute of members of the group OPEN_CONVERSATION_ID (internal apps only).",
)


@scene_group.command("mute-settings")
@click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
@click.option("--user", "user_id", required=True, help="userId of the member.")
@group_options
def mute_settings(*, open_conversation_id: str, user_id: str, as_json: bool, **given: Any) -> None:
    """Whether everyone, and the member --user, are muted, and until when (GET
    /v1.0/im/sceneGroups/muteSettings; internal apps only)."""
    query = built(SceneGroupMuteQuery, open_conversation_id=open_conversation_id, user_id=user_id)
    found = run_on_client(given, lambda client: client.scene_groups.mute_settings(query))
    if as_json:
        print_fields(found, as_json=True)
        return
    click.echo(f"everyone muted  {found.group_mute_mode}")
    state = found.user_mute_result
    click.echo(f"{user_id} muted  {state is not None and state.user_mute_mode}")
    if state is not None and state.user_mute_mode:
        click.echo(f"until (ms)  {state.mute_end_time}")


@scene_group.command("template-robot")
@click.argument("open_conversation_id", metavar="OPEN_CONVERSATION_ID")
@click.option("--robot", "robot_code", required=True, help="The template robot's code.")
@group_options
def template_robot(
    *, open_conversation_id: str, robot_code: str, as_json: bool, **given: Any
) -> None:
    """The template robot's userId (or unionId) in the group (GET
    /v1.0/im/sceneGroups/templates/robots)."""
    query = built(
        TemplateRobotQuery, open_conversation_id=open_conversation_id, robot_code=robot_code
    )
    found = run_on_client(given, lambda client: client.scene_groups.template_robot(query))
    print_fields(found, as_json=as_json)

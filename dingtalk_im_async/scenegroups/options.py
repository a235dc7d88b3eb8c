"""A scene group's settings (`management_options`) and the enums of the family's fields, as
DingTalk documents them for create and update
(https://open.dingtalk.com/document/development/create-a-scene-group,
https://open.dingtalk.com/document/development/api-updatescenegroup)."""

from __future__ import annotations

import enum
from typing import ClassVar

from attrs import define, field

from .._core.wire import WireCase
from ._fields import switch

__all__ = ["MuteStatus", "SceneGroupOptions", "SceneGroupRole", "SceneGroupStatus"]


class SceneGroupStatus(enum.IntEnum):
    """`status` of a scene group read back: `NORMAL` (1) in use, `DISBANDED` (2)."""

    NORMAL = 1
    DISBANDED = 2


class SceneGroupRole(enum.IntEnum):
    """What an admin change makes the users: `ADMIN` (2) group admins, `MEMBER` (3) plain
    members again."""

    ADMIN = 2
    MEMBER = 3


class MuteStatus(enum.IntEnum):
    """What a mute call does to the members: `UNMUTED` (0) lifts it, `MUTED` (1) mutes."""

    UNMUTED = 0
    MUTED = 1


@define(frozen=True, kw_only=True)
class SceneGroupOptions:
    """The group's settings (`management_options`, snake_case keys on the wire); each is 0 or
    1 and unset ones keep DingTalk's defaults (create) or their values (update).

    `plugin_customize_verify` exists only for update.
    """

    wire_case: ClassVar[WireCase] = WireCase.SNAKE

    mention_all_authority: int | None = field(default=None, validator=switch)
    """Who may @all (`mention_all_authority`): 0 everyone (default), 1 the owner only."""
    show_history_type: int | None = field(default=None, validator=switch)
    """Whether new members see the chat history (`show_history_type`): 0 no (default), 1 yes."""
    validation_type: int | None = field(default=None, validator=switch)
    """Whether joining needs approval (`validation_type`): 0 no (default), 1 yes."""
    searchable: int | None = field(default=None, validator=switch)
    """Whether the group can be found by search (`searchable`): 0 no (default), 1 yes."""
    chat_banned_type: int | None = field(default=None, validator=switch)
    """Whether everyone is muted (`chat_banned_type`): 0 no (default), 1 yes."""
    management_type: int | None = field(default=None, validator=switch)
    """Who may manage the group (`management_type`): 0 everyone (default), 1 the owner only."""
    only_admin_can_ding: int | None = field(default=None, validator=switch)
    """Who may send a DING (`only_admin_can_ding`): 0 everyone (default), 1 owner and admins."""
    all_members_can_create_mcs_conf: int | None = field(default=None, validator=switch)
    """Who may start a video or voice meeting (`all_members_can_create_mcs_conf`): 0 owner
    and admins, 1 everyone (default)."""
    all_members_can_create_calendar: int | None = field(default=None, validator=switch)
    """Whether members who are not contacts may invite each other to events
    (`all_members_can_create_calendar`): 0 no (default), 1 yes."""
    group_email_disabled: int | None = field(default=None, validator=switch)
    """Whether group e-mail is off (`group_email_disabled`): 0 no (default), 1 yes."""
    only_admin_can_set_msg_top: int | None = field(default=None, validator=switch)
    """Who may pin messages (`only_admin_can_set_msg_top`): 0 everyone (default), 1 owner and
    admins."""
    add_friend_forbidden: int | None = field(default=None, validator=switch)
    """Whether plain members may befriend and chat one to one (`add_friend_forbidden`): 0 yes
    (default), 1 no."""
    group_live_switch: int | None = field(default=None, validator=switch)
    """Who may go live (`group_live_switch`): 0 owner and admins, 1 everyone (default)."""
    members_to_admin_chat: int | None = field(default=None, validator=switch)
    """Whether plain members are kept from chatting to admins one to one
    (`members_to_admin_chat`): 0 no (default), 1 yes."""
    not_quit_when_emp_leave: int | None = field(default=None, validator=switch)
    """Whether people leaving the organisation stay in the group (`not_quit_when_emp_leave`,
    external groups only): 0 no (default), 1 yes."""
    only_admin_can_add_mem: int | None = field(default=None, validator=switch)
    """Who may invite people (`only_admin_can_add_mem`, with `management_type` 1): 0 everyone
    (default), 1 owner and admins."""
    plugin_customize_verify: int | None = field(default=None, validator=switch)
    """Whether custom group plugins need the owner's or an admin's approval
    (`plugin_customize_verify`, update only): 0 no (default), 1 yes."""

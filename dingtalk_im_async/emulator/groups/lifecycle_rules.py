"""The emulator's own reading of the lifecycle docs (LIFECYCLE.md G1-G4): what a group
update may change, and the limits and refusals each API documents or we guess.

Written apart from the client's models, like `_rules`, so the client's
validation is tested against an independent reading. Every function returns
the reason for a refusal (or None) and never changes a group; `plan_update`
returns the whole new state, so a refused update changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from attrs import define, field

from ..store import StoredGroup
from .create_rules import NAME_MAX_CHARS, _id_list_problem, _is_text, _options_problem

__all__ = [
    "GROUP_MEMBER_LIMIT",
    "MEMBERS_ADDED_PER_CALL",
    "SUB_ADMIN_LIMIT",
    "UpdatePlan",
    "check_update_body",
    "plan_update",
    "unseen_users",
]

#: Legacy `/chat/update` doc (DOC modify-a-group-session): at most 40 people added per call
#: and 1,000 in a group. Not restated for `group/update`: UNCONFIRMED for the new API.
MEMBERS_ADDED_PER_CALL = 40
GROUP_MEMBER_LIMIT = 1000
#: Admins a group may have: GUESS (DingTalk documents `subadmin.exceed`, not the number).
SUB_ADMIN_LIMIT = 50
_LIST_KEYS = ("add_useridlist", "del_useridlist", "add_extidlist", "del_extidlist")
_OWNER_TYPES = ("emp", "ext")


def check_update_body(body: Any) -> str | None:
    """Why DingTalk would answer `parameter.invalid` to this update body, or None."""
    if not isinstance(body, dict):
        return "the request body is not a JSON object"
    if not _is_text(body.get("chatid")):
        return "chatid is mandatory for this action"
    if "name" in body and not (_is_text(body["name"]) and len(body["name"]) <= NAME_MAX_CHARS):
        return f"name must be 1~{NAME_MAX_CHARS} characters"
    if "owner" in body and not _is_text(body["owner"]):
        return "owner must be a non-blank string"
    if "ownerType" in body and body["ownerType"] not in _OWNER_TYPES:
        return f"ownerType must be emp or ext, got {body['ownerType']!r}"
    for key in _LIST_KEYS:
        if key in body:
            problem = _id_list_problem(key, body[key], required=False)
            if problem is not None:
                return problem
    if "icon" in body and not _is_text(body["icon"]):
        return "icon must be a non-blank mediaId"
    if "managementOptions" in body:
        problem = _options_problem(body["managementOptions"])
        if problem is not None:
            return problem
    added = len(body.get("add_useridlist", ())) + len(body.get("add_extidlist", ()))
    if added > MEMBERS_ADDED_PER_CALL:
        return f"at most {MEMBERS_ADDED_PER_CALL} members may be added per call, got {added}"
    return None


def unseen_users(body: dict[str, Any], visible: Collection[str] | None) -> list[str]:
    """The userIds an update adds or removes that the app cannot see (`visible_users`)."""
    if visible is None:
        return []
    touched = [*body.get("add_useridlist", ()), *body.get("del_useridlist", ())]
    return [user for user in touched if user not in visible]


@define(kw_only=True)
class UpdatePlan:
    """A group's state after an update, and what changed (for the events)."""

    members: list[str]
    ext_members: list[str]
    owner: str
    owner_type: str
    added: list[str] = field(factory=list)
    removed: list[str] = field(factory=list)
    ext_added: list[str] = field(factory=list)
    ext_removed: list[str] = field(factory=list)
    owner_changed: bool = False


def plan_update(group: StoredGroup, body: dict[str, Any]) -> UpdatePlan | str:
    """The new members and owner, or why DingTalk refuses (`parameter.invalid`, GUESS).

    - the new owner must already be a member before the call (G1), an `ext`
      owner an external member;
    - the owner cannot be removed;
    - adding a member twice or removing a non-member changes nothing (the
      call is safe to repeat);
    - at most `GROUP_MEMBER_LIMIT` people (members and external) in the end.
    """
    added = [u for u in dict.fromkeys(body.get("add_useridlist", ())) if u not in group.members]
    removed = [u for u in dict.fromkeys(body.get("del_useridlist", ())) if u in group.members]
    ext_added = [
        u for u in dict.fromkeys(body.get("add_extidlist", ())) if u not in group.ext_members
    ]
    ext_removed = [
        u for u in dict.fromkeys(body.get("del_extidlist", ())) if u in group.ext_members
    ]
    owner = str(body.get("owner", group.owner))
    owner_type = str(body.get("ownerType", "emp" if "owner" in body else group.owner_type))
    owner_changed = (owner, owner_type) != (group.owner, group.owner_type)
    if owner_changed:
        current = group.members if owner_type == "emp" else group.ext_members
        if owner not in current:
            return f"the new owner {owner} must already be a member of the group"
    if owner in (removed if owner_type == "emp" else ext_removed):
        return f"the owner {owner} cannot be removed from the group"
    members = [u for u in group.members if u not in removed] + added
    ext_members = [u for u in group.ext_members if u not in ext_removed] + ext_added
    if len(members) + len(ext_members) > GROUP_MEMBER_LIMIT:
        return f"a group holds at most {GROUP_MEMBER_LIMIT} members"
    return UpdatePlan(
        members=members,
        ext_members=ext_members,
        owner=owner,
        owner_type=owner_type,
        added=added,
        removed=removed,
        ext_added=ext_added,
        ext_removed=ext_removed,
        owner_changed=owner_changed,
    )

"""The emulator's own reading of the scene-group pages: what a body must hold, and why
DingTalk refuses one.

Written apart from the client's models on purpose, so the client's validation
is tested against an independent reading of the same pages
(https://open.dingtalk.com/document/development/create-a-scene-group,
https://open.dingtalk.com/document/development/api-updatescenegroup,
https://open.dingtalk.com/document/development/api-addscenegroupmember and the
member pages). Each function returns the reason for a refusal, or None.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from .._replies import JSON_HINT

__all__ = [
    "CREATE_OPTION_KEYS",
    "NICK_MAX_CHARS",
    "TITLE_MAX_CHARS",
    "UPDATE_OPTION_KEYS",
    "check_create_body",
    "check_members_body",
    "check_update_body",
    "id_list",
    "is_text",
]

TITLE_MAX_CHARS = 30
NICK_MAX_CHARS = 30
#: `management_options` as create documents it (16 keys), and update (one more).
CREATE_OPTION_KEYS = (
    "mention_all_authority",
    "show_history_type",
    "validation_type",
    "searchable",
    "chat_banned_type",
    "management_type",
    "only_admin_can_ding",
    "all_members_can_create_mcs_conf",
    "all_members_can_create_calendar",
    "group_email_disabled",
    "only_admin_can_set_msg_top",
    "add_friend_forbidden",
    "group_live_switch",
    "members_to_admin_chat",
    "not_quit_when_emp_leave",
    "only_admin_can_add_mem",
)
UPDATE_OPTION_KEYS = (*CREATE_OPTION_KEYS, "plugin_customize_verify")


def is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def id_list(value: object) -> bool:
    """A JSON array of non-blank strings (possibly empty)."""
    return isinstance(value, list) and all(is_text(item) for item in value)


def _text_problem(body: dict[str, Any], key: str, *, required: bool) -> str | None:
    if key not in body or body[key] is None:
        return f"{key} is mandatory for this action" if required else None
    return None if is_text(body[key]) else f"{key} must be a non-blank string"


def _title_problem(body: dict[str, Any], *, required: bool) -> str | None:
    problem = _text_problem(body, "title", required=required)
    if problem is None and "title" in body and len(body["title"]) > TITLE_MAX_CHARS:
        return f"title must be 1~{TITLE_MAX_CHARS} characters, got {len(body['title'])}"
    return problem


def _options_problem(options: object, keys: tuple[str, ...]) -> str | None:
    if not isinstance(options, dict):
        return "management_options must be an object"
    for key, value in options.items():
        if key not in keys:
            return f"management_options.{key} is not a setting"
        if isinstance(value, bool) or value not in (0, 1):
            return f"management_options.{key} must be 0 or 1, got {value!r}"
    return None


def check_create_body(body: Any) -> str | None:
    """Why DingTalk would answer a create `parameter.invalid`, or None."""
    if not isinstance(body, dict):
        return f"the request body is not a JSON object ({JSON_HINT})"
    for key in ("template_id", "owner_user_id"):
        problem = _text_problem(body, key, required=True)
        if problem is not None:
            return problem
    problem = _title_problem(body, required=True)
    if problem is not None:
        return problem
    for key in ("user_ids", "subadmin_ids"):
        if key in body and not id_list(body[key]):
            return f"{key} must be an array of non-blank strings"
    for key in ("uuid", "icon"):
        problem = _text_problem(body, key, required=False)
        if problem is not None:
            return problem
    if "management_options" in body:
        return _options_problem(body["management_options"], CREATE_OPTION_KEYS)
    return None


def check_update_body(body: Any) -> str | None:
    """Why DingTalk would answer an update `parameter.invalid`, or None."""
    if not isinstance(body, dict):
        return f"the request body is not a JSON object ({JSON_HINT})"
    problem = _text_problem(body, "open_conversation_id", required=True)
    if problem is None:
        problem = _title_problem(body, required=False)
    for key in ("icon", "owner_user_id", "owner_union_id"):
        if problem is None:
            problem = _text_problem(body, key, required=False)
    if problem is None and "management_options" in body:
        problem = _options_problem(body["management_options"], UPDATE_OPTION_KEYS)
    return problem


def check_members_body(body: Any) -> str | None:
    """Why DingTalk would answer a member add or delete `parameter.invalid`, or None."""
    if not isinstance(body, dict):
        return f"the request body is not a JSON object ({JSON_HINT})"
    problem = _text_problem(body, "open_conversation_id", required=True)
    if problem is not None:
        return problem
    for key in ("user_ids", "union_ids"):
        if key in body and not id_list(body[key]):
            return f"{key} must be an array of non-blank strings"
    if not body.get("user_ids") and not body.get("union_ids"):
        return "user_ids or union_ids must name at least one person"
    return None

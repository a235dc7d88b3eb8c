"""The emulator's own reading of the spec: what the server rejects, and why.

Written apart from the client's models on purpose, so the client's
validation is tested against an independent reading of the same spec.
Each create rule yields the detail of a `parameter.invalid` message.
"""

from __future__ import annotations

from typing import Any

from .._replies import JSON_HINT

__all__ = ["NAME_MAX_CHARS", "UNSEEN_USER", "check_create_body"]

NAME_MAX_CHARS = 20
#: The answer to a member the app cannot see (`visible_users`). GUESS: DingTalk's docs name
#: only the owner's case for create (群主不在应用可见性内); the emulator refuses members the
#: same way, with the text of update's refusal.
UNSEEN_USER = ("permession.checkFailed", "权限校验失败: 用户不在应用可见范围内")
_OWNER_TYPES = ("emp", "ext")
_CONVERSATION_TAGS = (0, 2)
_OPTION_KEYS = (
    "mentionAllAuthority",
    "showHistoryType",
    "validationType",
    "searchable",
    "chatBannedType",
    "managementType",
)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _id_list_problem(key: str, value: object, *, required: bool) -> str | None:
    if not isinstance(value, list):
        return f"{key} must be an array of strings, got {type(value).__name__}"
    if required and not value:
        return f"{key} must contain at least one id"
    for position, item in enumerate(value):
        if not _is_text(item):
            return f"{key}[{position}] must be a non-blank string"
    return None


def _text_problem(key: str, body: dict[str, Any]) -> str | None:
    if key not in body or body[key] is None:
        return f"{key} is mandatory for this action"
    if not _is_text(body[key]):
        return f"{key} must be a non-blank string"
    return None


def _options_problem(options: object) -> str | None:
    if not isinstance(options, dict):
        return "managementOptions must be an object"
    for key in _OPTION_KEYS:
        if key in options and not (_is_int(options[key]) and options[key] in (0, 1)):
            return f"managementOptions.{key} must be 0 or 1, got {options[key]!r}"
    return None


def check_create_body(body: Any) -> str | None:
    """Why DingTalk would answer `parameter.invalid`, or None if the body is acceptable."""
    if not isinstance(body, dict):
        return f"the request body is not a JSON object ({JSON_HINT})"
    problem = _text_problem("name", body)
    if problem is not None:
        return problem
    if len(body["name"]) > NAME_MAX_CHARS:
        return f"name must be 1~{NAME_MAX_CHARS} characters, got {len(body['name'])}"
    problem = _text_problem("owner", body)
    if problem is not None:
        return problem
    if "ownerType" in body and body["ownerType"] not in _OWNER_TYPES:
        return f"ownerType must be emp or ext, got {body['ownerType']!r}"
    if body.get("useridlist") is None:
        return "useridlist is mandatory for this action"
    problem = _id_list_problem("useridlist", body["useridlist"], required=True)
    if problem is not None:
        return problem
    tag = body.get("conversationTag", 2)
    if not (_is_int(tag) and tag in _CONVERSATION_TAGS):
        return f"conversationTag must be 0 or 2, got {tag!r}"
    if "extidlist" in body:
        problem = _id_list_problem("extidlist", body["extidlist"], required=False)
        if problem is not None:
            return problem
    if "icon" in body and not _is_text(body["icon"]):
        return "icon must be a non-blank mediaId"
    if "managementOptions" in body:
        return _options_problem(body["managementOptions"])
    return None

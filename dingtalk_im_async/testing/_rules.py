"""The emulator's own reading of the create-group spec: what the server rejects.

Written apart from the client's models on purpose, so the client's
validation is tested against an independent reading of the same spec.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_create_body", "check_token_body"]

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


def _is_id_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


def check_create_body(body: Any) -> str | None:
    """Why DingTalk would answer `parameter.invalid`, or None if the body is acceptable."""
    if not isinstance(body, dict):
        return "request body must be a JSON object"
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        return "name is mandatory for this action"
    if len(name) > 20:
        return "name must be 1~20 characters"
    owner = body.get("owner")
    if not isinstance(owner, str) or not owner.strip():
        return "owner is mandatory for this action"
    if "ownerType" in body and body["ownerType"] not in _OWNER_TYPES:
        return "ownerType must be emp or ext"
    useridlist = body.get("useridlist")
    if not _is_id_list(useridlist) or not useridlist:
        return "useridlist is mandatory for this action"
    if "conversationTag" in body and not (
        _is_int(body["conversationTag"]) and body["conversationTag"] in _CONVERSATION_TAGS
    ):
        return "conversationTag must be 0 or 2"
    if "extidlist" in body and not _is_id_list(body["extidlist"]):
        return "extidlist must be a list of ids"
    if "icon" in body and not (isinstance(body["icon"], str) and body["icon"].strip()):
        return "icon must be a mediaId"
    options = body.get("managementOptions")
    if options is not None:
        if not isinstance(options, dict):
            return "managementOptions must be an object"
        for key in _OPTION_KEYS:
            if key in options and not (_is_int(options[key]) and options[key] in (0, 1)):
                return f"managementOptions.{key} must be 0 or 1"
    return None


def check_token_body(body: Any) -> str | None:
    """Why the token endpoint would refuse the body as malformed, or None."""
    if not isinstance(body, dict):
        return "request body must be a JSON object"
    for key in ("appKey", "appSecret"):
        if not isinstance(body.get(key), str) or not body[key]:
            return f"{key} is mandatory for this action"
    return None

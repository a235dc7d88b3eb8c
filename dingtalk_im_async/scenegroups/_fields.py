"""The checks of the scene-group models' fields: each turns a bad value into
`RequestValidationError` naming the field (by its Python name), before any I/O.

Validators rather than converters where a check needs the field's name
(attrs passes it), so one function serves every field of its kind; list
fields keep one named converter each, since attrs' mypy plugin derives
`__init__`'s parameter types from converters.
"""

from __future__ import annotations

from typing import Any

from attrs import Attribute

from .._core.fields import IdList, check_text, to_ids
from ..errors import RequestValidationError

__all__ = [
    "MUTE_USERS_MAX",
    "NICK_MAX_CHARS",
    "SUB_ADMINS_PER_CALL",
    "TITLE_MAX_CHARS",
    "USER_IDS_MAX",
    "UUID_MAX_CHARS",
]

#: A scene group's title, and a member's nickname, in characters
#: (https://open.dingtalk.com/document/development/create-a-scene-group,
#: https://open.dingtalk.com/document/development/update-group-nicknames).
TITLE_MAX_CHARS = 30
NICK_MAX_CHARS = 30
#: Members a create names besides the owner: a group holds at most 1,000 people.
USER_IDS_MAX = 999
#: The dedup key's length: the legacy create page's limit for `uuid`.
UUID_MAX_CHARS = 64
#: userIds one admin change takes (https://open.dingtalk.com/document/development/update-group-administrators).
SUB_ADMINS_PER_CALL = 12
#: userIds one mute call takes (https://open.dingtalk.com/document/development/set-group-members-access-control).
MUTE_USERS_MAX = 999


def text(_instance: object, attribute: Attribute[Any], value: object) -> None:
    """A required text field: a non-blank string."""
    check_text(attribute.name, value)


def optional_text(_instance: object, attribute: Attribute[Any], value: object) -> None:
    """An optional text field: unset, or a non-blank string."""
    if value is not None:
        check_text(attribute.name, value)


def _length(name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise RequestValidationError(name, f"must be 1 to {limit} characters, got {len(value)}")


def title(_instance: object, attribute: Attribute[Any], value: object) -> None:
    """A group title: 1 to 30 characters, not blank."""
    _length(attribute.name, check_text(attribute.name, value), TITLE_MAX_CHARS)


def optional_title(instance: object, attribute: Attribute[Any], value: object) -> None:
    if value is not None:
        title(instance, attribute, value)


def nick(_instance: object, attribute: Attribute[Any], value: object) -> None:
    """A member's nickname: 1 to 30 characters, not blank."""
    _length(attribute.name, check_text(attribute.name, value), NICK_MAX_CHARS)


def dedup_uuid(_instance: object, attribute: Attribute[Any], value: object) -> None:
    """The create's dedup key: unset, or 1 to 64 characters, not blank."""
    if value is not None:
        _length(attribute.name, check_text(attribute.name, value), UUID_MAX_CHARS)


def switch(_instance: object, attribute: Attribute[Any], value: object) -> None:
    """A setting of `management_options`: unset, 0 or 1."""
    if value is None:
        return
    if isinstance(value, bool) or value not in (0, 1):
        raise RequestValidationError(attribute.name, f"must be 0 or 1, got {value!r}")


def _some_ids(name: str, value: IdList | None, limit: int | None) -> tuple[str, ...] | None:
    """Unset, or a non-empty list of non-blank ids, at most `limit` of them."""
    if value is None:
        return None
    ids = to_ids(name, value)
    if not ids:
        raise RequestValidationError(name, "must contain at least one id (leave it out instead)")
    if limit is not None and len(ids) > limit:
        raise RequestValidationError(name, f"must hold at most {limit} ids, got {len(ids)}")
    return ids


def user_ids(value: IdList | None) -> tuple[str, ...] | None:
    return _some_ids("user_ids", value, None)


def create_user_ids(value: IdList | None) -> tuple[str, ...] | None:
    return _some_ids("user_ids", value, USER_IDS_MAX)


def subadmin_ids(value: IdList | None) -> tuple[str, ...] | None:
    return _some_ids("subadmin_ids", value, None)


def union_ids(value: IdList | None) -> tuple[str, ...] | None:
    return _some_ids("union_ids", value, None)


def admin_user_ids(value: IdList | None) -> tuple[str, ...] | None:
    return _some_ids("user_ids", value, SUB_ADMINS_PER_CALL)


def mute_user_ids(value: IdList) -> tuple[str, ...]:
    ids = _some_ids("user_id_list", value, MUTE_USERS_MAX)
    if ids is None:
        raise RequestValidationError("user_id_list", "is required: the members to (un)mute")
    return ids


def require_some(**lists: tuple[str, ...] | None) -> None:
    """At least one of these id lists is given."""
    if all(ids is None for ids in lists.values()):
        names = " or ".join(lists)
        raise RequestValidationError(names.split(" or ")[0], f"give {names}: at least one id")

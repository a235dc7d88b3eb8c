"""The converters and validators of the group models' fields: each checks one value and names
it in its `RequestValidationError`.

One named function per field, because attrs' mypy plugin derives `__init__`'s
parameter types from converters.
"""

from __future__ import annotations

from collections.abc import Callable

from attrs import Attribute

from .._core.fields import IdList, check_text, to_ids
from ..errors import RequestValidationError
from .options import ManagementOptions

__all__ = ["NAME_MAX_CHARS"]

#: A group name's length limit, in characters.
NAME_MAX_CHARS = 20


def useridlist(value: IdList) -> tuple[str, ...]:
    ids = to_ids("useridlist", value)
    if not ids:
        raise RequestValidationError("useridlist", "must contain at least one id")
    return ids


def extidlist(value: IdList | None) -> tuple[str, ...] | None:
    return None if value is None else to_ids("extidlist", value)


def validate_name(_instance: object, _attribute: Attribute[str], value: str) -> None:
    text = check_text("name", value)
    if len(text) > NAME_MAX_CHARS:
        raise RequestValidationError(
            "name", f"must be 1 to {NAME_MAX_CHARS} characters, got {len(text)}"
        )


def validate_owner(_instance: object, _attribute: Attribute[str], value: str) -> None:
    check_text("owner", value)


def validate_icon(_instance: object, _attribute: Attribute[str | None], value: str | None) -> None:
    if value is not None:
        check_text("icon", value)


def validate_options(
    _instance: object,
    _attribute: Attribute[ManagementOptions | None],
    value: ManagementOptions | None,
) -> None:
    if value is not None and not isinstance(value, ManagementOptions):
        raise RequestValidationError(
            "management_options", f"must be a ManagementOptions, got {type(value).__name__}"
        )


def check_id(name: str) -> Callable[[object, Attribute[str], str], None]:
    """A validator for the id field `name`: a non-blank string."""

    def check(_instance: object, _attribute: Attribute[str], value: str) -> None:
        check_text(name, value)

    return check


def _change_list(name: str, value: IdList | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    ids = to_ids(name, value)
    if not ids:
        raise RequestValidationError(name, "must contain at least one id (leave it out instead)")
    return ids


def add_useridlist(value: IdList | None) -> tuple[str, ...] | None:
    return _change_list("add_useridlist", value)


def del_useridlist(value: IdList | None) -> tuple[str, ...] | None:
    return _change_list("del_useridlist", value)


def add_extidlist(value: IdList | None) -> tuple[str, ...] | None:
    return _change_list("add_extidlist", value)


def del_extidlist(value: IdList | None) -> tuple[str, ...] | None:
    return _change_list("del_extidlist", value)


def user_ids(value: IdList) -> tuple[str, ...]:
    ids = _change_list("user_ids", value)
    assert ids is not None  # to_ids refuses None
    return ids


def optional_name(_instance: object, attribute: Attribute[str | None], value: str | None) -> None:
    if value is not None:
        validate_name(_instance, attribute, value)  # type: ignore[arg-type]


def optional_owner(_instance: object, _attribute: Attribute[str | None], value: str | None) -> None:
    if value is not None:
        check_text("owner", value)


def no_overlap(
    added_name: str,
    added: tuple[str, ...] | None,
    removed_name: str,
    removed: tuple[str, ...] | None,
) -> None:
    """No id both added and removed in one update."""
    both = sorted(set(added or ()) & set(removed or ()))
    if both:
        raise RequestValidationError(removed_name, f"{both[0]!r} is also in {added_name}")

"""The checks every family's models build their field converters from: each turns a bad
value into `RequestValidationError` naming the field, before any I/O."""

from __future__ import annotations

import enum
from typing import TypeVar

from ..errors import RequestValidationError

__all__ = ["IdList", "check_list", "check_text", "to_enum", "to_ids"]

_E = TypeVar("_E", bound=enum.Enum)

#: What an id list field takes: a list or a tuple of strings (`check_list`), kept as a tuple.
IdList = list[str] | tuple[str, ...]


def check_text(name: str, value: object) -> str:
    """`value` if it is a non-blank string of valid Unicode."""
    if not isinstance(value, str):
        raise RequestValidationError(name, f"must be a string, got {type(value).__name__}")
    if not value.strip():
        raise RequestValidationError(name, "must not be empty or blank")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise RequestValidationError(
                name, "must be valid Unicode (no lone surrogates)"
            ) from None
    return value


def check_list(name: str, value: object, *, of: str = "strings") -> tuple[object, ...]:
    """`value` as a tuple if it is a list or a tuple; anything else is refused.

    The one rule for every list field, the same in Python and in the CLI's
    inputs: a dict (whose keys iterating would make the list), a set or a
    generator (whose order is nobody's choice, or which is spent once read),
    a bare string (its letters) are mistakes, not lists.
    """
    if not isinstance(value, (list, tuple)):
        raise RequestValidationError(name, f"must be a list of {of}, got {type(value).__name__}")
    return tuple(value)


def to_ids(name: str, value: object) -> tuple[str, ...]:
    """A tuple of non-blank ids (tuples keep requests immutable), from a list or a tuple
    (`check_list`)."""
    ids = check_list(name, value)
    for position, item in enumerate(ids):
        check_text(f"{name}[{position}]", item)
    return ids  # type: ignore[return-value]  # each item checked to be a str


def to_enum(enum_cls: type[_E], name: str, value: object) -> _E | None:
    """Accept an enum member or its raw value; reject anything undocumented."""
    if value is None or isinstance(value, enum_cls):
        return value
    if not isinstance(value, bool) and isinstance(value, (int, str)):
        try:
            return enum_cls(value)
        except ValueError:
            pass
    allowed = ", ".join(repr(member.value) for member in enum_cls)
    raise RequestValidationError(name, f"must be one of {allowed}, got {value!r}")

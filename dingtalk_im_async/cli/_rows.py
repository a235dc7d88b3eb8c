"""How one input row (a CSV row or a JSON Lines object) becomes a request of any operation.

Everything comes from the request class and the one converter (`_wire`):
the keys a row may use are each field's wire name or its Python name; a
field holding settings (`management_options`) is one object in JSON Lines
and one column per setting in CSV; CSV cells are converted by the field's
type (lists split on the separator, numbers parsed, an empty cell is "not
set"). The request itself is built by `converter.structure`, so its
validators run and a bad row is refused with their words, before any I/O.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs

from .._core.fields import check_list, to_ids
from .._core.wire import converter, describe_mismatch, wire_names
from ..errors import RequestValidationError

__all__ = [
    "Column",
    "RowError",
    "columns",
    "preset_values",
    "request_from_row",
    "required_columns",
]

RequestT = TypeVar("RequestT")


class RowError(ValueError):
    """A row that cannot become a request; the message says why, naming the field."""


@attrs.define(frozen=True)
class Column:
    """Where a row's key goes on the wire, and how a CSV cell for it is read."""

    path: tuple[str, ...]
    kind: str  # "text", "integer", "boolean", "ids" (of strings), "list" or "object"


def _kind(annotation: Any) -> str:
    options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kinds = {_kind(option) for option in options}
        if "integer" in kinds:  # `ConversationTag | int`
            return "integer"
        return kinds.pop() if len(kinds) == 1 else "text"
    if typing.get_origin(annotation) is tuple:
        return "ids" if annotation == tuple[str, ...] else "list"
    if isinstance(annotation, type):
        if attrs.has(annotation):
            return "object"
        if issubclass(annotation, bool):
            return "boolean"
        if issubclass(annotation, int) or (
            issubclass(annotation, enum.Enum) and all(isinstance(m.value, int) for m in annotation)
        ):
            return "integer"
    return "text"


def _fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    resolved: tuple[attrs.Attribute[Any], ...] = attrs.fields(attrs.resolve_types(cls))
    return resolved


def columns(request_type: type) -> dict[str, Column]:
    """Every key a row may use for `request_type`: wire and Python names, settings flattened."""
    found: dict[str, Column] = {}
    keys = wire_names(request_type)
    for field in _fields(request_type):
        kind = _kind(field.type)
        column = Column((keys[field.name],), kind)
        found[keys[field.name]] = found[field.name] = column
        if kind == "object":
            nested_type = next(
                arg for arg in (field.type, *typing.get_args(field.type)) if attrs.has(arg)
            )
            nested_keys = wire_names(nested_type)
            for nested in _fields(nested_type):
                flat = Column((keys[field.name], nested_keys[nested.name]), _kind(nested.type))
                found[nested_keys[nested.name]] = found[nested.name] = flat
    return found


def required_columns(request_type: type) -> tuple[str, ...]:
    """The wire names of the fields a row must give (those without a default)."""
    return tuple(
        wire_names(request_type)[field.name]
        for field in _fields(request_type)
        if field.default is attrs.NOTHING
    )


def _cell(text: str, kind: str, separator: str) -> object:
    if kind in ("ids", "list"):
        return [item.strip() for item in text.split(separator) if item.strip()]
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise RowError(f"expected a whole number, got {text!r}") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false", "1", "0"):
            raise RowError(f"expected true or false, got {text!r}")
        return text.lower() in ("true", "1")
    return text


def _wire_row(
    row: Mapping[str, object],
    known: Mapping[str, Column],
    separator: str,
    *,
    text_cells: bool,
) -> dict[str, Any]:
    """The row with wire keys (nested where the wire nests). Text is read by the field's
    kind: every CSV cell (`text_cells`, an empty one meaning "not set"), and in JSON a
    string where a list or a number belongs (`"u1;u2"`)."""
    wire: dict[str, Any] = {}
    for key, value in row.items():
        column = known.get(key)
        if column is None:
            raise RowError(f"{key}: not a field of this operation")
        if text_cells:
            value = "" if value is None else str(value).strip()
            if not value:
                continue
        if isinstance(value, str) and (text_cells or column.kind in ("ids", "list", "integer")):
            try:
                value = _cell(value, column.kind, separator)
            except RowError as error:
                raise RowError(f"{key}: {error}") from None
        if value is not None and column.kind in ("ids", "list"):
            value = _checked_list(key, value, ids=column.kind == "ids")
        if column.kind == "object" and isinstance(value, Mapping):
            for inner, inner_value in value.items():
                nested = known.get(inner)
                if nested is None or nested.path[:1] != column.path:
                    raise RowError(f"{key}: {inner} is not one of its fields")
                _put(wire, nested.path, inner_value, key)
            continue
        _put(wire, column.path, value, key)
    return wire


def _checked_list(key: str, value: object, *, ids: bool) -> tuple[object, ...]:
    """A JSON list as the Python API takes it, by the same check (`_core/fields.py`): a
    list of strings for an id list, else any list; a dict, a number or an object is
    refused with the same words."""
    try:
        return to_ids(key, value) if ids else check_list(key, value, of="values")
    except RequestValidationError as error:
        raise RowError(str(error)) from None


def _put(wire: dict[str, Any], path: tuple[str, ...], value: object, key: str) -> None:
    target = wire
    for part in path[:-1]:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            raise RowError(f"{key}: given twice")
    if path[-1] in target:
        raise RowError(f"{key}: given twice")
    target[path[-1]] = value


def preset_values(
    pairs: Iterable[str], known: Mapping[str, Column], separator: str
) -> dict[str, object]:
    """`KEY=VALUE` texts (`bulk --set`) as values every row gets, each read like a CSV cell
    of its field; `RowError` names a pair that is not `KEY=VALUE` of a known field."""
    values: dict[str, object] = {}
    for pair in pairs:
        key, equals, text = pair.partition("=")
        key = key.strip()
        column = known.get(key)
        if not equals or column is None:
            names = ", ".join(sorted({column.path[-1] for column in known.values()}))
            raise RowError(f"{pair!r}: expected KEY=VALUE with one of these keys: {names}")
        if column.kind == "object":
            raise RowError(f"{key}: give each of its fields with a --set of its own")
        try:
            values[key] = _cell(text.strip(), column.kind, separator)
        except RowError as error:
            raise RowError(f"{key}: {error}") from None
    return values


def request_from_row(
    request_type: type[RequestT],
    row: Mapping[str, object],
    *,
    separator: str | None = None,
    known: Mapping[str, Column] | None = None,
    preset: Mapping[str, object] | None = None,
) -> RequestT:
    """The request a row stands for (`separator` given: a CSV row of text cells), with
    the `preset` values (`preset_values`) added, or `RowError` saying why not: an unknown
    key, a cell of the wrong kind, a key given by the row and the preset, or the words
    of the request's own validation (the same rules as in Python)."""
    known = known if known is not None else columns(request_type)
    wire = _wire_row(
        row,
        known,
        separator if separator is not None else ";",
        text_cells=separator is not None,
    )
    for key, value in (preset or {}).items():
        _put(wire, known[key].path, value, key)
    try:
        return converter.structure(wire, request_type)
    except cattrs.ClassValidationError as error:
        rules = [
            exception
            for exception in error.exceptions
            if isinstance(exception, RequestValidationError)
        ]
        if rules:
            raise RowError(str(rules[0])) from None
        raise RowError(describe_mismatch(request_type, error)) from None
    except RequestValidationError as error:
        raise RowError(str(error)) from None
    except (TypeError, ValueError, KeyError) as error:
        raise RowError(f"{type(error).__name__}: {error}") from None

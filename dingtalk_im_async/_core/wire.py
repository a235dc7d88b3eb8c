"""The one cattrs converter: Python names to DingTalk's wire names and back, for every model.

Every attrs class is handled by the same two hook factories, which know no
family:

- names: a field's wire name is its name in camelCase
  (`open_conversation_id` <-> `openConversationId`), or its Python name as
  it is when the class says `wire_case: ClassVar[WireCase] = WireCase.SNAKE`
  (DingTalk's scene-group bodies), unless the field's metadata names its
  key (`wire("add_useridlist")`: DingTalk's own exceptions);
- bodies: fields equal to their default are left out, so optional fields
  default to None: an update that renames a group never sends (and so never
  resets) its settings;
- enums: every enum a model's fields use goes on the wire as its value, and
  comes back as its member, or, for `SomeEnum | int` (or `| str`), as the raw
  value when DingTalk sends one the docs do not list;
- a model whose wire shape is not its fields' declares it: a method
  `_to_wire(self) -> dict` and a classmethod `_from_wire(cls, data)`
  (`GroupMessage`, whose `message` is `msgKey` and `msgParam` on the wire).

Structuring is strict (a number where a string belongs is an error, not
`str(123)`): a reply that does not match the docs must become a
`ResponseError` (`mismatch`). The CLI reads inputs and writes results
through this converter too.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ..errors import ResponseError
from .redaction import scrubbed

__all__ = [
    "WIRE_KEY",
    "WireCase",
    "converter",
    "describe_mismatch",
    "from_wire",
    "mismatch",
    "result_from_body",
    "to_wire",
    "wire",
    "wire_name",
    "wire_names",
]

T = TypeVar("T")

#: The attrs metadata key naming a field's wire key when the class's case does not give it.
WIRE_KEY = "dingtalk_wire"
#: The method an attrs class defines to write its own wire body, and the classmethod that
#: reads one back.
TO_WIRE, FROM_WIRE = "_to_wire", "_from_wire"


class WireCase(enum.Enum):
    """How a class's field names become wire names (its `wire_case` class attribute)."""

    CAMEL = "camel"
    """`open_conversation_id` -> `openConversationId`: most of DingTalk's API."""
    SNAKE = "snake"
    """The Python name as it is: the scene-group API's bodies."""


def wire(name: str) -> dict[str, str]:
    """Field metadata for a wire key that is not the class's case of the Python name:
    `field(default=None, metadata=wire("add_useridlist"))`."""
    return {WIRE_KEY: name}


converter = cattrs.Converter()


@functools.cache
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_name(attribute: attrs.Attribute[Any], case: WireCase = WireCase.CAMEL) -> str:
    """The key a field has on the wire: its metadata's, else its name in the class's case."""
    named = attribute.metadata.get(WIRE_KEY)
    if isinstance(named, str):
        return named
    return _camel(attribute.name) if case is WireCase.CAMEL else attribute.name


_WIRE_NAMES: dict[type, dict[str, str]] = {}


def wire_names(cls: type) -> dict[str, str]:
    """Each field of the attrs class `cls` by Python name, with its key on the wire."""
    names = _WIRE_NAMES.get(cls)
    if names is None:
        case = getattr(cls, "wire_case", WireCase.CAMEL)
        names = {field.name: wire_name(field, case) for field in attrs.fields(cls)}
        _WIRE_NAMES[cls] = names
    return names


def _renames(cls: type) -> dict[str, Any]:
    return {name: override(rename=key) for name, key in wire_names(cls).items() if key != name}


def _unstructure_factory(cls: type) -> Callable[[Any], Any]:
    own: Callable[[Any], Any] | None = getattr(cls, TO_WIRE, None)
    if own is not None:
        return own
    for member in _enums_of(cls):
        converter.register_unstructure_hook(member, _enum_value)
    return make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **_renames(cls))


def _structure_factory(cls: type) -> Callable[[Any, type], Any]:
    own: Callable[[Any], Any] | None = getattr(cls, FROM_WIRE, None)
    if own is not None:
        return lambda data, _type: own(data)
    return make_dict_structure_fn(cls, converter, **_renames(cls))


def _enums_of(cls: type) -> Iterator[type[enum.Enum]]:
    """The enums the fields of `cls` use, in unions and tuples too (str and int enums would
    otherwise go on the wire as members: cattrs dispatches on their str/int base first)."""
    for field in attrs.fields(attrs.resolve_types(cls)):
        pending: list[Any] = [field.type]
        while pending:
            kind = pending.pop()
            if isinstance(kind, type) and issubclass(kind, enum.Enum):
                yield kind
            pending += typing.get_args(kind)


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _strict_str(value: object, _type: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _strict_bool(value: object, _type: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value


def _strict_int(value: object, _type: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _is_string_tuple(cls: Any) -> bool:
    return bool(cls == tuple[str, ...])


def _strict_strings(value: object, _type: object) -> tuple[str, ...]:
    """A list of strings: a lone string is refused (cattrs would split it into letters)."""
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"expected a list of strings, got {type(value).__name__}")
    return tuple(_strict_str(item, str) for item in value)


def _documented_or_raw_parts(cls: Any) -> tuple[type[enum.Enum], type, bool] | None:
    """(the enum, its raw type, whether None is allowed) of `SomeEnum | int [| None]` or
    `SomeEnum | str [| None]`, with an int or str enum; else None."""
    if not isinstance(cls, types.UnionType) and typing.get_origin(cls) is not typing.Union:
        return None
    args = set(typing.get_args(cls))
    optional = type(None) in args
    rest = args - {type(None)}
    raws = rest & {int, str}
    if len(raws) != 1 or len(rest) != 2:
        return None
    (raw,) = raws
    (member,) = rest - raws
    if isinstance(member, type) and issubclass(member, enum.Enum) and issubclass(member, raw):
        return member, raw, optional
    return None


def _documented_or_raw_hook(cls: Any) -> Callable[[object, Any], Any]:
    """The structure hook of `SomeEnum | raw [| None]`, built once per type: a documented
    value as its enum member, any other value of the raw type kept as it is (a reply with
    a value DingTalk added later must not hide the group); None where the type allows it.

    Members are looked up in a dict made here: inspecting the type and calling the enum
    for every value cost microseconds per reply.
    """
    parts = _documented_or_raw_parts(cls)
    assert parts is not None  # only registered for such types
    enum_type, raw, optional = parts
    members: dict[object, enum.Enum] = {member.value: member for member in enum_type}
    check = _strict_int if raw is int else _strict_str

    def structure(value: object, _type: Any) -> Any:
        if value is None and optional:
            return None
        plain = check(value, raw)
        return members.get(plain, plain)

    return structure


converter.register_unstructure_hook_factory(attrs.has, _unstructure_factory)
converter.register_structure_hook_factory(attrs.has, _structure_factory)
converter.register_structure_hook(str, _strict_str)
converter.register_structure_hook(bool, _strict_bool)
converter.register_structure_hook(int, _strict_int)
converter.register_structure_hook_func(_is_string_tuple, _strict_strings)
converter.register_structure_hook_factory(
    lambda cls: _documented_or_raw_parts(cls) is not None, _documented_or_raw_hook
)


def to_wire(obj: Any) -> dict[str, Any]:
    """The JSON object DingTalk expects for a request (or writes for a result)."""
    body: dict[str, Any] = converter.unstructure(obj)
    return body


def from_wire(cls: type[T], data: Any) -> T:
    """`cls` from a decoded wire object; raises cattrs' errors on a mismatch."""
    return converter.structure(data, cls)


def describe_mismatch(cls: type, error: BaseException) -> str:
    """Why `data` did not fit `cls`, naming the wire fields (as the reader of a reply knows
    them), for a `ResponseError`."""
    if isinstance(error, cattrs.ClassValidationError):
        notes = cattrs.transform_error(error)
        return "; ".join(_wire_path(cls, note) for note in notes)
    return type(error).__name__


def _wire_path(cls: type, note: str) -> str:
    if attrs.has(cls):
        for name, key in wire_names(cls).items():
            note = note.replace(f"$.{name}", f"$.{key}")
    return note


#: What structuring a reply that does not fit its class raises.
MISMATCHES = (cattrs.BaseValidationError, TypeError, ValueError, KeyError)


def mismatch(
    what: str, cls: type, error: BaseException, *, status: int, reply: Any
) -> ResponseError:
    """The `ResponseError` for a reply to `what` (an API name) that does not fit `cls`."""
    reason = describe_mismatch(cls, error) or "fields do not match the docs"
    return ResponseError(f"unexpected {what} reply ({reason})", status=status, excerpt=repr(reply))


def result_from_body(body: object, *, status: int, cls: type[T]) -> T:
    """`cls` from a success reply's body, or `ResponseError` naming the mismatch."""
    if not isinstance(body, dict):
        raise ResponseError("expected a JSON object", status=status, excerpt=repr(body))
    try:
        return from_wire(cls, body)
    except MISMATCHES as error:
        failure, cause = mismatch(cls.__name__, cls, error, status=status, reply=body), error
    raise failure from scrubbed(cause)  # out of the `except`: the reply's values may hold a secret

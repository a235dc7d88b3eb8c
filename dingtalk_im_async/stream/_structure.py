"""A fast path from a decoded payload to a Stream model, built once per class from its fields.

The project's cattrs converter structures every field through a generic
hook (a `str | None` goes through a union dispatch, then a strict check),
about 7 µs for a bot message. Nearly every payload has the documented shape,
so for each model a function is generated once, from its attrs fields and
their wire names, that checks each value's exact type and builds the model
directly (about 3 µs). Anything outside that shape (a missing required key,
a value of another type, a list where an object belongs) makes it return
None, and the caller hands the payload to the converter, which gives the
same result or raises its usual, detailed error. So the fast path changes no
outcome; tests/stream/test_stream_structure.py compares the two on
generated payloads.

Supported field types (all the Stream models use): `str`, `int`, `bool`,
`dict[str, Any]`, an attrs class, `tuple[X, ...]` of `str` or an attrs
class, and each of these `| None`. Building for any other type raises
`TypeError`, so a new field of an unsupported type is caught by the tests.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from .._wire import wire_name

__all__ = ["build_structure"]

_T = TypeVar("_T")
_SCALARS: dict[Any, str] = {str: "str", int: "int", bool: "bool"}
#: The class of `attrs.Factory(...)` defaults (attrs' stubs type `Factory` as a function).
_FACTORY: type[Any] = type(attrs.Factory(list))


class _Missing:
    """A key that is not in the payload (None is a value on the wire)."""


_MISSING = _Missing()


def build_structure(cls: type[_T]) -> Callable[[Mapping[str, Any]], _T | None]:
    """A function that builds `cls` from a payload of the common shape, else returns None."""
    return _Builder().function(cls)


class _Builder:
    """Generates the source of one structure function per class (nested ones included)."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"_MISSING": _MISSING, "_strings": _strings}
        self._functions: dict[type, str] = {}

    def function(self, cls: type[_T]) -> Callable[[Mapping[str, Any]], _T | None]:
        built: Callable[[Mapping[str, Any]], _T | None] = self.namespace[self._name_of(cls)]
        return built

    def _name_of(self, cls: type) -> str:
        """The name of `cls`'s function in the namespace, generating it on first need."""
        if cls in self._functions:
            return self._functions[cls]
        name = f"_structure_{cls.__name__}_{len(self._functions)}"
        self._functions[cls] = name
        self.namespace[f"_cls_{name}"] = cls
        hints = typing.get_type_hints(cls)
        lines = [f"def {name}(d):"]
        arguments = []
        for number, field in enumerate(attrs.fields(cls)):
            if not field.init:
                raise TypeError(f"{cls.__name__}.{field.name}: init=False is not supported")
            variable = f"v{number}"
            lines += self._field_lines(cls, field, hints[field.name], variable)
            arguments.append(f"{field.alias}={variable}")
        lines.append(f"    return _cls_{name}({', '.join(arguments)})")
        source = "\n".join(lines)
        exec(compile(source, f"<structure {cls.__qualname__}>", "exec"), self.namespace)
        return name

    def _field_lines(
        self, cls: type, field: attrs.Attribute[Any], annotation: Any, variable: str
    ) -> list[str]:
        key = wire_name(field)
        kind, optional = _unwrap_optional(annotation)
        check = self._value_check(cls, field, kind, variable)
        default = field.default
        if default is None and optional:
            # Missing and null are the same value: None.
            return [f"    {variable} = d.get({key!r})", f"    if {variable} is not None:", *check]
        lines = [f"    {variable} = d.get({key!r}, _MISSING)", f"    if {variable} is _MISSING:"]
        if default is attrs.NOTHING:
            lines.append("        return None")  # required: the converter names the key
        elif isinstance(default, _FACTORY):
            if default.takes_self:
                raise TypeError(f"{cls.__name__}.{field.name}: takes_self is not supported")
            self.namespace[f"_default_{variable}_{id(field)}"] = default.factory
            lines.append(f"        {variable} = _default_{variable}_{id(field)}()")
        else:
            self.namespace[f"_default_{variable}_{id(field)}"] = default
            lines.append(f"        {variable} = _default_{variable}_{id(field)}")
        if optional:
            lines.append(f"    elif {variable} is not None:")
        else:
            lines.append("    else:")
        return [*lines, *check]

    def _value_check(
        self, cls: type, field: attrs.Attribute[Any], kind: Any, variable: str
    ) -> list[str]:
        """Lines (indented for a branch) that check `variable` and turn it into `kind`."""
        indent = "        "
        if kind in _SCALARS:
            return [f"{indent}if type({variable}) is not {_SCALARS[kind]}: return None"]
        if attrs.has(kind):
            nested = self._name_of(kind)
            return [
                f"{indent}if type({variable}) is not dict: return None",
                f"{indent}{variable} = {nested}({variable})",
                f"{indent}if {variable} is None: return None",
            ]
        origin, arguments = typing.get_origin(kind), typing.get_args(kind)
        if origin is dict and arguments[:1] == (str,) and arguments[1] is Any:
            return [
                f"{indent}if type({variable}) is not dict: return None",
                f"{indent}{variable} = _strings({variable})",
                f"{indent}if {variable} is None: return None",
            ]
        if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
            item = arguments[0]
            if item is str:
                element = "_e if type(_e) is str else None"
            elif attrs.has(item):
                element = f"{self._name_of(item)}(_e) if type(_e) is dict else None"
            else:
                raise TypeError(f"{cls.__name__}.{field.name}: tuple of {item!r} not supported")
            return [
                f"{indent}if type({variable}) is not list: return None",
                f"{indent}{variable} = tuple([{element} for _e in {variable}])",
                f"{indent}if None in {variable}: return None",
            ]
        raise TypeError(f"{cls.__name__}.{field.name}: {kind!r} is not supported")


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """(X, True) for `X | None`, else (annotation, False)."""
    is_union = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is (
        typing.Union
    )
    if not is_union:
        return annotation, False
    rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    if len(rest) != 1 or len(rest) == len(typing.get_args(annotation)):
        raise TypeError(f"{annotation!r}: only `X | None` unions are supported")
    return rest[0], True


def _strings(value: dict[Any, Any]) -> dict[str, Any] | None:
    """A copy of a JSON object (the converter copies too), if every key is a string."""
    for key in value:
        if type(key) is not str:
            return None
    return dict(value)

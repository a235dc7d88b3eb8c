"""Stream models on the project's one cattrs converter: camelCase wire names by default.

Until `_wire` renames every attrs class itself (issue 11), this module
registers the stream models on `dingtalk_im_async._wire.converter` with the
same rules the lead's converter will apply: the wire name is the camelCase of
the Python name, unless the field's metadata says otherwise (`wire("userId")`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .._wire import converter

__all__ = ["DecodeError", "from_wire", "register", "to_wire", "wire"]

_WIRE_KEY = "dingtalk_wire_name"
_T = TypeVar("_T")


class DecodeError(ValueError):
    """A payload does not match its model; `reason` names the wire fields that failed."""


def wire(name: str) -> dict[str, str]:
    """attrs metadata for a field whose wire name is not the camelCase of its name."""
    return {_WIRE_KEY: name}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _wire_name(attribute: attrs.Attribute[Any]) -> str:
    name = attribute.metadata.get(_WIRE_KEY)
    return name if isinstance(name, str) else _camel(attribute.name)


def register(*classes: type[Any]) -> None:
    """Teach the converter each class's wire names, both ways (None fields left out)."""
    for cls in classes:
        renames: dict[str, Any] = {
            a.name: override(rename=_wire_name(a)) for a in attrs.fields(cls)
        }
        converter.register_structure_hook(cls, make_dict_structure_fn(cls, converter, **renames))
        unset: dict[str, Any] = {
            a.name: override(rename=_wire_name(a), omit_if_default=a.default is None)
            for a in attrs.fields(cls)
        }
        converter.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, converter, **unset))


def from_wire(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """Structure `data` (wire keys) into `cls`; any mismatch becomes `DecodeError`."""
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as error:
        raise DecodeError(_describe(cls, error)) from error


def to_wire(obj: Any) -> dict[str, Any]:
    """The wire form of a stream model (fields that are None left out)."""
    data: dict[str, Any] = converter.unstructure(obj)
    return data


def _describe(cls: type[Any], error: BaseException) -> str:
    """The failed fields by their wire names: that is what the reader of the payload knows."""
    if not isinstance(error, cattrs.ClassValidationError):
        return f"{type(error).__name__}: {error}"
    notes = cattrs.transform_error(error)
    if attrs.has(cls):
        for attribute in attrs.fields(cls):
            notes = [
                note.replace(f"$.{attribute.name}", f"$.{_wire_name(attribute)}") for note in notes
            ]
    return "; ".join(notes) or "fields do not match"

"""Stream payloads into their models: the fast path for the usual shape, else the converter.

A payload that does not fit its model is not a reply to a call of ours, so
it is not a `ResponseError`: it is a `DecodeError`, which the intake turns
into an `UnknownEvent` or an "unreadable frame" log line. The common shape
takes a function built once per class (`_structure`); anything else goes
through the project's one converter (`_wire`), which gives the same result
or the detailed error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import cattrs

from .._wire import describe_mismatch, to_wire
from .._wire import from_wire as _structure
from ._structure import build_structure

__all__ = ["DecodeError", "from_wire", "to_wire"]

_T = TypeVar("_T")

#: Each model's fast structure function, built on its first payload.
_FAST: dict[type, Callable[[Mapping[str, Any]], Any]] = {}


class DecodeError(ValueError):
    """A payload does not match its model; the message names the wire fields that failed."""


def from_wire(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """Structure `data` (wire keys) into `cls`; any mismatch becomes `DecodeError`."""
    fast = _FAST.get(cls)
    if fast is None:
        fast = _FAST[cls] = build_structure(cls)
    item: _T | None = fast(data)
    if item is not None:
        return item
    try:
        return _structure(cls, data)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as error:
        raise DecodeError(describe_mismatch(cls, error) or "fields do not match") from error

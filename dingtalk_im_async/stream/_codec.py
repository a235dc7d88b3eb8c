"""Stream payloads through the project's one converter (`_wire`), with a failure of their own.

A payload that does not fit its model is not a reply to a call of ours, so
it is not a `ResponseError`: it is a `DecodeError`, which the intake turns
into an `UnknownEvent` or an "unreadable frame" log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import cattrs

from .._core.wire import describe_mismatch, to_wire
from .._core.wire import from_wire as _structure

__all__ = ["DecodeError", "from_wire", "to_wire"]

_T = TypeVar("_T")


class DecodeError(ValueError):
    """A payload does not match its model; the message names the wire fields that failed."""


def from_wire(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """Structure `data` (wire keys) into `cls`; any mismatch becomes `DecodeError`."""
    try:
        return _structure(cls, data)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as error:
        raise DecodeError(describe_mismatch(cls, error) or "fields do not match") from error

"""The last release's helpers of this package that went: each still works, with a
DeprecationWarning, until the next release.

Which code raises which class is now declared by each API family; the old
helpers searched one table of every code, so they join the tables of the
families loaded (this package, at the bottom of the import graph, never
imports a family).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from ._base import DingTalkError
from ._replies import ApiError
from .codes import COMMON_CODES, ErrorCodes

__all__ = ["resolve"]


def _every_code() -> ErrorCodes:
    """The common codes and those of every endpoint a loaded family declares."""
    codes = COMMON_CODES
    for name, module in list(sys.modules.items()):
        if name.startswith("dingtalk_im_async.") and name.endswith(".api") and module:
            for value in vars(module).values():
                table = getattr(value, "codes", None)
                if isinstance(table, ErrorCodes):
                    codes = codes | table
    return codes


def api_error_for(**reply: Any) -> ApiError:
    """The last release's `api_error_for`: every family's codes at once."""
    return _every_code().api_error(**reply)


def legacy_error_for(**reply: Any) -> ApiError:
    """The last release's `legacy_error_for`: every family's codes at once."""
    return _every_code().legacy_error(**reply)


def mark_not_sent(error: DingTalkError) -> DingTalkError:
    """The last release's `mark_not_sent`: the call's request never reached the wire (what
    the transport now records itself)."""
    error.reached_wire = False
    return error


def _refusals(legacy: bool) -> frozenset[str]:
    return frozenset(
        code for code in _every_code().refusals if code.lstrip("-").isdigit() == legacy
    )


_OLD: Mapping[str, tuple[Callable[[], object], str]] = {
    "api_error_for": (lambda: api_error_for, "an endpoint's codes: ENDPOINT.codes.api_error(...)"),
    "legacy_error_for": (
        lambda: legacy_error_for,
        "an endpoint's codes: ENDPOINT.codes.legacy_error(...)",
    ),
    "mark_not_sent": (
        lambda: mark_not_sent,
        "the transport records whether a request reached the wire",
    ),
    "DOCUMENTED_REFUSALS": (
        lambda: _refusals(legacy=False),
        "each family's api.py declares its refusals",
    ),
    "LEGACY_REFUSALS": (
        lambda: _refusals(legacy=True),
        "each family's api.py declares its refusals",
    ),
}


def resolve(name: str) -> object:
    """The old `dingtalk_im_async.errors.name`, with a DeprecationWarning."""
    if name not in _OLD:
        raise AttributeError(f"module 'dingtalk_im_async.errors' has no attribute {name!r}")
    build, instead = _OLD[name]
    warnings.warn(
        f"dingtalk_im_async.errors.{name} is deprecated and goes in the next release: {instead}",
        DeprecationWarning,
        stacklevel=3,
    )
    return build()

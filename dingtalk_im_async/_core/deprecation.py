"""One way to say "deprecated": a DeprecationWarning pointing at the caller's own line,
however deep in this package the old spelling was noticed."""

from __future__ import annotations

import sys
import warnings

__all__ = ["warn_deprecated"]

_PACKAGE = __name__.split(".")[0] + "."


def warn_deprecated(message: str) -> None:
    """Warn `message`, attributed to the first frame outside this package."""
    frame = sys._getframe(1)
    level = 2
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, DeprecationWarning, stacklevel=level)

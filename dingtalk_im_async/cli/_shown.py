"""What `dingtalk-im` prints or records of an error: its text, scrubbed of secrets.

Our errors are scrubbed when made; this also covers any other exception a
command reports, so no `failed:` line or results record shows a token.
"""

from __future__ import annotations

from .._core.redaction import redact

__all__ = ["error_text"]


def error_text(error: BaseException) -> str:
    """`str(error)` with every secret scrubbed (`_core/redaction.py`)."""
    return redact(str(error))

"""Identifiers shaped like DingTalk's, so code that logs or stores them sees realistic values.

All are drawn from `os.urandom` (128 bits each): unique in practice, cheap
to make, and never derived from a test's seed, so a seeded fault plan does
not also fix the ids.
"""

from __future__ import annotations

import base64
import os

__all__ = [
    "access_token",
    "chatid",
    "open_conversation_id",
    "process_query_key",
    "request_id",
    "suite_ticket",
    "trace_id",
]


def open_conversation_id() -> str:
    """`cid` and standard base64 of 16 bytes, e.g. `cidq2RZ+kG6Lw3J0Yp1vb/9Eg==`."""
    return "cid" + base64.b64encode(os.urandom(16)).decode()


def chatid() -> str:
    """The legacy group id: `chat` and 32 hex digits."""
    return "chat" + os.urandom(16).hex()


def process_query_key() -> str:
    """Standard base64 of 32 bytes, as a robot message's `processQueryKey`."""
    return base64.b64encode(os.urandom(32)).decode()


def access_token() -> str:
    """32 hex digits, the length of DingTalk's enterprise access tokens."""
    return os.urandom(16).hex()


def suite_ticket() -> str:
    """A suite ticket: letters and digits (DingTalk's are opaque texts of about this length)."""
    return os.urandom(24).hex()


def request_id() -> str:
    """An upper-case GUID, as in `requestid` and `x-acs-request-id`."""
    raw = os.urandom(16).hex().upper()
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def trace_id() -> str:
    """30 hex digits, as in `x-acs-trace-id`."""
    return os.urandom(15).hex()

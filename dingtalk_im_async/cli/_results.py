"""The results file of `dingtalk-im bulk` and its journal: what is written, and how.

Results are JSON Lines, one record per input, each written with a single
`write()` to a file opened for appending, so a finished outcome is in the
OS's hands as soon as it arrives and a process crash cannot tear a record
(a torn last line, after a power loss, is ignored by `--resume`); the file
is fsynced on exit.

Creating is not idempotent, so before each call the input's line goes to a
journal beside the results (`RESULTS.sending`). A line in the journal
without a record in the results was in flight when the run died: its group
may exist. `--resume` records those as `unknown` and, like `created` ones,
does not send them again (`--retry-unknown` does).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import ApiError, ResponseError, TransportError
from ..models import CreateGroupResult

__all__ = [
    "CREATED",
    "FAILED",
    "INVALID",
    "UNKNOWN",
    "AppendLog",
    "abandoned_record",
    "created_record",
    "describe_error",
    "error_record",
    "invalid_record",
    "journal_path",
    "status_of",
]

CREATED = "created"
FAILED = "failed"
INVALID = "invalid"
UNKNOWN = "unknown"


def journal_path(results: Path) -> Path:
    return results.with_name(results.name + ".sending")


class AppendLog:
    """A JSON Lines file that only grows, one `os.write` per record."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        data = _encoded(record)
        written = os.write(self._fd, data)
        while written < len(data):  # only on a full disk or a signal; keep the record whole
            written += os.write(self._fd, data[written:])

    def close(self) -> None:
        """fsync, then close."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _encoded(record: dict[str, Any]) -> bytes:
    """One JSON line in UTF-8, readable as is; text UTF-8 cannot hold (a lone surrogate
    from the input) is written as a JSON escape (`\\ud800`), which reads back the same."""
    text = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        return text.encode()
    except UnicodeEncodeError:
        return (json.dumps(record, ensure_ascii=True) + "\n").encode()


def created_record(line: int, name: str, result: CreateGroupResult) -> dict[str, Any]:
    return {
        "line": line,
        "name": name,
        "status": CREATED,
        "openConversationId": result.open_conversation_id,
        "chatid": result.chatid,
        "conversationTag": int(result.conversation_tag),
    }


def error_record(line: int, name: str, error: BaseException) -> dict[str, Any]:
    return {"line": line, "name": name, "status": status_of(error), **describe_error(error)}


def invalid_record(line: int, name: str, problem: str) -> dict[str, Any]:
    return {
        "line": line,
        "name": name,
        "status": INVALID,
        "code": "InvalidInput",
        "message": problem,
    }


def abandoned_record(line: int, name: str) -> dict[str, Any]:
    return {
        "line": line,
        "name": name,
        "status": UNKNOWN,
        "code": "Abandoned",
        "message": "the run was stopped while this create was in flight; the group may exist",
    }


def describe_error(error: BaseException) -> dict[str, Any]:
    """An outcome's error as record fields: code and message, and for API errors more."""
    if isinstance(error, ApiError):
        summary: dict[str, Any] = {
            "code": error.code,
            "message": error.message,
            "httpStatus": error.status,
        }
        if error.request_id:
            summary["requestId"] = error.request_id
        return summary
    return {"code": type(error).__name__, "message": str(error)}


def status_of(error: BaseException) -> str:
    """`unknown` when the call may have reached DingTalk (the group may exist), else `failed`.

    An undocumented reply with a 2xx or 5xx status (truncated JSON, a gateway's
    error page) may follow a create DingTalk carried out, so it is `unknown` too:
    `--resume` must not send it again unless `--retry-unknown` says so.
    """
    if isinstance(error, TransportError) and error.may_have_reached_server:
        return UNKNOWN
    if isinstance(error, ResponseError) and (200 <= error.status < 300 or error.status >= 500):
        return UNKNOWN
    return FAILED

"""The results file of `dingtalk-im bulk` and its journal: what is written, and how.

Results are JSON Lines, one record per input, each written with a single
`write()` to a file opened for appending, so a finished outcome is in the
OS's hands as soon as it arrives and a process crash cannot tear a record
(a torn last line, after a power loss, is ignored by `--resume`); the file
is fsynced on exit.

A failed input's status is its error's verdict (`errors.Verdict`, decided in
`errors.py` only): `not_sent` (never left this process), `failed` (DingTalk
refused it: nothing applied) or `unknown` (it may have taken effect).
Creating is not idempotent, so before each call the input's line goes to a
journal beside the results (`RESULTS.sending`). A line in the journal
without a record in the results was in flight when the run died: its group
may exist. `--resume` records those as `unknown` and, like `created` ones,
does not send them again (`--retry-unknown` does); `failed` and `not_sent`
inputs are always sent again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .._core.wire import to_wire
from ..errors import ApiError, DingTalkError, Verdict
from ..groups.models import CreateGroupResult
from ._shown import error_text

__all__ = [
    "CREATED",
    "DONE",
    "FAILED",
    "INVALID",
    "NOT_SENT",
    "OK",
    "UNKNOWN",
    "AppendLog",
    "abandoned_record",
    "created_record",
    "describe_error",
    "done_record",
    "error_record",
    "invalid_record",
    "journal_path",
    "status_of",
]

CREATED = "created"
OK = "ok"
#: Statuses of inputs that are done: `--resume` never sends them again.
DONE = frozenset({CREATED, OK})
FAILED = "failed"
INVALID = "invalid"
NOT_SENT = "not_sent"
UNKNOWN = "unknown"
_STATUS_OF_VERDICT = {
    Verdict.NOT_SENT: NOT_SENT,
    Verdict.REJECTED: FAILED,
    Verdict.UNKNOWN: UNKNOWN,
}


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
    return done_record(line, name, result, status=CREATED)


def done_record(line: int, name: str, result: object, *, status: str = OK) -> dict[str, Any]:
    """A success: the result's wire fields (through the one converter) after the status;
    `created` for a create, `ok` for any other operation."""
    return {"line": line, "name": name, "status": status, **to_wire(result)}


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


def abandoned_record(line: int, name: str, past: str = "created") -> dict[str, Any]:
    """An input in flight when the run was abandoned; `past` is the operation's past tense."""
    return {
        "line": line,
        "name": name,
        "status": UNKNOWN,
        "code": "Abandoned",
        "message": f"the run was stopped while this input was in flight; it may have been {past}",
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
    return {"code": type(error).__name__, "message": error_text(error)}


def status_of(error: BaseException) -> str:
    """The record status of a failed input: its verdict, as `not_sent`, `failed` (rejected)
    or `unknown`. An error that is not ours is `unknown`, as any failure we cannot name."""
    verdict = error.verdict if isinstance(error, DingTalkError) else Verdict.UNKNOWN
    return _STATUS_OF_VERDICT[verdict]

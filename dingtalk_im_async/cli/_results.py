"""The results file of `dingtalk-im bulk` and its journal: what is written, and how.

Results are JSON Lines, one record per input, each written with a single
`write()` to a file opened for appending, so a finished outcome is in the
OS's hands as soon as it arrives and a process crash cannot tear a record
(a torn last line, after a power loss, is ignored by `--resume`); the file
is fsynced on exit. A write the disk refuses part of the way is cut back to
the last whole record (`AppendLog`); what the run then does is `_recorder`'s.

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

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from .._core.wire import to_wire
from ..errors import ApiError, Verdict, verdict_of
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
    "RecordNotWrittenError",
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


class RecordNotWrittenError(OSError):
    """A record did not reach its file (a full disk, an I/O error, a file size limit); the
    file was cut back to its last whole record. `reached_wire` False: raised before a call
    (its journal line), it means the call was not sent."""

    reached_wire = False


class AppendLog:
    """A JSON Lines file that only grows, one `os.write` per record, never a torn one.

    A write the disk refuses (`ENOSPC`, `EIO`, `EFBIG`) may have put part of the
    record in the file: the file is cut back to where the record began and the
    write raises `RecordNotWrittenError`. A file removed or replaced underneath (its path
    no longer leads to it) is noted in `moved`: records still go to the open file,
    and `close` writes them back to the path if nothing is there.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        #: Why the path no longer leads to this file ("removed", ...), once it does not.
        self.moved: str | None = None

    def write(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        data = _encoded(record)
        start = None
        try:
            start = os.fstat(self._fd).st_size  # O_APPEND: the record goes there
            written = os.write(self._fd, data)
            while written < len(data):  # only on a full disk or a signal; keep it whole
                written += os.write(self._fd, data[written:])
        except OSError as error:
            if start is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, start)
            raise RecordNotWrittenError(error.errno, error.strerror, str(self.path)) from error
        self.moved = self.moved or self._where()

    def _where(self) -> str | None:
        """None while the path leads to the open file, else what became of it."""
        assert self._fd is not None
        try:
            mine = os.fstat(self._fd)
            there = self.path.stat()
        except FileNotFoundError:
            return "removed"
        except OSError as error:
            return f"unreachable ({error.strerror})"
        if (there.st_dev, there.st_ino) != (mine.st_dev, mine.st_ino):
            return "replaced"
        return None

    def close(self) -> str | None:
        """fsync, write a moved file back to its path, then close; what went wrong, if
        anything, in words (the records are whole either way)."""
        if self._fd is None:
            return None
        fd, self._fd = self._fd, None
        problem = None
        try:
            try:
                os.fsync(fd)
            except OSError as error:
                problem = f"{self.path} could not be saved to disk ({error.strerror})"
            if self.moved:
                problem = self._write_back(fd)
        finally:
            os.close(fd)
        return problem

    def _write_back(self, fd: int) -> str:
        """Put the records of the moved file back at its path, unless something is there."""
        what = f"{self.path} was {self.moved} while the run wrote to it"
        try:
            data = os.pread(fd, os.fstat(fd).st_size, 0)
            out = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as error:
            return f"{what}; its records could not be written back ({error.strerror})"
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(out, view) :]
            os.fsync(out)
        except OSError as error:
            os.close(out)
            with contextlib.suppress(OSError):
                self.path.unlink()
            return f"{what}; its records could not be written back ({error.strerror})"
        os.close(out)
        return f"{what}; its records were written back there"


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
    or `unknown`. An error that is not ours is `unknown`, as any failure we cannot name,
    unless it says it was raised before the call (`RecordNotWrittenError`: a journal line)."""
    return _STATUS_OF_VERDICT[verdict_of(error)]

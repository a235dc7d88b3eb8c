"""The results file of `dingtalk-im bulk`, and what makes `--resume` safe.

Results are JSON Lines, one record per input, each written with a single
`write()` to a file opened for appending, so a finished outcome is on disk
(in the OS's hands) as soon as it arrives and a crash cannot leave half a
record behind; the file is fsynced on exit.

Creating is not idempotent, so before each call the input's line goes to a
journal beside the results (`RESULTS.sending`). A line in the journal
without a record in the results was in flight when the run died: its group
may exist. `--resume` records those as `unknown` and, like `created` ones,
does not send them again (`--retry-unknown` does).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from attrs import define, field

from ..errors import ApiError, TransportError

__all__ = [
    "CREATED",
    "FAILED",
    "INVALID",
    "UNKNOWN",
    "AppendLog",
    "Previous",
    "describe_error",
    "journal_path",
    "prepare_resume",
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
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode()
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
    """`unknown` when the call may have reached DingTalk (the group may exist), else `failed`."""
    if isinstance(error, TransportError) and error.may_have_reached_server:
        return UNKNOWN
    return FAILED


@define(kw_only=True)
class Previous:
    """What an earlier run recorded: inputs not to send again, by line number, with names,
    and which of them have an unknown outcome."""

    done: dict[int, str] = field(factory=dict)
    unknown: set[int] = field(factory=set)


def prepare_resume(results: Path, *, retry_unknown: bool) -> Previous:
    """Rewrite the results to keep only final records and collect the lines to skip.

    Kept: `created` and (unless `retry_unknown`) `unknown` records, plus an
    `unknown` record for each journaled line that has none. Dropped: failed
    and invalid records (those inputs run again) and a torn last line. The
    rewrite streams into a temporary file renamed over the old one.
    """
    previous = Previous()
    recorded: set[int] = set()
    temporary = results.with_name(results.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as out:

        def keep(record: dict[str, Any]) -> None:
            name = record.get("name", "")
            previous.done[record["line"]] = name if isinstance(name, str) else ""
            if record.get("status") != CREATED:
                previous.unknown.add(record["line"])
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

        for record in _records(results):
            if record["line"] in previous.done:
                continue
            recorded.add(record["line"])
            status = record.get("status")
            if status == CREATED or (status == UNKNOWN and not retry_unknown):
                keep(record)
        for record in _records(journal_path(results)):
            if record["line"] not in recorded and not retry_unknown:
                recorded.add(record["line"])
                keep(
                    {
                        "line": record["line"],
                        "name": record.get("name", ""),
                        "status": UNKNOWN,
                        "code": "Interrupted",
                        "message": "the run stopped while this create was in flight; "
                        "the group may exist",
                    }
                )
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, results)
    journal_path(results).unlink(missing_ok=True)
    return previous


def _records(path: Path) -> Iterator[dict[str, Any]]:
    """Complete records with a line number; a torn or foreign line is skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as stream:
        for text in stream:
            if not text.endswith("\n"):
                return
            try:
                record = json.loads(text)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("line"), int):
                yield record

"""Where a bulk run's outcomes go, and what happens when they cannot go there.

A full disk, an I/O error, a file size limit, or the results file removed or
replaced underneath must not end a run in a traceback, nor leave a torn record,
nor lose track of what was sent. So every write goes through `Recorder`: the
first failure stops the run sending (as a first Ctrl-C does: no more inputs,
the calls in flight finish) and the summary says what happened and to resume.

The dangerous case is a call whose reply arrived but whose record could not be
written: its group may exist, and only the journal line written before the call
says so. The journal is then kept, so `--resume` records that input as `unknown`
(skipped, unless the operation is safe to repeat or `--retry-unknown`), never
sending a create twice; the record itself is printed on stderr, so what the reply
said (the chatid) is not lost. A journal line that cannot be written stops the
call before it is sent (`not_sent`: `--resume` sends it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from rich.console import Console

from ._results import INVALID, NOT_SENT, AppendLog, RecordNotWrittenError, journal_path

__all__ = ["Recorder"]


class Recorder:
    """The results and journal of one run, and the storage problems met writing them."""

    def __init__(self, results: AppendLog, stop: asyncio.Event, console: Console) -> None:
        self.results = results
        self.journal = AppendLog(journal_path(results.path))
        self._stop = stop
        self._console = console
        #: What went wrong with the files, in words, first first.
        self.problems: list[str] = []
        #: Records of calls that were sent but could not be written.
        self.unrecorded: list[dict[str, Any]] = []

    def record(self, entry: dict[str, Any]) -> None:
        """Append an outcome; a record that cannot be written stops the run."""
        try:
            self.results.write(entry)
        except RecordNotWrittenError as error:
            if entry.get("status") not in (NOT_SENT, INVALID):  # those are sent or read again
                self.unrecorded.append(entry)
            self._problem(f"cannot write {error.filename} ({error.strerror})")
            return
        if self.results.moved:
            self._problem(f"{self.results.path} was {self.results.moved} while the run wrote it")

    def before_call(self, line: int, name: str) -> None:
        """Journal an input about to be sent; `RecordNotWrittenError`: do not send it."""
        try:
            self.journal.write({"line": line, "name": name})
        except RecordNotWrittenError as error:
            self._problem(f"cannot write {error.filename} ({error.strerror})")
            raise
        if self.journal.moved:
            self._problem(f"{self.journal.path} was {self.journal.moved} while the run wrote it")

    def close(self) -> None:
        """Save both files; the journal goes unless it holds a call with no record."""
        for log in (self.results, self.journal):
            problem = log.close()
            if problem:
                self._problem(problem)
        for entry in self.unrecorded:
            self._console.print(
                f"not recorded: {json.dumps(entry, ensure_ascii=False)}", markup=False
            )
        if not self.unrecorded:
            with contextlib.suppress(OSError):
                self.journal.path.unlink(missing_ok=True)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def _problem(self, problem: str) -> None:
        if problem in self.problems:
            return
        if not self.problems:
            self._console.print(
                f"error: {problem}: stopping (nothing more is sent; the calls in flight finish)",
                markup=False,
            )
        self.problems.append(problem)
        self._stop.set()

"""What makes `dingtalk-im bulk --resume` safe: reading back an earlier run's records.

Creating is not idempotent, so an input is skipped when the results record
it as created, and also when its outcome is unknown: a line in the journal
(`RESULTS.sending`, written just before each call) with no record in the
results was in flight when the run died, so its group may exist. Those are
recorded as `unknown` and not sent again unless `--retry-unknown`.

An operation with a dedup key (a scene-group create's `uuid`) is the
exception: its inputs carry keys derived from the run id the results file
records (`_run_header`), so a resume sends its unknown outcomes again with the
same keys, and DingTalk finds what the first send made.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from attrs import define, field

from .._core.dedup import new_run_id
from ._inputs import read_records
from ._operations import CREATE, Operation
from ._results import DONE, UNKNOWN, journal_path
from ._run_header import header_line, read_run

__all__ = [
    "Previous",
    "check_unchanged",
    "prepare_resume",
    "previous_results",
    "repeat_on_resume",
]


def _new_run() -> dict[str, Any]:
    return {"id": new_run_id()}


@define(kw_only=True)
class Previous:
    """What an earlier run recorded: inputs not to send again, by line number, with names,
    and which of them have an unknown outcome; and the run (its header's fields: `id`, ...),
    which a new run makes afresh."""

    done: dict[int, str] = field(factory=dict)
    unknown: set[int] = field(factory=set)
    run: dict[str, Any] = field(factory=_new_run)

    @property
    def run_id(self) -> str:
        """The id inputs without a dedup key derive theirs from."""
        run_id: str = self.run["id"]
        return run_id


def repeat_on_resume(operation: Operation[Any, Any], run: dict[str, Any] | None) -> bool:
    """Whether `--resume` sends the operation's unknown outcomes again: it is safe to repeat
    (an update), or it has a dedup key and the results file recorded the run (`run`) whose
    id the earlier sends derived their keys from."""
    endpoint = operation.endpoint
    if endpoint is None:
        return False
    return endpoint.repeat_safe or (endpoint.dedup_key is not None and run is not None)


def prepare_resume(results: Path, *, retry_unknown: bool) -> Previous:
    """Rewrite the results to keep only final records and collect the lines to skip.

    Kept: `created` and (unless `retry_unknown`) `unknown` records, plus an
    `unknown` record for each journaled line that has none. Dropped: failed
    and invalid records (those inputs run again) and a torn last line. The
    rewrite streams into a temporary file renamed over the old one, the run header first
    (the recorded one, or a new run's for a file without one).
    """
    run = read_run(results)
    previous = Previous() if run is None else Previous(run=run)
    recorded: set[int] = set()
    temporary = results.with_name(results.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write(header_line(previous.run))

        def keep(record: dict[str, Any]) -> None:
            name = record.get("name", "")
            previous.done[record["line"]] = name if isinstance(name, str) else ""
            if record.get("status") not in DONE:
                previous.unknown.add(record["line"])
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

        for record in _records(results):
            if record["line"] in previous.done:
                continue
            recorded.add(record["line"])
            status = record.get("status")
            if status in DONE or (status == UNKNOWN and not retry_unknown):
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
    temporary.replace(results)
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


def previous_results(
    results: Path, resume: bool, retry_unknown: bool, overwrite: bool, emulator: bool
) -> Previous:
    if resume and overwrite:
        raise click.UsageError("--resume and --overwrite contradict each other")
    if resume:
        return prepare_resume(results, retry_unknown=retry_unknown)
    journal = journal_path(results)
    earlier = (results.exists() and results.stat().st_size > 0) or journal.exists()
    if earlier and not (overwrite or emulator):
        raise click.UsageError(
            f"{results} holds the results of an earlier run: add --resume to continue it "
            "without creating duplicates, or --overwrite to discard it"
        )
    previous = Previous()
    results.write_text(header_line(previous.run), encoding="utf-8")
    journal.unlink(missing_ok=True)
    return previous


def check_unchanged(
    path: Path,
    fmt: str,
    separator: str,
    previous: Previous,
    *,
    encoding: str = "utf-8",
    operation: Operation[Any, Any] = CREATE,
) -> None:
    """Refuse to resume when recorded lines now hold other inputs: line numbers would lie."""
    if not previous.done:
        return
    changed = [
        f"line {record.line}: recorded {previous.done[record.line]!r}, now {record.name!r}"
        for record in read_records(
            path, fmt, separator=separator, encoding=encoding, operation=operation
        )
        if record.line in previous.done and previous.done[record.line] != record.name
    ]
    if changed:
        raise click.UsageError(
            f"{path} changed since the recorded run, so --resume could create duplicates "
            f"({'; '.join(changed[:3])}{'; ...' if len(changed) > 3 else ''}). "
            "Restore the input, or start a new --results file for the changed input."
        )

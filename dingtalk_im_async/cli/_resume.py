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

Records say what was done somewhere: the header names the target (API hosts
and app key, `target_record`), and a resume against another target is
refused before anything is read or rewritten, since there every "created"
would be a lie and nothing would be created. A file written before targets
were recorded resumes with a warning, and records the target from then on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click
from attrs import define, field

from .._core.dedup import new_run_id
from ._client import IN_PROCESS, describe_target
from ._inputs import read_records
from ._operations import CREATE, Operation
from ._problems import FileProblem, ResultsUnwritable
from ._results import DONE, UNKNOWN, journal_path
from ._run_header import TARGET, header_line, read_run

__all__ = [
    "OtherTarget",
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


class OtherTarget(FileProblem):
    """The results file records a run against another target than this one's."""


def resumed_run(results: Path, target: dict[str, str]) -> dict[str, Any]:
    """The run a resume continues, with `target`: the recorded one (a new one for a file
    without a header). `OtherTarget` when the file records another target; a warning on
    stderr when it records none (written before targets were)."""
    run = read_run(results)
    recorded = None if run is None else run.get(TARGET)
    if recorded is None and _holds_anything(results):
        click.echo(
            f"warning: {results} does not say which DingTalk it was written against (it "
            f"predates target records); resuming against {describe_target(target)}, as "
            "asked. Its records from now on name this target.",
            err=True,
        )
    elif recorded != target:
        shown = describe_target(recorded) if isinstance(recorded, dict) else repr(recorded)
        raise OtherTarget(
            f"{results} records a run against {shown}; this run targets "
            f"{describe_target(target)}. Its records say nothing of what exists there, so "
            "--resume would skip inputs never done there. Resume against the recorded "
            "target, or give this target a results file of its own (--results)."
        )
    return {**(run or _new_run()), TARGET: target}


def _holds_anything(results: Path) -> bool:
    try:
        return results.stat().st_size > 0
    except FileNotFoundError:
        return False


def repeat_on_resume(operation: Operation[Any, Any], run: dict[str, Any] | None) -> bool:
    """Whether `--resume` sends the operation's unknown outcomes again: it is safe to repeat
    (an update), or it has a dedup key and the results file recorded the run (`run`) whose
    id the earlier sends derived their keys from."""
    endpoint = operation.endpoint
    if endpoint is None:
        return False
    return endpoint.repeat_safe or (endpoint.dedup_key is not None and run is not None)


def prepare_resume(
    results: Path,
    *,
    retry_unknown: bool,
    past: str = "created",
    target: dict[str, str] | None = None,
) -> Previous:
    """Rewrite the results to keep only final records and collect the lines to skip.

    Kept: `created` and (unless `retry_unknown`) `unknown` records, plus an
    `unknown` record for each journaled line that has none. Dropped: failed
    and invalid records (those inputs run again) and a torn last line. The
    rewrite streams into a temporary file renamed over the old one, the run header first
    (the recorded one, or a new run's for a file without one). `past` is the
    operation's past tense ("created", "sent"), for the message of those records. `target`
    (`target_record`): checked against the recorded one first (`resumed_run`).
    """
    if target is None:
        run = read_run(results)
        previous = Previous() if run is None else Previous(run=run)
    else:
        previous = Previous(run=resumed_run(results, target))
    recorded: set[int] = set()
    temporary = results.with_name(results.name + ".tmp")
    try:
        _rewrite(results, temporary, previous, recorded, retry_unknown=retry_unknown, past=past)
    except OSError as error:  # a full disk: the results stay as they were
        temporary.unlink(missing_ok=True)
        raise ResultsUnwritable(results, error) from None
    temporary.replace(results)
    journal_path(results).unlink(missing_ok=True)
    return previous


def _rewrite(
    results: Path,
    temporary: Path,
    previous: Previous,
    recorded: set[int],
    *,
    retry_unknown: bool,
    past: str,
) -> None:
    """Write the records `prepare_resume` keeps to `temporary`, fsynced."""
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
                        "message": "the run stopped while this input was in flight; "
                        f"it may have been {past}",
                    }
                )
        out.flush()
        os.fsync(out.fileno())


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
    results: Path,
    resume: bool,
    retry_unknown: bool,
    overwrite: bool,
    target: dict[str, str],
    past: str = "created",
) -> Previous:
    """What an earlier run recorded (`--resume`), or a new run's empty results. Only the
    in-process emulator's results are replaced without `--overwrite`, by another of its runs
    (a demo run twice); real results never are."""
    if resume and overwrite:
        raise click.UsageError("--resume and --overwrite contradict each other")
    if resume:
        return prepare_resume(results, retry_unknown=retry_unknown, past=past, target=target)
    journal = journal_path(results)
    earlier = (results.exists() and results.stat().st_size > 0) or journal.exists()
    recorded = (read_run(results) or {}).get(TARGET)
    demo = target == IN_PROCESS and recorded == IN_PROCESS
    if earlier and not (overwrite or demo):
        raise click.UsageError(
            f"{results} holds the results of an earlier run: add --resume to continue it "
            "without creating duplicates, or --overwrite to discard it"
        )
    previous = Previous(run={**_new_run(), TARGET: target})
    temporary = results.with_name(results.name + ".tmp")
    try:
        with temporary.open("w", encoding="utf-8") as out:
            out.write(header_line(previous.run))
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:  # a full disk: the results stay as they were
        temporary.unlink(missing_ok=True)
        raise ResultsUnwritable(results, error) from None
    temporary.replace(results)
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
    preset: Mapping[str, object] | None = None,
    from_results: bool = False,
) -> None:
    """Refuse to resume when recorded lines now hold other inputs: line numbers would lie."""
    if not previous.done:
        return
    changed = [
        f"line {record.line}: recorded {previous.done[record.line]!r}, now {record.name!r}"
        for record in read_records(
            path,
            fmt,
            separator=separator,
            encoding=encoding,
            operation=operation,
            preset=preset,
            from_results=from_results,
        )
        if record.line in previous.done and previous.done[record.line] != record.name
    ]
    if changed:
        raise click.UsageError(
            f"{path} changed since the recorded run, so --resume could create duplicates "
            f"({'; '.join(changed[:3])}{'; ...' if len(changed) > 3 else ''}). "
            "Restore the input, or start a new --results file for the changed input."
        )

"""What `dingtalk-im bulk` checks and prepares before any I/O: options, the whole input
(read once: its format, encoding, quoting and header), the results file and what an
earlier run recorded. Every problem found here stops the run with exit status 2."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import click
from attrs import define

from ..settings import BulkOptions
from ._client import Target, target_from, target_record
from ._encoding import python_encoding
from ._inputs import InputFormatError, count_records, input_format, known_columns
from ._operations import OPERATIONS, Operation
from ._options import settings_from
from ._problems import FileProblem, check_writable
from ._results_lock import holding_results
from ._resume import Previous, check_unchanged, previous_results, repeat_on_resume
from ._rows import RowError, preset_values
from ._run_header import read_run

__all__ = ["EmptyInput", "Job", "prepare_job"]


class EmptyInput(Exception):  # noqa: N818 - not an error: there is nothing to do
    """The input holds no records; the message says so, and the run ends there."""


@define(frozen=True, kw_only=True)
class Job:
    """Everything a bulk run needs, checked before any I/O."""

    target: Target
    options: BulkOptions
    redis_url: str | None
    operation: Operation[Any, Any]
    path: Path
    fmt: str
    encoding: str
    total: int
    separator: str
    results: Path
    previous: Previous
    #: `--set` values every record gets.
    preset: Mapping[str, object]
    #: FILE is an earlier run's results file (`--from-results`).
    from_results: bool

    @property
    def run_id(self) -> str:
        """The run's id (in the results file's header): inputs without a dedup key derive
        theirs from it and their line."""
        return self.previous.run_id


def prepare_job(given: dict[str, Any], held: contextlib.ExitStack) -> Job:
    """Check every option in `given` (the command's, each taken out once), read the whole
    input once, prepare the results: all before any I/O. The results file's lock (one run
    per results file) is taken before they are read, and `held` keeps it until it closes."""
    rate, redis_url = given.pop("rate_limit"), given.pop("redis_url")
    if redis_url and rate == 0:
        raise click.UsageError("--redis-url shares --rate; it needs a --rate above 0")
    options = settings_from(BulkOptions, given)
    target = target_from(given)
    target = attrs.evolve(target, settings=attrs.evolve(target.settings, rate_limit=rate or None))
    file, operation = given.pop("file"), OPERATIONS[given.pop("operation")]
    resume, retry_unknown = given.pop("resume"), given.pop("retry_unknown")
    encoding, separator = given.pop("encoding"), given.pop("list_separator")
    if retry_unknown and not resume:
        raise click.UsageError("--retry-unknown goes with --resume")
    try:
        python_encoding(encoding)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--encoding") from None
    from_results, fmt = given.pop("from_results"), given.pop("fmt")
    if from_results and not operation.from_results:
        raise click.UsageError(f"--from-results: {operation.name} takes nothing from results")
    if from_results and fmt not in (None, "jsonl"):
        raise click.UsageError("--from-results reads a results file: JSON Lines")
    try:
        preset = preset_values(given.pop("preset"), known_columns(operation), separator)
    except RowError as error:
        raise click.BadParameter(str(error), param_hint="--set") from None
    try:
        chosen_format = "jsonl" if from_results else input_format(file, fmt)
        total = count_records(
            file, chosen_format, encoding=encoding, operation=operation, from_results=from_results
        )
    except InputFormatError as error:
        raise FileProblem(f"{file}: {error}") from None
    if total == 0:
        what = "the file is empty" if file.stat().st_size == 0 else "no record in it"
        if chosen_format == "csv" and file.stat().st_size > 0:
            what = "only a header row"
        raise EmptyInput(f"{file} holds no inputs ({what}): nothing to do")
    results_path = given.pop("results") or file.with_name(file.name + ".results.jsonl")
    check_writable(results_path, option="--results")
    held.enter_context(holding_results(results_path))
    # An operation safe to repeat (an update) sends its unknown outcomes again on --resume;
    # so does one with a dedup key, when the file recorded the run its keys came from.
    recorded = read_run(results_path) if resume else None
    repeat_unknown = retry_unknown or repeat_on_resume(operation, recorded)
    previous = previous_results(
        results_path,
        resume,
        repeat_unknown,
        given.pop("overwrite"),
        target_record(target),
        past=operation.words.past,
    )
    check_unchanged(
        file,
        chosen_format,
        separator,
        previous,
        encoding=encoding,
        operation=operation,
        preset=preset,
        from_results=from_results,
    )
    return Job(
        target=target,
        options=options,
        redis_url=redis_url,
        operation=operation,
        path=file,
        fmt=chosen_format,
        encoding=encoding,
        total=total,
        separator=separator,
        results=results_path,
        previous=previous,
        preset=preset,
        from_results=from_results,
    )

"""What `dingtalk-im bulk` checks and prepares before any I/O: options, the whole input
(read once: its format, encoding, quoting and header), the results file and what an
earlier run recorded. Every problem found here stops the run with exit status 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from attrs import define

from ._client import Target
from ._encoding import python_encoding
from ._inputs import InputFormatError, count_records, input_format
from ._operations import Operation
from ._problems import FileProblem, check_writable
from ._resume import Previous, check_unchanged, previous_results

__all__ = ["EmptyInput", "Job", "prepare_job"]


class EmptyInput(Exception):  # noqa: N818 - not an error: there is nothing to do
    """The input holds no records; the message says so, and the run ends there."""


@define(frozen=True, kw_only=True)
class Job:
    """Everything a bulk run needs, checked before any I/O."""

    target: Target
    operation: Operation[Any, Any]
    path: Path
    fmt: str
    encoding: str
    total: int
    separator: str
    results: Path
    previous: Previous
    concurrency: int
    rate: float
    redis_url: str | None
    rate_limited_retries: int


def prepare_job(
    *,
    file: Path,
    results: Path | None,
    resume: bool,
    retry_unknown: bool,
    overwrite: bool,
    fmt: str | None,
    encoding: str,
    list_separator: str,
    concurrency: int,
    rate: float,
    redis_url: str | None,
    rate_limited_retries: int,
    target: Target,
    operation: Operation[Any, Any],
) -> Job:
    """Check everything, read the whole input once, prepare the results: before any I/O."""
    emulator = target.emulator
    if redis_url and rate == 0:
        raise click.UsageError("--redis-url shares --rate; it needs a --rate above 0")
    if retry_unknown and not resume:
        raise click.UsageError("--retry-unknown goes with --resume")
    try:
        python_encoding(encoding)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--encoding") from None
    try:
        chosen_format = input_format(file, fmt)
        total = count_records(file, chosen_format, encoding=encoding, operation=operation)
    except InputFormatError as error:
        raise FileProblem(f"{file}: {error}") from None
    if total == 0:
        what = "the file is empty" if file.stat().st_size == 0 else "no record in it"
        if chosen_format == "csv" and file.stat().st_size > 0:
            what = "only a header row"
        raise EmptyInput(f"{file} holds no inputs ({what}): nothing to do")
    results_path = results or file.with_name(file.name + ".results.jsonl")
    check_writable(results_path, option="--results")
    # An operation safe to repeat (an update) sends its unknown outcomes again on --resume.
    repeat_unknown = retry_unknown or operation.repeat_safe
    previous = previous_results(results_path, resume, repeat_unknown, overwrite, emulator)
    check_unchanged(
        file, chosen_format, list_separator, previous, encoding=encoding, operation=operation
    )
    return Job(
        target=target,
        operation=operation,
        path=file,
        fmt=chosen_format,
        encoding=encoding,
        total=total,
        separator=list_separator,
        results=results_path,
        previous=previous,
        concurrency=concurrency,
        rate=rate,
        redis_url=redis_url,
        rate_limited_retries=rate_limited_retries,
    )

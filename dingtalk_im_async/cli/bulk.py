"""`dingtalk-im bulk FILE`: one call per input record (a create by default, or any bulk
operation: `--operation update|sub-admins|send|scene-group-...`), at DingTalk's rate,
resumable.

Ctrl-C (or SIGTERM) stops reading input and lets the calls in flight finish,
so every input sent has its record; a second Ctrl-C abandons them (recorded
as `unknown`). Either way, `--resume` then sends only what was never sent
or was refused with a definite error.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import click
from rich.console import Console
from rich.markup import escape

from ..budget import CallBudget
from ..bulk import BulkOutcome, BulkRun
from ..errors import (
    BudgetSpentError,
    CallQuotaExceededError,
    DingTalkError,
    MissingExtraError,
    RunStoppedError,
)
from ..settings import BulkOptions, ClientSettings
from ._client import connect, connection_options
from ._encoding import DEFAULT_ENCODING
from ._inputs import InputRecord, read_records
from ._job import EmptyInput, Job, prepare_job
from ._operations import OPERATIONS
from ._options import setting_options
from ._progress import BulkProgress
from ._recorder import Recorder
from ._results import (
    NOT_SENT,
    UNKNOWN,
    AppendLog,
    abandoned_record,
    done_record,
    error_record,
    invalid_record,
)
from ._resume import Previous
from ._shown import error_text
from ._signals import Signals, exiting_on_signals
from ._tally import Tally

__all__ = ["bulk"]


@click.command("bulk")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--results",
    type=click.Path(path_type=Path),
    help="Results file (JSON Lines, one record per input). Default: FILE.results.jsonl.",
)
@click.option(
    "--operation",
    type=click.Choice(sorted(OPERATIONS)),
    default="create",
    show_default=True,
    help="What each record is: a group to create, an update of one (by chatid), admins to "
    "add or remove (by openConversationId), a robot message to send, or a scene group to "
    "create, update, add or remove members of, or disband (scene-group-*).",
)
@click.option(
    "--from-results",
    is_flag=True,
    help="FILE is the results file of an earlier run (e.g. a create's): each record it "
    "lists as done gives its group's id (chatid for update, openConversationId for "
    "sub-admins and send); --set gives the rest.",
)
@click.option(
    "--set",
    "preset",
    multiple=True,
    metavar="KEY=VALUE",
    help="Give every record KEY=VALUE (a column of the operation, read as a CSV cell, "
    'e.g. --set msgKey=sampleText --set \'msgParam={"content":"hi"}\'); repeatable.',
)
@click.option("--resume", is_flag=True, help="Continue a run: skip inputs already done.")
@click.option(
    "--retry-unknown",
    is_flag=True,
    help="With --resume, send again inputs whose outcome is unknown (they may have taken "
    "effect); operations safe to repeat (update, sub-admins) always are.",
)
@click.option("--overwrite", is_flag=True, help="Discard an existing results file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    help="Input format; default from the suffix (.csv, .jsonl).",
)
@click.option(
    "--encoding",
    default=DEFAULT_ENCODING,
    show_default=True,
    help="Text encoding of FILE, e.g. gbk or utf-16 (UTF-8 may start with a byte-order mark).",
)
@click.option(
    "--list-separator",
    default=";",
    show_default=True,
    help="Separator of list fields (useridlist, extidlist) in CSV cells.",
)
@setting_options(
    BulkOptions,
    "concurrency",
    "rate_limited_retries",
    concurrency={"type": click.IntRange(min=1)},
    rate_limited_retries={"type": click.IntRange(min=0)},
)
@setting_options(
    ClientSettings,
    "rate_limit",
    "call_budget",
    rate_limit={
        "type": click.FloatRange(min=0),
        "help_more": "0 turns pacing off.",
    },
    call_budget={
        "type": click.IntRange(min=1),
        "help_more": "the run stops before the month's count reaches it (counted by this "
        "run alone, or by every worker through --redis-url); --resume sends the rest.",
    },
)
@click.option(
    "--redis-url",
    envvar="DINGTALK_REDIS_URL",
    show_envvar=True,
    help="Share --rate and --budget with every worker using this Redis (fleets of processes).",
)
@connection_options
def bulk(**given: Any) -> None:
    """Create a group (or run --operation) for each record of FILE (CSV or JSON Lines).

    Columns/keys are the API's field names (ownerType or owner_type, ...);
    the six managementOptions fields are columns of their own; CSV lists are
    `;`-separated. Exit status: 0 when every input was done, 1 when any
    failed, 74 when the results could not be written (the run stopped; free space, then
    --resume), 130 when interrupted (128 + the signal's number).
    """
    with exiting_on_signals("nothing was sent") as signals, contextlib.ExitStack() as held:
        try:
            job = prepare_job(given, held)
        except EmptyInput as empty:
            click.echo(str(empty), err=True)
            sys.exit(signals.exit_code or 0)
        # Diagnostics and the progress bar on stderr, the summary on stdout; neither is
        # wrapped to a width, so a pipe gets each message on one line.
        out = Console(highlight=False, soft_wrap=True)
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        code = asyncio.run(_main(job, out, err, signals))
    sys.exit(signals.exit_code or code)


async def _main(job: Job, out: Console, err: Console, signals: Signals) -> int:
    """Run with signals handled: the first stops reading, the second abandons the calls in
    flight, later ones are only counted; the summary follows whenever the run stops."""
    main_task = asyncio.current_task()
    stop = asyncio.Event()
    tally = Tally(operation=job.operation)

    def on_signal(signum: int) -> None:
        tally.interrupted_by = tally.interrupted_by or signum
        if tally.sending and not stop.is_set():
            stop.set()
            err.print("Stopping: finishing the calls in flight (Ctrl-C again abandons them)")
        elif main_task is not None and not tally.abandoning:  # nothing in flight yet, or again
            tally.abandoning = True
            main_task.cancel()

    started = time.monotonic()
    with signals.on_loop(on_signal):
        try:
            await _run(job, stop, err, tally)
        except (DingTalkError, MissingExtraError) as error:
            err.print(f"[red]error:[/] {escape(error_text(error))}", markup=True)
            tally.say_if_interrupted(err)
            return 2 if isinstance(error, MissingExtraError) else 1
        except asyncio.CancelledError:  # a second signal outside the sending loop
            if tally.interrupted_by is None:
                raise
            _uncancel()
        tally.summarize(
            out,
            err,
            elapsed=time.monotonic() - started,
            results=job.results,
            emulated=job.target.emulator,
        )
    return tally.exit_code()


async def _run(job: Job, stop: asyncio.Event, console: Console, tally: Tally) -> None:
    total = job.total - len(job.previous.done)
    results = Recorder(AppendLog(job.results), stop, console)
    in_flight: dict[int, str] = {}
    try:
        async with connect(job.target, redis_url=job.redis_url) as connection:
            client = connection.client
            await client.tokens.get_token()  # wrong credentials: one clear error, no records
            tally.sending = True
            with BulkProgress(
                console, total=max(total, 0), description=job.path.name, tally=tally
            ) as bar:

                def inputs() -> Iterator[InputRecord]:
                    for record in read_records(
                        job.path,
                        job.fmt,
                        separator=job.separator,
                        encoding=job.encoding,
                        operation=job.operation,
                        preset=job.preset,
                        from_results=job.from_results,
                    ):
                        if stop.is_set():
                            return
                        if _already_done(record, job.previous, tally):
                            continue
                        if record.problem is not None:
                            results.record(invalid_record(record.line, record.name, record.problem))
                            tally.reject(record.line, record.problem)
                            bar.note(f"line {record.line}: {record.problem}")
                            bar.advance()
                            continue
                        keyed = job.operation.keyed(record.request, job.run_id, record.line)
                        if keyed is not record.request:  # a dedup key from the run and line
                            record = attrs.evolve(record, request=keyed)
                        yield record

                call = job.operation.method(client)

                async def send(record: InputRecord) -> object:
                    if record.line not in in_flight:
                        results.before_call(record.line, record.name)  # else: not sent
                        in_flight[record.line] = record.name
                    assert record.request is not None
                    return await call(record.request)

                run = BulkRun(send, inputs(), job.options, repeat_safe=job.operation.repeat_safe)
                try:
                    async with run:
                        async for outcome in run:
                            in_flight.pop(outcome.request.line, None)
                            _record(outcome, results, tally, bar, job)
                except asyncio.CancelledError:  # a second signal: the summary still follows
                    _uncancel()
            await _read_budget(client.budget, tally)
    finally:
        tally.abandoned = len(in_flight)
        tally.unknown += tally.abandoned
        for line, name in in_flight.items():
            results.record(abandoned_record(line, name, job.operation.words.past))
        results.close()
        tally.storage_problems = results.problems
        tally.unrecorded = len(results.unrecorded)


async def _read_budget(budget: CallBudget | None, tally: Tally) -> None:
    """The month's count for the summary; a budget that cannot say is left out of it."""
    if budget is None:
        return
    try:
        tally.budget_used = await budget.used()
    except DingTalkError:
        return
    tally.budget_limit, tally.budget_month = budget.limit, budget.budget.month()


def _stopped_by(error: BaseException) -> BaseException:
    """What stopped a run, for an input it did not send: the error itself, or its cause."""
    return error.cause if isinstance(error, RunStoppedError) else error


def _uncancel() -> None:
    """Take back the cancellation we handled, so later timeouts in cleanup work (3.11+)."""
    task = asyncio.current_task()
    if task is not None and sys.version_info >= (3, 11):
        task.uncancel()


def _already_done(record: InputRecord, previous: Previous, tally: Tally) -> bool:
    if record.line not in previous.done:
        return False
    if record.line in previous.unknown:
        tally.skipped_unknown += 1
    else:
        tally.skipped_done += 1
    return True


def _record(
    outcome: BulkOutcome[InputRecord, object],
    results: Recorder,
    tally: Tally,
    bar: BulkProgress,
    job: Job,
) -> None:
    line, name = outcome.request.line, outcome.request.name
    tally.rate_limited += outcome.rate_limited_retries
    if outcome.result is not None:
        entry = done_record(line, name, outcome.result, status=job.operation.done_status)
        tally.done += 1
    else:
        assert outcome.error is not None
        entry = error_record(line, name, outcome.error)
        why = f"{entry['code']}: {entry['message']}"
        if entry["status"] == UNKNOWN:
            tally.unknown += 1
        elif entry["status"] == NOT_SENT:
            tally.not_sent += 1
            cause = _stopped_by(outcome.error)
            if isinstance(cause, BudgetSpentError):
                tally.over_budget += 1
            elif isinstance(cause, CallQuotaExceededError):
                tally.over_quota += 1
        else:
            tally.fail(line, why)
        bar.note(f"line {line}: {entry['status']}: {why}")
    if outcome.rate_limited_retries:
        entry["rateLimitedRetries"] = outcome.rate_limited_retries
    results.record(entry)
    bar.advance()

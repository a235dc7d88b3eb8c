"""What a `dingtalk-im bulk` run did: counts kept as it goes, the closing summary, the exit code.

The progress bar and the summary read the same counts, in the operation's own words
(`Operation.words`: "24 sent", "Sent 24 messages"); an invalid input is counted apart
from a failed call.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from attrs import define, field
from rich.console import Console
from rich.text import Text

from ._operations import CREATE, Operation
from ._problems import EXIT_RESULTS_UNWRITABLE

__all__ = ["EXIT_INTERRUPTED", "EXIT_RESULTS_UNWRITABLE", "Tally"]

EXIT_INTERRUPTED = 130
#: Failures listed by line in the summary; the results file has them all.
SUMMARY_FAILURES = 10


@define(kw_only=True)
class Tally:
    """Counts of one run; `skipped_*` are inputs an earlier run already settled."""

    #: The bulk operation run: its words, and whether --resume sends unknown outcomes again.
    operation: Operation[Any, Any] = CREATE
    #: Inputs done: created, updated, sent, ... (the operation's `words.past`).
    done: int = 0
    #: Calls DingTalk refused: nothing was applied.
    failed: int = 0
    #: Input records that could not become a request: never sent.
    invalid: int = 0
    not_sent: int = 0
    unknown: int = 0
    skipped_done: int = 0
    skipped_unknown: int = 0
    rate_limited: int = 0
    #: The first signal that stopped the run (its number), if one did.
    interrupted_by: int | None = None
    #: Inputs are being read and sent (a first signal then stops reading, not everything).
    sending: bool = False
    #: A signal cancelled the run (the second, or the first before sending began).
    abandoning: bool = False
    abandoned: int = 0
    #: Inputs not sent because the call budget (`--budget`) was spent.
    over_budget: int = 0
    #: Inputs not sent because DingTalk's monthly call quota was spent.
    over_quota: int = 0
    #: The month's count of calls, its limit and the month (China time), when budgeted.
    budget_used: int | None = None
    budget_limit: int | None = None
    budget_month: str | None = None
    failures: list[str] = field(factory=list)
    #: What went wrong writing the results or the journal (the run stopped sending).
    storage_problems: list[str] = field(factory=list)
    #: Calls sent whose record could not be written (their journal lines are kept).
    unrecorded: int = 0

    def fail(self, line: int, why: str) -> None:
        self.failed += 1
        self._list(line, why)

    def reject(self, line: int, problem: str) -> None:
        """An input record that could not become a request."""
        self.invalid += 1
        self._list(line, problem)

    def _list(self, line: int, why: str) -> None:
        if len(self.failures) < SUMMARY_FAILURES:
            self.failures.append(f"line {line}: {why}")

    def counts(self) -> list[tuple[str, str]]:
        """Each count with its style, as the bar shows them and the summary repeats them."""
        parts = [
            (f"{self.done} {self.operation.words.past}", "green"),
            (f"{self.failed} failed", "red"),
            (f"{self.invalid} invalid", "yellow"),
            (f"{self.unknown} unknown", "magenta"),
        ]
        if self.not_sent:
            parts.append((f"{self.not_sent} not sent", "yellow"))
        return parts

    def counts_text(self) -> Text:
        """The counts for the progress bar, on one line: "2 created, 0 failed, 1 invalid, ..."."""
        text = Text(", ").join(Text(part, style=style) for part, style in self.counts())
        text.no_wrap = True
        return text

    def exit_code(self) -> int:
        """128 + the signal's number when interrupted (130 for Ctrl-C), else 0 only if
        every input is known to be done."""
        if self.interrupted_by is not None:
            return 128 + self.interrupted_by
        if self.storage_problems:
            return EXIT_RESULTS_UNWRITABLE
        troubled = self.failed + self.invalid + self.not_sent + self.unknown + self.skipped_unknown
        return 1 if troubled else 0

    def summarize(
        self, console: Console, err: Console, *, elapsed: float, results: Path, emulated: bool
    ) -> None:
        """The counts on `console` (stdout), the first failures by line on `err` (stderr)."""
        words = self.operation.words
        rate = self.done / elapsed if elapsed > 0 else 0.0
        where = f" on the emulator (nothing real was {words.past})" if emulated else ""
        others = ", ".join(part for part, _ in self.counts()[1:])
        console.print(
            f"{words.past.capitalize()} {words.count(self.done)}{where} "
            f"in {elapsed:.1f} s ({rate:.1f}/s); {others}.",
            markup=False,
            soft_wrap=True,
        )
        if self.skipped_done:
            console.print(
                f"Skipped {self.skipped_done} inputs {words.past} by an earlier run.",
                markup=False,
            )
        if self.rate_limited:
            console.print(f"Rate-limited replies put back: {self.rate_limited}.")
        for failure in self.failures:
            err.print(f"  {failure}", markup=False)
        listed = self.failed + self.invalid
        if listed > len(self.failures):
            err.print(f"  ... and {listed - len(self.failures)} more (see the results file)")
        if self.budget_used is not None:
            console.print(
                f"Call budget: {self.budget_used} of {self.budget_limit} calls used in "
                f"{self.budget_month} (China time).",
                markup=False,
            )
        if self.over_budget:
            console.print(
                f"{self.over_budget} inputs were not sent because the call budget is spent: "
                "--resume sends them next month (or now with a larger --budget).",
                markup=False,
            )
        if self.over_quota:
            console.print(
                f"{self.over_quota} inputs were not sent because DingTalk's monthly call quota "
                "is spent (ApiCountLimitForOrg): --resume sends them next month.",
                markup=False,
            )
        not_sent = self.not_sent - self.over_budget - self.over_quota
        if not_sent:
            console.print(
                f"{not_sent} inputs were not sent (nothing was {words.past} for them): "
                "--resume sends them."
            )
        unknown = self.unknown + self.skipped_unknown
        if unknown and self.operation.repeat_safe:
            console.print(
                f"{unknown} inputs have an unknown outcome: --resume sends them again "
                f"({self.operation.name} is safe to repeat)."
            )
        elif unknown:
            console.print(
                f"{unknown} inputs have an unknown outcome (they may have taken effect): "
                "--resume skips them; check, then add --retry-unknown to send them again."
            )
        console.print(f"Results: {results}", markup=False)
        self.say_if_storage_failed(console)
        self.say_if_interrupted(console)

    def say_if_storage_failed(self, console: Console) -> None:
        if not self.storage_problems:
            return
        console.print(
            f"Stopped: {'; '.join(self.storage_problems)}. Every record in the results is whole.",
            markup=False,
        )
        if self.unrecorded:
            console.print(
                f"{self.unrecorded} inputs were sent but their records could not be written "
                "(printed above as `not recorded:`); the journal keeps them, so --resume "
                "counts them as unknown and does not send them twice.",
                markup=False,
            )
        console.print(
            "Free space (or put the results back), then rerun the same command with --resume "
            f"to {self.operation.words.verb} the rest, no duplicates.",
            markup=False,
        )

    def say_if_interrupted(self, console: Console) -> None:
        if self.interrupted_by is not None:
            console.print(
                f"Interrupted ({signal.Signals(self.interrupted_by).name}): "
                f"rerun with --resume to {self.operation.words.verb} the rest, no duplicates.",
                markup=False,
            )

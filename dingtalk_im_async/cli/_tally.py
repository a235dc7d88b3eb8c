"""What a `dingtalk-im bulk` run did: counts kept as it goes, the closing summary, the exit code."""

from __future__ import annotations

import signal
from pathlib import Path

from attrs import define, field
from rich.console import Console

__all__ = ["EXIT_INTERRUPTED", "Tally"]

EXIT_INTERRUPTED = 130
#: Failures listed by line in the summary; the results file has them all.
SUMMARY_FAILURES = 10


@define(kw_only=True)
class Tally:
    """Counts of one run; `skipped_*` are inputs an earlier run already settled."""

    #: The bulk operation's name ("create", "update", "send", ...), for the wording.
    operation: str = "create"
    #: Whether its unknown outcomes are sent again by --resume (safe to repeat).
    repeat_safe: bool = False
    created: int = 0
    #: Calls DingTalk refused (or that failed with nothing created).
    failed: int = 0
    #: Input records that could not become a request: never sent.
    invalid: int = 0
    not_sent: int = 0
    unknown: int = 0
    skipped_created: int = 0
    skipped_unknown: int = 0
    rate_limited: int = 0
    #: The first signal that stopped the run (its number), if one did.
    interrupted_by: int | None = None
    #: Inputs are being read and sent (a first signal then stops reading, not everything).
    sending: bool = False
    #: A signal cancelled the run (the second, or the first before sending began).
    abandoning: bool = False
    abandoned: int = 0
    failures: list[str] = field(factory=list)

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

    def exit_code(self) -> int:
        """128 + the signal's number when interrupted (130 for Ctrl-C), else 0 only if
        every input is known to be done."""
        if self.interrupted_by is not None:
            return 128 + self.interrupted_by
        troubled = self.failed + self.invalid + self.not_sent + self.unknown + self.skipped_unknown
        return 1 if troubled else 0

    def summarize(
        self, console: Console, err: Console, *, elapsed: float, results: Path, emulated: bool
    ) -> None:
        """The counts on `console` (stdout), the first failures by line on `err` (stderr)."""
        rate = self.created / elapsed if elapsed > 0 else 0.0
        real = "created" if self.operation == "create" else "changed"
        where = f" on the emulator (nothing real was {real})" if emulated else ""
        done = (
            f"Created {self.created} group{'' if self.created == 1 else 's'}"
            if self.operation == "create"
            else f"{self.operation}: {self.created} input{'' if self.created == 1 else 's'} done"
        )
        console.print(
            f"{done}{where} in {elapsed:.1f} s ({rate:.1f}/s); "
            f"{self.failed} failed, {self.invalid} invalid, "
            f"{self.unknown} unknown"
            f"{f', {self.not_sent} not sent' if self.not_sent else ''}.",
            markup=False,
            soft_wrap=True,
        )
        if self.skipped_created:
            verb = "created" if self.operation == "create" else "done"
            console.print(f"Skipped {self.skipped_created} inputs {verb} by an earlier run.")
        if self.rate_limited:
            console.print(f"Rate-limited replies put back: {self.rate_limited}.")
        for failure in self.failures:
            err.print(f"  {failure}", markup=False)
        listed = self.failed + self.invalid
        if listed > len(self.failures):
            err.print(f"  ... and {listed - len(self.failures)} more (see the results file)")
        if self.not_sent:
            console.print(
                f"{self.not_sent} inputs were not sent (nothing was created for them): "
                "--resume sends them."
            )
        unknown = self.unknown + self.skipped_unknown
        if unknown and self.repeat_safe:
            console.print(
                f"{unknown} inputs have an unknown outcome: --resume sends them again "
                f"({self.operation} is safe to repeat)."
            )
        elif unknown:
            console.print(
                f"{unknown} inputs have an unknown outcome (they may have taken effect): "
                "--resume skips them; check, then add --retry-unknown to send them again."
            )
        console.print(f"Results: {results}", markup=False)
        self.say_if_interrupted(console)

    def say_if_interrupted(self, console: Console) -> None:
        if self.interrupted_by is not None:
            console.print(
                f"Interrupted ({signal.Signals(self.interrupted_by).name}): "
                "rerun with --resume to create the rest, no duplicates."
            )

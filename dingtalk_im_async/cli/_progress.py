"""The progress display of `dingtalk-im bulk`: done of total, created and failed counts,
rate and ETA, with problems printed above the bar as they happen."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["BulkProgress"]


class _RateColumn(ProgressColumn):
    """Inputs finished per second, over the last few seconds."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("  -.-/s" if speed is None else f"{speed:5.1f}/s", style="cyan")


class BulkProgress:
    """A rich progress bar for one bulk run; use as a context manager."""

    def __init__(self, console: Console, *, total: int, description: str) -> None:
        self.console = console
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "[green]{task.fields[created]} created[/] [red]{task.fields[failed]} failed"
            ),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self._task = self._progress.add_task(
            escape(description), total=total, created=0, failed=0, start=False
        )
        self.created = 0
        self.failed = 0

    def __enter__(self) -> BulkProgress:
        self._progress.start()
        self._progress.start_task(self._task)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def advance(self, *, created: bool) -> None:
        """One more input finished."""
        if created:
            self.created += 1
        else:
            self.failed += 1
        self._progress.update(self._task, advance=1, created=self.created, failed=self.failed)

    def note(self, message: str, *, style: str = "yellow") -> None:
        """Print a line above the bar (user text is not read as markup)."""
        self._progress.console.print(Text(message, style=style))

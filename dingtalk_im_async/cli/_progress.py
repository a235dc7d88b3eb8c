"""The progress display of `dingtalk-im bulk`: done of total, rate and ETA, and under the
bar the run's counts in its operation's words (the same the summary repeats), with
problems printed above the bar as they happen."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

from rich.console import Console, RenderableType
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

from ._tally import Tally

__all__ = ["BulkProgress"]


class _RateColumn(ProgressColumn):
    """Inputs finished per second, over the last few seconds."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("  -.-/s" if speed is None else f"{speed:5.1f}/s", style="cyan")


class _ProgressWithCounts(Progress):
    """The bar, then the tally's counts on a line of their own, whole at any width."""

    def __init__(self, *columns: str | ProgressColumn, tally: Tally, console: Console) -> None:
        self._tally = tally  # before Progress.__init__, which renders once
        super().__init__(*columns, console=console)

    def get_renderables(self) -> Iterable[RenderableType]:
        yield from super().get_renderables()
        yield self._tally.counts_text()


class BulkProgress:
    """A rich progress bar for one bulk run, showing `tally`; use as a context manager."""

    def __init__(self, console: Console, *, total: int, description: str, tally: Tally) -> None:
        self.console = console
        self._progress = _ProgressWithCounts(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            tally=tally,
            console=console,
        )
        self._task = self._progress.add_task(escape(description), total=total, start=False)

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

    def advance(self) -> None:
        """One more input finished (the tally already counts it)."""
        self._progress.update(self._task, advance=1)

    def note(self, message: str, *, style: str = "yellow") -> None:
        """Print a line above the bar (user text is not read as markup)."""
        self._progress.console.print(Text(message, style=style))

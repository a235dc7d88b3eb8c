"""How `dingtalk-im` commands end on SIGINT and SIGTERM: exit status 128 + the signal's
number (130 for Ctrl-C, 143 for SIGTERM), whatever stage the run is in.

Left to Python, SIGINT becomes a `KeyboardInterrupt` wherever the program
happens to be (click then prints "Aborted!" and exits 1) and SIGTERM kills
the process outright; and a run that handles signals only while its event
loop runs misses those that come before or after it. So a command holds
`Signals` for its whole run: outside its event loop a signal raises
`Interrupted` (a `KeyboardInterrupt`, so nothing catches it by accident);
inside `Signals.on_loop(callback)`, the loop calls `callback(signum)` and
the command decides how to stop; after that, signals are only remembered.
Every signal is recorded, so the exit status says the run was interrupted
even when the command finished its work anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import Any

import click

__all__ = ["HANDLED", "Interrupted", "Signals", "exiting_on_signals"]

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """A signal arrived while no event loop was there to handle it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Signals:
    """The SIGINT/SIGTERM policy of one command run; a context manager (main thread only)."""

    def __init__(self) -> None:
        #: Every handled signal that arrived, in order.
        self.received: list[int] = []
        self._raising = True
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Signals:
        for signum in HANDLED:
            with contextlib.suppress(ValueError):  # not the main thread: Python's defaults stay
                self._previous[signum] = signal.signal(signum, self._outside_loop)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)

    @property
    def exit_code(self) -> int | None:
        """128 + the first signal's number, or None if no signal came."""
        return 128 + self.received[0] if self.received else None

    @property
    def name(self) -> str:
        """The first signal's name (`SIGINT`), or an empty string."""
        return signal.Signals(self.received[0]).name if self.received else ""

    def _outside_loop(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)
        if self._raising:
            raise Interrupted(signum)

    @contextlib.contextmanager
    def on_loop(self, callback: Callable[[int], None]) -> Iterator[None]:
        """While inside, the running loop hands each signal to `callback`; after, signals
        are only recorded (the command is finishing and reports them in its exit status)."""
        loop = asyncio.get_running_loop()

        def handle(signum: int) -> None:
            self.received.append(signum)
            callback(signum)

        installed = []
        for signum in self._previous:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, handle, signum)
                installed.append(signum)
        try:
            yield
        finally:
            self._raising = False
            for signum in installed:
                loop.remove_signal_handler(signum)  # resets Python's defaults: put ours back
                signal.signal(signum, self._outside_loop)


@contextlib.contextmanager
def exiting_on_signals(outcome: str) -> Iterator[Signals]:
    """`Signals` for a command's whole run: a signal its event loop did not handle ends
    the command with one line on stderr (`Interrupted (SIGINT): <outcome>`) and 128 + n."""
    with Signals() as signals:
        try:
            yield signals
        except KeyboardInterrupt as error:  # Interrupted, or Python's own in a tiny window
            signum = error.signum if isinstance(error, Interrupted) else signal.SIGINT
            click.echo(f"Interrupted ({signal.Signals(signum).name}): {outcome}", err=True)
            sys.exit(128 + signum)

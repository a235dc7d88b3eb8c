"""How `dingtalk-im` refuses a file it cannot use: one line on stderr and exit 2, before any I/O."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

__all__ = ["EXIT_RESULTS_UNWRITABLE", "FileProblem", "ResultsUnwritable", "check_writable"]

#: The results (or the journal) could not be written: a run stops sending (EX_IOERR).
EXIT_RESULTS_UNWRITABLE = 74


class FileProblem(click.ClickException):
    """An input or results file the run cannot use; printed as one `Error: ...` line."""

    exit_code = 2


class ResultsUnwritable(click.ClickException):
    """The results file could not be written before anything was sent (a full disk, an
    I/O error): exit 74, the file left as it was."""

    exit_code = EXIT_RESULTS_UNWRITABLE

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(
            f"cannot write {path} ({error.strerror or error}): nothing was sent and the file "
            "is as it was. Free space, then run the same command again."
        )


def check_writable(path: Path, *, option: str) -> None:
    """Refuse `path` unless the results (and the journal beside them) can be written there.

    Tried for real (a scratch file in the folder, the file itself opened for
    appending) rather than guessed from permission bits, which root ignores.
    """
    where = f"{option} {path}"
    if path.is_dir():
        raise FileProblem(f"{where}: is a folder; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise FileProblem(f"{where}: the folder {folder} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
        if path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
    except OSError as error:
        raise FileProblem(f"{where}: cannot write there ({error.strerror or error})") from None

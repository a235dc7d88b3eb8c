"""How `dingtalk-im` refuses a file it cannot use: one line on stderr and exit 2, before any I/O."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

__all__ = ["FileProblem", "check_writable"]


class FileProblem(click.ClickException):
    """An input or results file the run cannot use; printed as one `Error: ...` line."""

    exit_code = 2


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

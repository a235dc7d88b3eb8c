"""One run per results file: `dingtalk-im bulk` holds an exclusive lock on `RESULTS.lock`.

Two runs appending to one results file would each send what the other is
sending (two `--resume` processes create every remaining group twice), and
neither file nor journal would account for it. So a run locks the file
beside its results before it reads or rewrites them, and a second run
refuses (exit 2), naming the results file and the holder written in the lock
file (pid, host, start time).

The lock is the OS's (`flock`): the kernel releases it when its process
ends, however it ends, so a run killed with SIGKILL leaves no stale lock
behind, only a lock file whose holder line the next run overwrites. The lock
file is removed on release; a run that opened it just before checks, after
locking, that the file it locked is still the one at the path (else it locks
again), so removing it cannot let two runs in. Not on Windows, which has no
`flock`: there the run is not locked.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ._problems import FileProblem

__all__ = ["ResultsInUse", "holding_results", "lock_path"]


class ResultsInUse(FileProblem):
    """Another run holds the results file's lock; the message names the file and it."""


def lock_path(results: Path) -> Path:
    return results.with_name(results.name + ".lock")


@contextlib.contextmanager
def holding_results(results: Path) -> Iterator[None]:
    """Hold the results file's lock while inside; `ResultsInUse` if another run has it."""
    if sys.platform == "win32":  # pragma: no cover - no flock there
        yield
        return
    path = lock_path(results)
    fd = _locked(path, results)
    try:
        with contextlib.suppress(OSError):  # a full disk: locked all the same, holder unnamed
            os.ftruncate(fd, 0)
            os.pwrite(fd, _holder().encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # while still locked, so no one holds a lock on a removed file
        os.close(fd)


def _locked(path: Path, results: Path) -> int:
    """An open descriptor of the lock file at `path`, locked by this process."""
    import fcntl  # POSIX only

    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            raise ResultsInUse(
                f"{results} is in use by another dingtalk-im bulk run "
                f"({holder or 'its holder is just starting'}; lock file {path}): one run per "
                "results file. Wait for it to end (or stop it), then rerun with --resume."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            if path.stat().st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the holder removed it as we opened it: lock the new one


def _holder() -> str:
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return f"pid {os.getpid()} on {socket.gethostname()}, since {started}\n"


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode(errors="replace").strip()
    except OSError:
        return ""

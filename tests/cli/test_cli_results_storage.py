"""A results file that cannot be written (a real full disk, a file size limit, the file removed
or its folder replaced underneath) stops `dingtalk-im bulk` cleanly: no traceback, the summary
and how to resume, exit 74, only whole records; `--resume` then ends with one group per input."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import resource
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from dingtalk_im_async.testing import DingTalkEmulator
from tests.cli.test_cli_resume import created_names, wait_for, write_csv
from tests.support.cli_subprocess import ENTRY, Finished, cli_env, finish, run_cli, start_cli
from tests.support.results_file import outcome_records

PAGE = 4096


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real filesystem of 256 KiB (tmpfs), mounted for the test: root can, and here is."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path, *, leave: int) -> Path:
    """Fill `disk` but `leave` bytes (whole pages), with a file to delete to free it."""
    filler = disk / "filler"
    chunk = b"\0" * PAGE
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    with contextlib.suppress(OSError):
        while True:
            os.write(fd, chunk)
    os.close(fd)
    os.truncate(filler, max(filler.stat().st_size - leave, 0))
    return filler


def check_whole(results: Path) -> list[dict[str, object]]:
    """Every line of the results is a whole JSON record, the last one too."""
    raw = results.read_bytes()
    assert raw.endswith(b"\n"), "the last record is whole"
    lines = [json.loads(line) for line in raw.decode().splitlines()]
    records = [record for record in lines if "line" in record]
    assert len({record["line"] for record in records}) == len(records), "one record per line"
    return records


def check_stopped(first: Finished) -> None:
    assert first.code == 74, first.output
    assert "Traceback" not in first.output
    assert "Stopped:" in first.output
    assert "--resume" in first.output


async def finish_after_freeing(
    emulator: DingTalkEmulator, source: Path, results: Path, count: int, first: Finished
) -> None:
    """Resume once the results can be written: one group per input, one record per line;
    the calls whose records could not be written are the unknown ones, not sent again."""
    unrecorded = first.output.count("not recorded: ")
    resumed = await run_cli(emulator, ["bulk", str(source), "--results", str(results), "--resume"])
    assert resumed.code == (1 if unrecorded else 0), resumed.output
    assert created_names(emulator) == Counter(f"g{n}" for n in range(count)), "no duplicates"
    final = outcome_records(results)
    assert sorted(record["line"] for record in final) == list(range(2, count + 2))
    assert sum(record["status"] == "unknown" for record in final) == unrecorded


@pytest.mark.parametrize(("free_pages", "count"), [(3, 60), (4, 90)])
async def test_a_full_disk_stops_the_run_and_resume_finishes_it(
    tmp_path: Path, emulator: DingTalkEmulator, small_disk: Path, free_pages: int, count: int
) -> None:
    source = write_csv(tmp_path / "in.csv", count)
    results = small_disk / "out.jsonl"
    filler = fill(small_disk, leave=free_pages * PAGE)

    first = await run_cli(emulator, ["bulk", str(source), "--results", str(results)])
    check_stopped(first)
    assert "No space left on device" in first.output
    recorded = check_whole(results)
    assert 0 < len(recorded) < count
    assert len(emulator.groups) < count, "it stopped sending"
    if "not recorded: " in first.output:
        assert results.with_name("out.jsonl.sending").exists(), "the journal keeps them"

    # Still full: the resume cannot rewrite the results, says so, and leaves them as they were.
    before = results.read_bytes()
    stuck = await run_cli(emulator, ["bulk", str(source), "--results", str(results), "--resume"])
    assert stuck.code == 74, stuck.output
    assert "Traceback" not in stuck.output
    assert "No space left on device" in stuck.output
    assert results.read_bytes() == before
    assert not results.with_name("out.jsonl.tmp").exists()

    filler.unlink()
    await finish_after_freeing(emulator, source, results, count, first)


@pytest.mark.parametrize("limit", [5000, 9000])
async def test_a_file_size_limit_stops_the_run_and_resume_finishes_it(
    tmp_path: Path, emulator: DingTalkEmulator, limit: int
) -> None:
    """The kernel refuses writes past RLIMIT_FSIZE (EFBIG; Python ignores SIGXFSZ), often in
    the middle of a record: the record is cut back, never left torn."""
    count = 60
    source = write_csv(tmp_path / "in.csv", count)
    results = tmp_path / "out.jsonl"

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ENTRY,
        "bulk",
        str(source),
        "--results",
        str(results),
        env=cli_env(emulator),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        preexec_fn=limit_file_size,  # the test process runs no other thread that forks
    )
    first = await finish(process)
    check_stopped(first)
    assert os.strerror(errno.EFBIG) in first.output
    check_whole(results)
    assert results.stat().st_size <= limit
    await finish_after_freeing(emulator, source, results, count, first)


@pytest.mark.parametrize("how", ["unlink", "replace the folder"])
async def test_results_removed_underneath_are_written_back_and_resume_finishes(
    tmp_path: Path, emulator: DingTalkEmulator, how: str
) -> None:
    count = 30
    source = write_csv(tmp_path / "in.csv", count)
    folder = tmp_path / "out"
    folder.mkdir()
    results = folder / "out.jsonl"
    process = await start_cli(
        emulator, ["bulk", str(source), "--results", str(results), "--rate", "10"]
    )
    await wait_for(lambda: len(emulator.groups) >= 5)
    if how == "unlink":
        results.unlink()
    else:
        folder.rename(tmp_path / "out.old")
        folder.mkdir()
    first = await finish(process)
    check_stopped(first)
    assert "written back" in first.output
    recorded = check_whole(results)
    assert len(recorded) == len(emulator.groups) < count, "every call sent has its record"
    await finish_after_freeing(emulator, source, results, count, first)

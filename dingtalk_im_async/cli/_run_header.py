"""The results file's first line: the run it records,
`{"run": {"id": "<32 lowercase hex>", "target": {...}}}`.

`--resume` reads the id back, so inputs without a dedup key (a scene-group
create's `uuid`) get the same keys as in the run it continues
(`Operation.keyed`), and DingTalk finds the object an earlier send made; and the
target it went to (`target`: the API hosts and app key, or the in-process
emulator), which a resume must match (`_resume.resumed_run`). More facts about the
run may join them under `run`; every field is kept when a resume rewrites the file.
Readers of the outcome records skip this line (it has no `line`), and a file
without it (written before run headers) reads as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["RUN", "TARGET", "header_line", "is_run_header", "read_run"]

#: The header's one key.
RUN = "run"
#: The run's target, under `run`: `{"baseUrl", "oapiBaseUrl", "appKey"}` or the emulator's.
TARGET = "target"


def is_run_header(record: object) -> bool:
    """Whether a decoded line of a results file is the run header."""
    return isinstance(record, dict) and isinstance(record.get(RUN), dict) and "line" not in record


def header_line(run: Mapping[str, Any]) -> str:
    """The header's line (with its newline) for the run `run` (`{"id": ..., ...}`)."""
    return json.dumps({RUN: dict(run)}, ensure_ascii=False) + "\n"


def read_run(results: Path) -> dict[str, Any] | None:
    """The run the results file records (`{"id": ..., ...}`), or None: no file, an empty
    one, or one written before run headers (its first line is an outcome)."""
    try:
        with results.open(encoding="utf-8") as stream:
            first = stream.readline()
    except FileNotFoundError:
        return None
    try:
        record = json.loads(first)
    except ValueError:
        return None
    if not is_run_header(record) or not isinstance(record[RUN].get("id"), str):
        return None
    run: dict[str, Any] = record[RUN]
    return run

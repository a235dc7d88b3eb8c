"""Reading a `dingtalk-im bulk` results file as its readers must: the outcome records, the
run header (the first line, `{"run": {"id": ...}}`) left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dingtalk_im_async.cli._run_header import is_run_header


def outcome_records(path: Path) -> list[dict[str, Any]]:
    """Every outcome record of the results file, in file order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [record for line in lines if not is_run_header(record := json.loads(line))]

"""Reading `dingtalk-im bulk` input, one record at a time: CSV or JSON Lines.

What a record may hold comes from the bulk operation's request class,
through the one converter (`_rows`): each field's wire name (`ownerType`) or
snake_case name (`owner_type`); a settings object (`managementOptions`) is
one JSON object or a column per setting in CSV. In CSV, list fields are
separated by `;` and an empty cell means "not set". A record that cannot
become a request is returned with the reason, so the caller can report it
by line and go on.

`preset` values (`bulk --set KEY=VALUE`) are given to every record, and a
results file of an earlier run (`bulk --from-results`) is read for the ids its
finished records hold (the operation's `from_results` keys), nothing else.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from attrs import define

from ._encoding import DEFAULT_ENCODING, decoding_problem, python_encoding
from ._operations import CREATE, Operation
from ._results import DONE
from ._rows import Column, RowError, columns, request_from_row, required_columns
from ._run_header import is_run_header

__all__ = [
    "FORMATS",
    "InputFormatError",
    "InputRecord",
    "count_records",
    "known_columns",
    "read_records",
]

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


class InputFormatError(ValueError):
    """The input as a whole cannot be read (unknown format or columns): nothing is run."""


@define(frozen=True, kw_only=True)
class InputRecord:
    """One input record: its line number, name (the operation's label: a group's name, a
    chatid, ...), and the request or why there is none."""

    line: int
    name: str
    request: Any = None
    problem: str | None = None


def known_columns(operation: Operation[Any, Any]) -> Mapping[str, Column]:
    """The keys a record of `operation` may use."""
    return operation.columns if operation.columns is not None else columns(operation.request_type)


def _required(operation: Operation[Any, Any]) -> tuple[str, ...]:
    if operation.required_columns is not None:
        return operation.required_columns
    return required_columns(operation.request_type)


def input_format(path: Path, chosen: str | None) -> str:
    """`csv` or `jsonl`: the one chosen, else the file's suffix."""
    if chosen is not None:
        return chosen
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InputFormatError(
            f"cannot tell the format of {path.name} from its suffix: "
            "use .csv or .jsonl, or pass --format"
        )
    return found


def count_records(
    path: Path,
    fmt: str,
    *,
    encoding: str = DEFAULT_ENCODING,
    operation: Operation[Any, Any] = CREATE,
    from_results: bool = False,
) -> int:
    """How many records the file holds (a results file's: its outcomes, not its run
    header): a streaming pass over all of it before anything is sent, which raises
    `InputFormatError` if the file cannot be read as a whole."""
    codec = _codec(encoding)
    try:
        with path.open(encoding=codec, newline="") as stream:
            if fmt == "csv":
                rows = _csv_rows(stream, operation)
                if next(rows, None) is None:
                    return 0
                return sum(1 for _first, _last, row in rows if row)
            if from_results:
                return sum(1 for text in stream if text.strip() and not _is_header_text(text))
            return sum(1 for text in stream if text.strip())
    except UnicodeDecodeError as error:
        raise InputFormatError(decoding_problem(path, codec, error)) from None


def read_records(
    path: Path,
    fmt: str,
    *,
    separator: str = ";",
    encoding: str = DEFAULT_ENCODING,
    operation: Operation[Any, Any] = CREATE,
    preset: Mapping[str, object] | None = None,
    from_results: bool = False,
) -> Iterator[InputRecord]:
    """Yield the file's records lazily as requests of `operation`, each with the `preset`
    values (or, `from_results`, the ids of a results file's finished records with them);
    raises `InputFormatError` for a bad CSV header."""
    preset = preset or {}
    with path.open(encoding=_codec(encoding), newline="") as stream:
        if fmt == "csv":
            yield from _csv_records(stream, separator, operation, preset)
        else:
            yield from _jsonl_records(stream, operation, preset, from_results=from_results)


def _is_header_text(text: str) -> bool:
    try:
        return is_run_header(json.loads(text))
    except ValueError:
        return False


def _codec(encoding: str) -> str:
    try:
        return python_encoding(encoding)
    except ValueError as error:
        raise InputFormatError(str(error)) from None


def _csv_rows(
    stream: TextIO, operation: Operation[Any, Any], preset: Mapping[str, object] | None = None
) -> Iterator[tuple[int, int, list[str]]]:
    """Each row with the lines it starts and ends on; the header's columns are checked.

    Quoting is strict: a quote left open would swallow every line after it
    into one cell, so it refuses the file, naming the line it opened on.
    """
    reader = csv.reader(stream, strict=True)
    end_of_previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = end_of_previous + 1
            if "unexpected end of data" in str(error):
                raise InputFormatError(
                    f"line {line}: a quoted cell opens on this line and is never closed "
                    "(it would swallow every line after it); close or remove the quote"
                ) from None
            raise InputFormatError(f"line {line}: malformed CSV quoting ({error})") from None
        if end_of_previous == 0:
            _check_columns([column.strip() for column in row], operation, preset or {})
        yield end_of_previous + 1, reader.line_num, row
        end_of_previous = reader.line_num


def _csv_records(
    stream: TextIO, separator: str, operation: Operation[Any, Any], preset: Mapping[str, object]
) -> Iterator[InputRecord]:
    rows = _csv_rows(stream, operation, preset)
    header = next(rows, None)
    if header is None:
        return
    columns = [column.strip() for column in header[2]]
    for line, last_line, row in rows:
        if not row:
            continue
        if last_line > line:
            yield InputRecord(
                line=line,
                name="",
                problem=f"a quoted cell runs from line {line} to line {last_line}; "
                "no field may hold a line break (is a quote unbalanced?)",
            )
            continue
        if len(row) != len(columns):
            yield InputRecord(
                line=line,
                name=row[0] if row else "",
                problem=f"expected {len(columns)} fields, found {len(row)}",
            )
            continue
        cells = {
            column: cell.strip() for column, cell in zip(columns, row, strict=True) if cell.strip()
        }
        yield _record(line, cells, operation, separator, preset)


def _check_columns(
    header: list[str], operation: Operation[Any, Any], preset: Mapping[str, object]
) -> None:
    """The header names known fields of the operation, each once, and with the `preset`
    keys every required one."""
    known = known_columns(operation)
    unknown = [column for column in header if column not in known]
    if unknown:
        names = sorted({column.path[-1] for column in known.values()})
        raise InputFormatError(
            f"unknown column(s) {', '.join(map(repr, unknown))} for {operation.name}; known: "
            + ", ".join(names)
        )
    targets = [known[column].path for column in header]
    repeated = sorted({".".join(path) for path in targets if targets.count(path) > 1})
    if repeated:
        raise InputFormatError(f"column(s) given twice: {', '.join(repeated)}")
    given = {path[0] for path in targets} | {known[key].path[0] for key in preset}
    required = _required(operation)
    missing = [name for name in required if name not in given]
    if missing:
        raise InputFormatError(
            f"missing required column(s): {', '.join(missing)} "
            f"(every {operation.name} record needs {', '.join(required)})"
        )


def _jsonl_records(
    stream: TextIO,
    operation: Operation[Any, Any],
    preset: Mapping[str, object],
    *,
    from_results: bool,
) -> Iterator[InputRecord]:
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except ValueError as error:
            yield InputRecord(line=line, name="", problem=f"not JSON: {error}")
            continue
        if not isinstance(data, dict):
            yield InputRecord(line=line, name="", problem="expected a JSON object")
            continue
        if from_results:
            if is_run_header(data):  # the earlier run's header, not an outcome
                continue
            status = data.get("status")
            if status not in DONE:
                name = data.get("name")
                yield InputRecord(
                    line=line,
                    name=name if isinstance(name, str) else "",
                    problem=f"the earlier run did not finish it (status {status})",
                )
                continue
            data = {key: data[key] for key in operation.from_results if key in data}
        yield _record(line, data, operation, None, preset)


def _record(
    line: int,
    data: dict[str, Any],
    operation: Operation[Any, Any],
    separator: str | None,
    preset: Mapping[str, object],
) -> InputRecord:
    """The record of one row: its request, or the reason there is none (named by the row's
    first required field, as far as it can be read)."""
    try:
        request = request_from_row(
            operation.request_type,
            data,
            separator=separator,
            known=known_columns(operation),
            preset=preset,
        )
    except RowError as error:
        return InputRecord(line=line, name=_raw_label(data, operation), problem=str(error))
    return InputRecord(line=line, name=operation.label(request), request=request)


def _raw_label(data: Mapping[str, Any], operation: Operation[Any, Any]) -> str:
    known = known_columns(operation)
    first = _required(operation)[:1]
    for key, value in data.items():
        column = known.get(key)
        if column is not None and column.path[:1] == first:
            return value if isinstance(value, str) else str(value)
    return ""

"""Reading `dingtalk-im bulk` input, one record at a time: CSV or JSON Lines.

Field names are the API's wire names (`ownerType`) or their snake_case
forms (`owner_type`). The six management options are columns of their own
(`searchable`, ...) or, in JSON Lines, a `managementOptions` object. In CSV,
list fields (`useridlist`, `extidlist`) are separated by `;` and an empty
cell means "not set". A record that cannot become a request is returned
with the reason, so the caller can report it by line and go on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from attrs import define

from ..errors import RequestValidationError
from ..models import CreateGroupRequest, ManagementOptions
from ._encoding import DEFAULT_ENCODING, decoding_problem, python_encoding

__all__ = ["FORMATS", "InputFormatError", "InputRecord", "count_records", "read_records"]

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}

_REQUEST_FIELDS = {
    "name": "name",
    "owner": "owner",
    "ownerType": "owner_type",
    "useridlist": "useridlist",
    "conversationTag": "conversation_tag",
    "extidlist": "extidlist",
    "icon": "icon",
}
_OPTION_FIELDS = {
    "mentionAllAuthority": "mention_all_authority",
    "showHistoryType": "show_history_type",
    "validationType": "validation_type",
    "searchable": "searchable",
    "chatBannedType": "chat_banned_type",
    "managementType": "management_type",
}
_NESTED = {"managementOptions": "management_options"}
REQUIRED_FIELDS = ("name", "owner", "useridlist")
_LIST_FIELDS = {"useridlist", "extidlist"}
_INT_FIELDS = {"conversation_tag", *_OPTION_FIELDS.values()}


def _aliases(table: dict[str, str]) -> dict[str, str]:
    """Wire name or snake_case name -> snake_case name."""
    return {**table, **{snake: snake for snake in table.values()}}


REQUEST_KEYS = _aliases(_REQUEST_FIELDS)
OPTION_KEYS = _aliases(_OPTION_FIELDS)
NESTED_KEYS = _aliases(_NESTED)


class InputFormatError(ValueError):
    """The input as a whole cannot be read (unknown format or columns): nothing is run."""


@define(frozen=True, kw_only=True)
class InputRecord:
    """One input record: its line number, name, and the request or why there is none."""

    line: int
    name: str
    request: CreateGroupRequest | None = None
    problem: str | None = None


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


def count_records(path: Path, fmt: str, *, encoding: str = DEFAULT_ENCODING) -> int:
    """How many records the file holds: a streaming pass over all of it before anything
    is sent, which raises `InputFormatError` if the file cannot be read as a whole."""
    codec = _codec(encoding)
    try:
        with path.open(encoding=codec, newline="") as stream:
            if fmt == "csv":
                rows = _csv_rows(stream)
                if next(rows, None) is None:
                    return 0
                return sum(1 for _first, _last, row in rows if row)
            return sum(1 for text in stream if text.strip())
    except UnicodeDecodeError as error:
        raise InputFormatError(decoding_problem(path, codec, error)) from None


def read_records(
    path: Path, fmt: str, *, separator: str = ";", encoding: str = DEFAULT_ENCODING
) -> Iterator[InputRecord]:
    """Yield the file's records lazily; raises `InputFormatError` for a bad CSV header."""
    with path.open(encoding=_codec(encoding), newline="") as stream:
        if fmt == "csv":
            yield from _csv_records(stream, separator)
        else:
            yield from _jsonl_records(stream, separator)


def _codec(encoding: str) -> str:
    try:
        return python_encoding(encoding)
    except ValueError as error:
        raise InputFormatError(str(error)) from None


def _csv_rows(stream: TextIO) -> Iterator[tuple[int, int, list[str]]]:
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
            _check_columns([column.strip() for column in row])
        yield end_of_previous + 1, reader.line_num, row
        end_of_previous = reader.line_num


def _csv_records(stream: TextIO, separator: str) -> Iterator[InputRecord]:
    rows = _csv_rows(stream)
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
        yield _record(line, cells, separator)


def _check_columns(columns: list[str]) -> None:
    known = {**REQUEST_KEYS, **OPTION_KEYS}
    unknown = [column for column in columns if column not in known]
    if unknown:
        raise InputFormatError(
            f"unknown column(s) {', '.join(map(repr, unknown))}; known: "
            + ", ".join([*_REQUEST_FIELDS, *_OPTION_FIELDS])
        )
    targets = [known[column] for column in columns]
    repeated = sorted({target for target in targets if targets.count(target) > 1})
    if repeated:
        raise InputFormatError(f"column(s) given twice: {', '.join(repeated)}")
    missing = [field for field in REQUIRED_FIELDS if field not in targets]
    if missing:
        raise InputFormatError(
            f"missing required column(s): {', '.join(missing)} "
            f"(every record needs {', '.join(REQUIRED_FIELDS)})"
        )


def _jsonl_records(stream: TextIO, separator: str) -> Iterator[InputRecord]:
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
        yield _record(line, data, separator)


def _record(line: int, data: dict[str, Any], separator: str) -> InputRecord:
    raw_name = data.get("name", "")
    name = raw_name if isinstance(raw_name, str) else str(raw_name)
    try:
        request = _request(data, separator)
    except (RequestValidationError, ValueError, TypeError) as error:
        return InputRecord(line=line, name=name, problem=str(error))
    return InputRecord(line=line, name=name, request=request)


def _request(data: dict[str, Any], separator: str) -> CreateGroupRequest:
    fields: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for key, value in data.items():
        if key in REQUEST_KEYS:
            fields[_unique(fields, REQUEST_KEYS[key])] = value
        elif key in OPTION_KEYS:
            options[_unique(options, OPTION_KEYS[key])] = value
        elif key in NESTED_KEYS:
            if not isinstance(value, dict):
                raise ValueError(f"{key}: must be an object")
            for option, option_value in value.items():
                if option not in OPTION_KEYS:
                    raise ValueError(f"{key}: unknown option {option!r}")
                options[_unique(options, OPTION_KEYS[option])] = option_value
        else:
            raise ValueError(f"unknown field {key!r}")
    for required in REQUIRED_FIELDS:
        if required not in fields:
            raise ValueError(f"{required}: missing")
    fields = {key: _from_text(key, value, separator) for key, value in fields.items()}
    options = {key: _from_text(key, value, separator) for key, value in options.items()}
    return CreateGroupRequest(
        **fields, management_options=ManagementOptions(**options) if options else None
    )


def _unique(seen: dict[str, Any], key: str) -> str:
    if key in seen:
        raise ValueError(f"{key}: given twice")
    return key


def _from_text(key: str, value: Any, separator: str) -> Any:
    """CSV cells are text: split list fields, read integer fields; JSON values pass as they are."""
    if not isinstance(value, str):
        return value
    if key in _LIST_FIELDS:
        return [item.strip() for item in value.split(separator) if item.strip()]
    if key in _INT_FIELDS and value.strip().lstrip("-").isdigit():
        return int(value)
    return value

"""Which text encoding `dingtalk-im bulk` reads its input in, and what to say when the file
is in another one (spreadsheets in China often export GBK or UTF-16, not UTF-8)."""

from __future__ import annotations

import codecs
from pathlib import Path

__all__ = ["DEFAULT_ENCODING", "decoding_problem", "python_encoding"]

DEFAULT_ENCODING = "utf-8"

_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",  # before UTF-16: it starts with the same two bytes
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def python_encoding(name: str) -> str:
    """The codec to open the file with; `ValueError` for an unknown name.

    UTF-8 is read as `utf-8-sig`, so a file with a byte-order mark (as Excel
    writes it) reads the same as one without.
    """
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise ValueError(f"unknown encoding {name!r} (e.g. utf-8, gbk, gb18030, utf-16)") from None
    return "utf-8-sig" if codec in ("utf-8", "utf-8-sig") else codec


def decoding_problem(path: Path, encoding: str, error: UnicodeDecodeError) -> str:
    """One line saying why `path` cannot be read as `encoding`, where, and what to do."""
    line, byte = _first_undecodable(path, encoding)
    shown = "UTF-8" if encoding == "utf-8-sig" else encoding
    with path.open("rb") as stream:
        start = stream.read(4)
    for bom, family in _BOMS.items():
        if start.startswith(bom) and not encoding.startswith(family.lower()):
            return (
                f"the file is {family} (it starts with a {family} byte-order mark), not {shown}: "
                f"pass --encoding {family.lower()}, or save it as UTF-8"
            )
    where = f"line {line}: byte 0x{byte:02x}" if byte is not None else f"line {line}"
    hint = (
        "if it was saved as GBK (as Excel often does in China) pass --encoding gbk, "
        "or save it as UTF-8"
        if encoding == "utf-8-sig"
        else "pass the --encoding it was saved in, or save it as UTF-8"
    )
    return f"the file is not valid {shown} ({where} cannot be decoded: {error.reason}); {hint}"


def _first_undecodable(path: Path, encoding: str) -> tuple[int, int | None]:
    """Line number and value of the first byte `encoding` cannot decode.

    The file is fed to the decoder a byte-line at a time, so for encodings
    where a 0x0A byte is always a line break (UTF-8, GBK) the line is exact.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines = 0
    with path.open("rb") as stream:
        for chunk in stream:
            try:
                newlines += decoder.decode(chunk).count("\n")
            except UnicodeDecodeError as error:
                return newlines + 1, error.object[error.start]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return newlines + 1, error.object[error.start]
    return newlines + 1, None

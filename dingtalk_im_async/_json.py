"""The JSON codec: orjson when installed (the `orjson` extra), else the standard library.

orjson only makes the usual case faster (docs/performance.md). Whatever
orjson refuses is handed to the standard library, so what is accepted or
rejected, and with which exception, does not depend on whether orjson is
installed. For the bodies this package sends (strings, integers, lists,
objects) the bytes are the same too. One difference is left: orjson decodes
an integer beyond 64 bits as a float; no documented DingTalk reply carries one.

`DINGTALK_IM_ASYNC_JSON=stdlib` in the environment (read once, at import)
makes the package use the standard library even with orjson installed: the
default install's codec, e.g. to measure it (`benchmarks/compare.py` does).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

__all__ = [
    "CODEC_ENV",
    "decode",
    "decode_stdlib",
    "decode_text",
    "decode_text_stdlib",
    "encode",
    "encode_stdlib",
    "uses_orjson",
]

#: Environment variable choosing the codec: `auto` (or unset): orjson if installed; `stdlib`.
CODEC_ENV = "DINGTALK_IM_ASYNC_JSON"


def _compact_encoder() -> Callable[[Any], str]:
    """`json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode`, built once.

    That method builds a new C encoder for every body; when the standard
    library has one (`json.encoder.c_make_encoder`, as CPython does), it is
    built here once, with the same settings, which halves the cost of a
    create's body. Without the circular-reference check: bodies are fresh
    dicts and lists made by cattrs from attrs models, never cyclic.
    """
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:
        return encoder.encode
    # The arguments `JSONEncoder.iterencode` passes: markers (None: no circular check),
    # default, string encoder, indent, key and item separators, sort_keys, skipkeys,
    # allow_nan.
    chunks = make_encoder(
        None, encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    join = "".join

    def encode(body: Any) -> str:
        return join(chunks(body, 0))

    return encode


_encode_text = _compact_encoder()
_raw_decode = json.JSONDecoder().raw_decode


def encode_stdlib(body: Any) -> bytes:
    """Compact UTF-8 JSON, as DingTalk's examples send it."""
    return _encode_text(body).encode()


def decode_stdlib(raw: bytes) -> Any:
    """Parse a reply body (UTF-8, -16 or -32, as the standard library detects it)."""
    if raw.startswith(b'{"'):
        # What every reply looks like. `json.detect_encoding` would say UTF-8 (no BOM, no
        # NUL in the first two bytes), so this is `json.loads(raw)` without the detection,
        # and without its whitespace regex when the object ends the body.
        text = raw.decode("utf-8", "surrogatepass")
        value, end = _raw_decode(text)
        if end == len(text):
            return value
    return json.loads(raw)  # any other body, or trailing whitespace or garbage


def decode_text_stdlib(text: str) -> Any:
    """Parse a JSON text already decoded to `str` (a WebSocket text message), as `json.loads`
    does, without its two whitespace scans when the text is exactly one JSON value."""
    try:
        value, end = _raw_decode(text)
    except ValueError:  # leading whitespace, or not JSON: json.loads has the verdict
        return json.loads(text)
    if end == len(text):
        return value
    return json.loads(text)  # trailing whitespace or garbage


def _wanted_codec() -> str:
    wanted = os.environ.get(CODEC_ENV, "auto").strip().lower() or "auto"
    if wanted not in ("auto", "stdlib"):
        raise ValueError(f"{CODEC_ENV} must be 'auto' or 'stdlib', got {wanted!r}")
    return wanted


try:
    if _wanted_codec() == "stdlib":
        raise ImportError(f"{CODEC_ENV}=stdlib")
    import orjson
except ImportError:  # the `orjson` extra is not installed, or the environment says stdlib
    uses_orjson = False
    encode = encode_stdlib
    decode = decode_stdlib
    decode_text = decode_text_stdlib
else:
    uses_orjson = True

    def encode(body: Any) -> bytes:
        """Compact UTF-8 JSON, as DingTalk's examples send it."""
        try:
            return orjson.dumps(body)
        except TypeError:  # orjson.JSONEncodeError, e.g. a lone surrogate in a string
            return encode_stdlib(body)

    def decode(raw: bytes) -> Any:
        """Parse a reply body; what orjson refuses gets the standard library's verdict."""
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return json.loads(raw)

    def decode_text(text: str) -> Any:
        """Parse a JSON text already decoded to `str`; what orjson refuses gets the standard
        library's verdict."""
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return decode_text_stdlib(text)

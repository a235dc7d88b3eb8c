"""The JSON codec: orjson when installed (the `orjson` extra), else the standard library.

orjson only makes the usual case faster: a create's JSON work drops from
about 5.5 to 0.7 µs, some 5 % of the client's CPU per call
(docs/performance.md). Whatever orjson refuses is handed to the standard
library, so what is accepted or rejected, and with which exception, does not
depend on whether orjson is installed. For the
bodies this package sends (strings, integers, lists, objects) the bytes are
the same too. One difference is left: orjson decodes an integer beyond 64
bits as a float; no documented DingTalk reply carries one.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["decode", "decode_stdlib", "encode", "encode_stdlib", "uses_orjson"]

_encode_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode_stdlib(body: Any) -> bytes:
    """Compact UTF-8 JSON, as DingTalk's examples send it."""
    return _encode_text(body).encode()


def decode_stdlib(raw: bytes) -> Any:
    """Parse a reply body (UTF-8, -16 or -32, as the standard library detects it)."""
    return json.loads(raw)


try:
    import orjson
except ImportError:  # the `orjson` extra is not installed
    uses_orjson = False
    encode = encode_stdlib
    decode = decode_stdlib
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

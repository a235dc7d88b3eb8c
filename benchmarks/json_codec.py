"""JSON work of one create, with orjson and with the standard library.

    python benchmarks/json_codec.py

Times what the client does with JSON per create (encode the request body,
decode the reply) with each codec of dingtalk_im_async._core.json_codec, best of 5, next to
the plain standard-library calls (`JSONEncoder(...).encode`, `json.loads`) it
replaces.
The end-to-end effect is `compare.py` against `compare.py --stdlib-json`.
"""

from __future__ import annotations

import functools
import json
import timeit
from collections.abc import Callable

from dingtalk_im_async import CreateGroupRequest
from dingtalk_im_async._core import json_codec as _json
from dingtalk_im_async._core.wire import to_wire

BODY = to_wire(
    CreateGroupRequest(name="benchmark group", owner="manager4220", useridlist=["user100", "u2"])
)
REPLY = (
    b'{"openConversationId":"cidqzWcoogsdbWfa56ZL1OvSw==","chatid":"chat0a1b2c3d",'
    b'"conversationTag":2}'
)
NUMBER = 100_000


def _microseconds(work: Callable[[], object]) -> float:
    return min(timeit.repeat(work, number=NUMBER, repeat=5)) / NUMBER * 1e6


_PLAIN_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _plain_encode(body: object) -> bytes:
    return _PLAIN_ENCODER.encode(body).encode()


def main() -> None:
    if not _json.uses_orjson:
        print("orjson is not used (not installed, or DINGTALK_IM_ASYNC_JSON=stdlib)")
    codecs = [
        ("plain json.loads/encode", _plain_encode, json.loads),
        ("standard library", _json.encode_stdlib, _json.decode_stdlib),
    ]
    if _json.uses_orjson:
        codecs.append(("orjson (with fallback)", _json.encode, _json.decode))
    for name, encode, decode in codecs:
        encoding = _microseconds(functools.partial(encode, BODY))
        decoding = _microseconds(functools.partial(decode, REPLY))
        print(
            f"{name:24s} encode {encoding:5.2f} us  decode {decoding:5.2f} us  "
            f"per create {encoding + decoding:5.2f} us"
        )


if __name__ == "__main__":
    main()

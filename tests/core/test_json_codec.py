"""orjson is only a faster path: with or without it, the same bytes, values and errors."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from typing import Any

import pytest

from dingtalk_im_async import ConversationTag
from dingtalk_im_async._core import json_codec as _json

BODIES = [
    {"name": "测试群", "owner": "manager4220", "useridlist": ["user100", "用户2"]},
    {
        "name": '群 "quoted" \\ back\nline',
        "ownerType": "emp",
        "conversationTag": 2,
        "useridlist": ("a", "b"),
        "managementOptions": {"mentionAllAuthority": 1, "searchable": 0},
    },
    {"appKey": "dingemulatorappkey", "appSecret": "s3cr\u00e9t \U0001f600"},
    {"nested": [[], {}, [None, True, False, 0, -1, 2**63 - 1]]},
]

REPLIES = [
    b'{"openConversationId":"cid+/==","chatid":"chatabc","conversationTag":2}',
    '{"code":"parameter.invalid","message":"输入参数错误","requestid":"X-1"}'.encode(),
    b' \n{"a": [1, 2.5, -0.0, 1e-7, null, true], "b": {"c": "\\u00e9\\ud83d\\ude00"}}\t',
    b'"just a string"',
    b"[]",
]

#: Valid for the standard library, refused by orjson: the fallback must give the same value.
STDLIB_ONLY_REPLIES = [
    b'\xef\xbb\xbf{"code":"x"}',  # UTF-8 byte order mark
    '{"code":"x"}'.encode("utf-16"),
    '{"code":"x"}'.encode("utf-32-le"),
    b'{"a":"\\ud800"}',  # lone surrogate escape
]


@pytest.mark.parametrize("body", BODIES)
def test_encoding_gives_the_standard_librarys_bytes(body: dict[str, object]) -> None:
    assert _json.encode(body) == _json.encode_stdlib(body)
    assert json.loads(_json.encode(body)) == json.loads(json.dumps(body))


def test_encoding_is_compact_utf8() -> None:
    assert _json.encode({"name": "群", "ids": ["a"]}) == '{"name":"群","ids":["a"]}'.encode()


@pytest.mark.parametrize("raw", REPLIES + STDLIB_ONLY_REPLIES)
def test_decoding_gives_the_standard_librarys_value(raw: bytes) -> None:
    assert _json.decode(raw) == _json.decode_stdlib(raw)


def test_decoding_keeps_the_standard_librarys_leniency_for_nan() -> None:
    assert math.isnan(_json.decode(b'{"a": NaN}')["a"])


@pytest.mark.parametrize(
    "raw", [b"<html>busy</html>", b"", b'{"a":', b"\xff\xfe\xfa", b'{"a": 1,}']
)
def test_decoding_refuses_what_the_standard_library_refuses_with_its_error(raw: bytes) -> None:
    with pytest.raises(ValueError) as fast:
        _json.decode(raw)
    with pytest.raises(ValueError) as stdlib:
        _json.decode_stdlib(raw)
    assert type(fast.value) is type(stdlib.value)


def test_encoding_a_lone_surrogate_fails_as_without_orjson() -> None:
    with pytest.raises(UnicodeEncodeError):
        _json.encode({"name": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        _json.encode_stdlib({"name": "\ud800"})


def test_orjson_is_used_exactly_when_installed_and_not_switched_off() -> None:
    switched_off = os.environ.get(_json.CODEC_ENV, "auto").strip().lower() == "stdlib"
    installed = importlib.util.find_spec("orjson") is not None
    assert _json.uses_orjson is (installed and not switched_off)


def _run(script: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **environment},
    )


def test_the_environment_switch_makes_an_install_with_orjson_use_the_standard_library() -> None:
    """The test extra installs orjson, so this runs wherever the suite does."""
    script = (
        "from dingtalk_im_async._core import json_codec as _json\n"
        "assert not _json.uses_orjson\n"
        "assert _json.encode is _json.encode_stdlib\n"
        "assert _json.decode is _json.decode_stdlib\n"
    )
    done = _run(script, DINGTALK_IM_ASYNC_JSON="stdlib")
    assert done.returncode == 0, done.stderr
    done = _run(
        "from dingtalk_im_async._core import json_codec as _json\nassert _json.uses_orjson\n",
        DINGTALK_IM_ASYNC_JSON="auto",
    )
    assert done.returncode == 0, done.stderr


def test_an_unknown_codec_in_the_environment_is_refused_by_name() -> None:
    done = _run("from dingtalk_im_async import DingTalkClient", DINGTALK_IM_ASYNC_JSON="simplejson")
    assert done.returncode != 0
    assert "DINGTALK_IM_ASYNC_JSON must be 'auto' or 'stdlib', got 'simplejson'" in done.stderr


#: Bodies the standard library's fast paths must treat exactly as `json.loads` does.
EDGE_REPLIES = [
    b'{"a":1}',
    b'{"a":1}  \r\n',  # trailing whitespace: allowed
    b'{"a":1} x',  # trailing garbage: "Extra data"
    b'{"a":1}{"b":2}',
    b'{"a":',  # truncated
    b'{"a":"\xed\xa0\x80"}',  # an encoded lone surrogate: decoded, as json.loads does
    b'{"a":"\xff"}',  # not UTF-8
    b'{"\x00":1}',
    b'{"a":"\\ud800"}',
    b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}",  # too deep
]


def _outcome(decode: Any, raw: bytes) -> tuple[str, Any]:
    try:
        return "value", decode(raw)
    except (ValueError, RecursionError) as error:
        return type(error).__name__, str(error)


@pytest.mark.parametrize("raw", [*REPLIES, *STDLIB_ONLY_REPLIES, *EDGE_REPLIES])
def test_the_standard_library_decoder_is_json_loads(raw: bytes) -> None:
    assert _outcome(_json.decode_stdlib, raw) == _outcome(json.loads, raw)


@pytest.mark.parametrize(
    "body",
    [
        *BODIES,
        {"f": [0.1, -2.5e-300, 1e300, float("inf"), float("nan")], "big": 10**40},
        {"tag": ConversationTag.INTERNAL, "empty": "", "s": "\u2028 \x7f \ud800"},
        "top-level string",
        [1, "two"],
    ],
)
def test_the_standard_library_encoder_is_the_compact_json_encoder(body: Any) -> None:
    expected = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode(body)
    try:
        wanted: bytes | type[Exception] = expected.encode()
    except UnicodeEncodeError:
        wanted = UnicodeEncodeError
    if wanted is UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            _json.encode_stdlib(body)
    else:
        assert _json.encode_stdlib(body) == wanted


def test_the_standard_library_encoder_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        _json.encode_stdlib({"when": object()})


def test_without_orjson_the_standard_library_is_used() -> None:
    script = (
        "import sys; sys.modules['orjson'] = None\n"  # makes `import orjson` fail
        "from dingtalk_im_async._core import json_codec as _json, transport\n"
        "assert not _json.uses_orjson\n"
        "assert _json.encode is _json.encode_stdlib\n"
        "assert _json.decode is _json.decode_stdlib\n"
        "print(_json.encode({'name': '群'}).decode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == '{"name":"群"}\n'

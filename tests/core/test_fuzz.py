"""Property tests: any request either serializes to a body the server accepts or is rejected
before I/O, and any reply, from the create or the token endpoint, either decodes or raises
ResponseError/ApiError; reading a reply is capped, compressed or not."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any, NamedTuple

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dingtalk_im_async import (
    ApiError,
    AppTokenProvider,
    CreateGroupRequest,
    GroupService,
    ManagementOptions,
    RequestValidationError,
    ResponseError,
    RetryPolicy,
    StaticTokenProvider,
)
from dingtalk_im_async._core.http import MAX_REPLY_BYTES
from dingtalk_im_async._core.wire import to_wire
from dingtalk_im_async.emulator.groups.create_rules import check_create_body
from dingtalk_im_async.testing import DingTalkEmulator

junk = st.one_of(st.none(), st.integers(), st.booleans(), st.floats(), st.binary(max_size=5))
ids = st.lists(st.one_of(st.text(max_size=8), junk), max_size=4)
texts = st.one_of(st.text(max_size=25), junk)
option_values = st.one_of(st.sampled_from([0, 1]), st.integers(-2, 3), junk)
options = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(
            [
                "mention_all_authority",
                "show_history_type",
                "validation_type",
                "searchable",
                "chat_banned_type",
                "management_type",
            ]
        ),
        option_values,
    ),
)
request_kwargs = st.fixed_dictionaries(
    {"name": texts, "owner": texts, "useridlist": st.one_of(ids, texts)},
    optional={
        "owner_type": st.one_of(st.sampled_from(["emp", "ext", "EMP", "boss"]), junk),
        "conversation_tag": st.one_of(st.sampled_from([0, 1, 2, "2"]), junk),
        "extidlist": st.one_of(ids, texts),
        "icon": texts,
        "management_options": options,
    },
)


# Requests as the spec allows them, so the "accepted" side of the properties is exercised too.
good_texts = st.text(min_size=1, max_size=20).filter(str.strip)
good_ids = st.lists(good_texts, min_size=1, max_size=4)
good_options = st.dictionaries(
    st.sampled_from(
        [
            "mention_all_authority",
            "show_history_type",
            "validation_type",
            "searchable",
            "chat_banned_type",
            "management_type",
        ]
    ),
    st.sampled_from([0, 1]),
)
valid_request_kwargs = st.fixed_dictionaries(
    {"name": good_texts, "owner": good_texts, "useridlist": good_ids},
    optional={
        "owner_type": st.sampled_from(["emp", "ext"]),
        "conversation_tag": st.sampled_from([0, 2]),
        "extidlist": st.lists(good_texts, max_size=3),
        "icon": good_texts,
        "management_options": good_options,
    },
)
any_request_kwargs = st.one_of(valid_request_kwargs, request_kwargs)


def build(kwargs: dict[str, Any]) -> CreateGroupRequest:
    options = kwargs.get("management_options")
    if isinstance(options, dict):
        kwargs = {**kwargs, "management_options": ManagementOptions(**options)}
    return CreateGroupRequest(**kwargs)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(any_request_kwargs)
def test_any_request_is_rejected_early_or_accepted_by_the_server_rules(
    kwargs: dict[str, Any],
) -> None:
    try:
        request = build(kwargs)
    except RequestValidationError:
        return  # rejected on the client, before any I/O
    body = json.loads(json.dumps(to_wire(request)))
    assert check_create_body(body) is None


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=12,
)
reply_objects = st.fixed_dictionaries(
    {},
    optional={
        "openConversationId": json_values,
        "chatid": json_values,
        "conversationTag": json_values,
        "code": json_values,
        "message": json_values,
        "requestid": json_values,
    },
)
reply_bodies = st.one_of(
    st.binary(max_size=64),
    json_values.map(lambda value: json.dumps(value).encode()),
    reply_objects.map(lambda value: json.dumps(value).encode()),
    st.integers(1, 5000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.just(b"{" * 3000),
    st.just(b"\xff\xfe\xfa not utf-8"),
)
statuses = st.sampled_from([200, 201, 204, 400, 403, 404, 429, 500, 502, 503])
content_types = st.sampled_from(["application/json", "text/html", "text/plain", "image/png"])


class Live(NamedTuple):
    """One loop, emulator, session and service shared by all examples of a module."""

    loop: asyncio.AbstractEventLoop
    emulator: DingTalkEmulator
    service: GroupService
    session: aiohttp.ClientSession


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    """One emulator and client for all examples: hypothesis drives a sync test."""
    loop = asyncio.new_event_loop()
    emulator = DingTalkEmulator()
    loop.run_until_complete(emulator.start())
    session = loop.run_until_complete(_open_session())
    service = GroupService(
        session, StaticTokenProvider(emulator.issue_token()), base_url=emulator.base_url
    )
    yield Live(loop, emulator, service, session)
    loop.run_until_complete(session.close())
    loop.run_until_complete(emulator.close())
    loop.close()


async def _open_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()


async def create_with_reply(
    emulator: DingTalkEmulator, service: GroupService, status: int, body: bytes, content_type: str
) -> None:
    emulator.reply_next(status=status, body=body, content_type=content_type, api="im.group.create")
    with contextlib.suppress(ResponseError, ApiError):
        await service.create(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statuses, reply_bodies, content_types)
def test_hostile_replies_raise_only_documented_errors(
    live: Live,
    status: int,
    body: bytes,
    content_type: str,
) -> None:
    loop, emulator, service, _session = live
    loop.run_until_complete(create_with_reply(emulator, service, status, body, content_type))


def test_reply_size_read_is_capped(
    live: Live,
) -> None:
    loop, emulator, service, _session = live
    emulator.reply_next(
        status=200, body=b"[" + b"1," * MAX_REPLY_BYTES + b"1]", api="im.group.create"
    )
    with pytest.raises(ResponseError, match="larger than"):
        loop.run_until_complete(
            service.create(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))
        )


# -- requests end to end: what the client sends, the server takes ------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_request_kwargs)
def test_every_request_the_spec_allows_is_accepted_and_created_by_the_server(
    live: Live, kwargs: dict[str, Any]
) -> None:
    request = build(kwargs)  # the spec allows it, so the client must too
    emulator = live.emulator
    emulator.configure(
        whitelisted=request.conversation_tag == 0
    )  # normal groups need the whitelist
    result = live.loop.run_until_complete(live.service.create(request))
    assert emulator.groups[-1].open_conversation_id == result.open_conversation_id
    assert emulator.groups[-1].request == json.loads(json.dumps(to_wire(request)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values, st.builds(dict), st.builds(ManagementOptions), request_kwargs))
def test_anything_but_a_request_is_refused_before_any_io(
    live: Live,
    value: Any,
) -> None:
    loop, emulator, service, _session = live
    calls = emulator.calls("im.group.create")
    with pytest.raises(RequestValidationError, match="must be a CreateGroupRequest"):
        loop.run_until_complete(service.create(value))
    assert emulator.calls("im.group.create") == calls


# -- token endpoint replies --------------------------------------------------------------

token_objects = st.fixed_dictionaries(
    {},
    optional={
        "accessToken": st.one_of(json_values, st.text(min_size=1, max_size=40)),
        "expireIn": st.one_of(
            json_values,
            st.integers(-10, 10**9),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
        "code": json_values,
        "message": json_values,
        "requestid": json_values,
    },
)
token_bodies = st.one_of(reply_bodies, token_objects.map(lambda value: json.dumps(value).encode()))


async def fetch_with_reply(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    status: int,
    body: bytes,
    content_type: str,
) -> None:
    emulator.reply_token_next(status=status, body=body, content_type=content_type)
    provider = AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        retry=RetryPolicy(attempts=1),
    )
    try:
        token = await provider.get_token()
    except (ResponseError, ApiError):
        return
    finally:
        await provider.close()
    assert token == json.loads(body)["accessToken"]  # only a usable reply gets this far


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statuses, token_bodies, content_types)
def test_hostile_token_replies_raise_only_documented_errors(
    live: Live,
    status: int,
    body: bytes,
    content_type: str,
) -> None:
    loop, emulator, _service, session = live
    loop.run_until_complete(fetch_with_reply(emulator, session, status, body, content_type))


# -- content encodings and the cap on what is read ---------------------------------------


def gzip_bomb(megabytes: int) -> bytes:
    """A valid gzip stream of `megabytes` MiB of spaces: about 1 KiB per MiB on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    parts = [compressor.compress(b"{")]
    parts += [compressor.compress(block) for _ in range(megabytes)]
    parts += [compressor.compress(b"}"), compressor.flush()]
    return b"".join(parts)


encodings = st.sampled_from(["gzip", "deflate", "br", "zstd", "identity", "x-bogus", "gzip, br"])
encoded_bodies = st.one_of(
    st.binary(max_size=64),
    json_values.map(lambda value: gzip.compress(json.dumps(value).encode())),
    reply_objects.map(lambda value: gzip.compress(json.dumps(value).encode())),
    reply_objects.map(lambda value: zlib.compress(json.dumps(value).encode())),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statuses, encoded_bodies, encodings)
def test_replies_with_any_content_encoding_raise_only_documented_errors(
    live: Live,
    status: int,
    body: bytes,
    encoding: str,
) -> None:
    loop, emulator, service, _session = live
    emulator.reply_next(
        status=status, body=body, headers={"Content-Encoding": encoding}, api="im.group.create"
    )
    with contextlib.suppress(ResponseError, ApiError):
        loop.run_until_complete(
            service.create(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))
        )


def test_a_compression_bomb_is_cut_at_the_cap_on_the_create_endpoint(
    live: Live,
) -> None:
    loop, emulator, service, _session = live
    bomb = gzip_bomb(64)
    assert len(bomb) < MAX_REPLY_BYTES  # small on the wire: only the decoded size is too big
    emulator.reply_next(body=bomb, headers={"Content-Encoding": "gzip"}, api="im.group.create")
    with pytest.raises(ResponseError, match="larger than"):
        loop.run_until_complete(
            service.create(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))
        )


@pytest.mark.parametrize("compressed", [False, True])
def test_token_reply_size_read_is_capped(
    live: Live,
    compressed: bool,
) -> None:
    loop, emulator, _service, session = live
    if compressed:
        emulator.reply_token_next(body=gzip_bomb(64), headers={"Content-Encoding": "gzip"})
    else:
        emulator.reply_token_next(body=b'{"accessToken":"' + b"a" * MAX_REPLY_BYTES + b'"}')
    provider = AppTokenProvider(
        session,
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
    )
    with pytest.raises(ResponseError, match="larger than"):
        loop.run_until_complete(provider.get_token())
    loop.run_until_complete(provider.close())

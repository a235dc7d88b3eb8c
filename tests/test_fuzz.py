"""Property tests: any request either serializes to a body the server accepts or is rejected
before I/O, and any reply either decodes or raises ResponseError/ApiError."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dingtalk_im_async import (
    ApiError,
    CreateGroupRequest,
    GroupService,
    ManagementOptions,
    RequestValidationError,
    ResponseError,
    StaticTokenProvider,
)
from dingtalk_im_async._transport import MAX_REPLY_BYTES
from dingtalk_im_async._wire import request_body
from dingtalk_im_async.testing import DingTalkEmulator
from dingtalk_im_async.testing._rules import check_create_body

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


def build(kwargs: dict[str, Any]) -> CreateGroupRequest:
    options = kwargs.get("management_options")
    if isinstance(options, dict):
        kwargs = {**kwargs, "management_options": ManagementOptions(**options)}
    return CreateGroupRequest(**kwargs)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(request_kwargs)
def test_any_request_is_rejected_early_or_accepted_by_the_server_rules(
    kwargs: dict[str, Any],
) -> None:
    try:
        request = build(kwargs)
    except RequestValidationError:
        return  # rejected on the client, before any I/O
    body = json.loads(json.dumps(request_body(request)))
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


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[asyncio.AbstractEventLoop, DingTalkEmulator, GroupService]]:
    """One emulator and client for all examples: hypothesis drives a sync test."""
    loop = asyncio.new_event_loop()
    emulator = DingTalkEmulator()
    loop.run_until_complete(emulator.start())
    session = loop.run_until_complete(_open_session())
    service = GroupService(
        session, StaticTokenProvider(emulator.issue_token()), base_url=emulator.base_url
    )
    yield loop, emulator, service
    loop.run_until_complete(session.close())
    loop.run_until_complete(emulator.close())
    loop.close()


async def _open_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()


async def create_with_reply(
    emulator: DingTalkEmulator, service: GroupService, status: int, body: bytes, content_type: str
) -> None:
    emulator.reply_next(status=status, body=body, content_type=content_type)
    with contextlib.suppress(ResponseError, ApiError):
        await service.create(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statuses, reply_bodies, content_types)
def test_hostile_replies_raise_only_documented_errors(
    live: tuple[asyncio.AbstractEventLoop, DingTalkEmulator, GroupService],
    status: int,
    body: bytes,
    content_type: str,
) -> None:
    loop, emulator, service = live
    loop.run_until_complete(create_with_reply(emulator, service, status, body, content_type))


def test_reply_size_read_is_capped(
    live: tuple[asyncio.AbstractEventLoop, DingTalkEmulator, GroupService],
) -> None:
    loop, emulator, service = live
    emulator.reply_next(status=200, body=b"[" + b"1," * MAX_REPLY_BYTES + b"1]")
    with pytest.raises(ResponseError, match="larger than"):
        loop.run_until_complete(
            service.create(CreateGroupRequest(name="n", owner="o", useridlist=["u"]))
        )

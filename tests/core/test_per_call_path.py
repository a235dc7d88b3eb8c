"""The lean per-call path (issue 16) keeps every behaviour: replies read whole or streamed,
tracing sessions still told about each reply, connections given back, pacing only when on."""

from __future__ import annotations

import asyncio
import gzip
import json
from types import SimpleNamespace

import aiohttp
import pytest

from dingtalk_im_async import ApiError, ConversationTag, CreateGroupRequest, GroupService, Pacer
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import INSTANT_RETRIES, app_provider

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])
REPLY = {"openConversationId": "cid+/==", "chatid": "chatabc", "conversationTag": 2}


def _service(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, pacer: Pacer | None = None
) -> GroupService:
    return GroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        retry=INSTANT_RETRIES,
        rate_limit=None,
        pacer=pacer,
    )


async def test_a_tracing_session_is_still_told_about_every_reply_chunk(
    emulator: DingTalkEmulator,
) -> None:
    chunks: list[bytes] = []

    async def on_chunk(
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceResponseChunkReceivedParams,
    ) -> None:
        chunks.append(params.chunk)

    tracing = aiohttp.TraceConfig()
    tracing.on_response_chunk_received.append(on_chunk)
    async with aiohttp.ClientSession(trace_configs=[tracing]) as session:
        emulator.reply_next(body=json.dumps(REPLY).encode(), api="im.group.create")
        result = await _service(emulator, session).create(REQUEST)
    assert result.open_conversation_id == "cid+/=="
    assert json.loads(b"".join(chunks[-1:])) == REPLY  # the create's reply, the last one read


async def test_a_compressed_reply_is_decoded(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.reply_next(
        body=gzip.compress(json.dumps(REPLY).encode()),
        headers={"Content-Encoding": "gzip"},
        api="im.group.create",
    )
    result = await groups.create(REQUEST)
    assert (result.chatid, result.conversation_tag) == ("chatabc", ConversationTag.INTERNAL)


async def test_a_large_reply_still_arriving_after_its_headers_is_read_whole(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    padded = {**REPLY, "padding": "x" * 900_000}  # under the 1 MiB cap, many TCP segments
    emulator.reply_next(body=json.dumps(padded).encode(), api="im.group.create")
    result = await groups.create(REQUEST)
    assert result.open_conversation_id == "cid+/=="


async def test_each_call_gives_its_connection_back(emulator: DingTalkEmulator) -> None:
    """With a pool of one connection, a call that kept its connection would hang the next."""
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        groups = _service(emulator, session)
        emulator.reply_next(
            status=400, body=b'{"code":"invalidParameter","message":"x"}', api="im.group.create"
        )
        with pytest.raises(ApiError, match="invalidParameter"):
            await groups.create(REQUEST)
        results = await asyncio.wait_for(
            asyncio.gather(*(groups.create(REQUEST) for _ in range(20))), timeout=10
        )
    assert len({r.open_conversation_id for r in results}) == 20


class CountingPacer:
    """A real pacer (never waits) that counts the slots it hands out per API."""

    def __init__(self) -> None:
        self.slots: dict[str, int] = {}

    async def wait(self, api: str) -> None:
        self.slots[api] = self.slots.get(api, 0) + 1


async def test_pacing_takes_one_slot_per_send_and_none_when_off(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    pacer = CountingPacer()
    paced = _service(emulator, session, pacer=pacer)
    for _ in range(3):
        await paced.create(REQUEST)
    assert pacer.slots == {"im.group.create": 3}
    unpaced = _service(emulator, session)
    assert unpaced.pacer is None
    await unpaced.create(REQUEST)
    assert pacer.slots == {"im.group.create": 3}
    assert emulator.calls("im.group.create") == 4

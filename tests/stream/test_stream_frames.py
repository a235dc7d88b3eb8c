"""Frames in and acknowledgements out: the fast encodings are the plain ones, and a frame
that cannot be decoded never stops the client.

A frame nested too deeply for the JSON decoder raises `RecursionError`, not
`ValueError`; whether it is the whole frame or its `data`, the client logs
it, counts it, skips it, acknowledges it when its `messageId` can be found,
and reads on.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import WSMsgType, web
from hypothesis import given
from hypothesis import strategies as st

from dingtalk_im_async._core import json_codec as _json
from dingtalk_im_async.stream import BotMessage, StreamClient
from dingtalk_im_async.stream._frames import (
    BOT_MESSAGE_TOPIC,
    FrameError,
    acknowledgement,
    message_id_in,
    parse_frame,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.stream_support import FAST, eventually, stream_client, take

#: Far deeper than any decoder's recursion limit, far below the 1 MiB frame cap.
DEEP = "[" * 50_000 + "]" * 50_000


@given(st.text())
def test_the_pre_encoded_acknowledgement_is_the_plain_encoding(message_id: str) -> None:
    plain = json.dumps(
        {
            "code": 200,
            "headers": {"contentType": "application/json", "messageId": message_id},
            "message": "OK",
            "data": json.dumps({"response": None}, separators=(",", ":")),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert acknowledgement(message_id) == plain


#: orjson reads an integer beyond 64 bits as a float: the one difference `_json` documents.
SIXTY_FOUR_BITS = st.integers(-(2**63), 2**64 - 1)


@given(st.recursive(st.none() | st.booleans() | SIXTY_FOUR_BITS | st.text(), st.lists))
def test_text_decoding_is_json_loads(value: object) -> None:
    for text in (json.dumps(value), f" {json.dumps(value)}\n", json.dumps(value, indent=1)):
        assert _json.decode_text_stdlib(text) == json.loads(text)
        assert _json.decode_text(text) == json.loads(text)


@given(st.integers())
def test_the_standard_library_path_reads_any_integer(value: int) -> None:
    assert _json.decode_text_stdlib(str(value)) == value


@pytest.mark.parametrize("text", ["", "{", '{"a": 1} x', "[1,]", "nul"])
def test_text_decoding_refuses_what_json_loads_refuses(text: str) -> None:
    with pytest.raises(ValueError) as stdlib:
        json.loads(text)
    for decode in (_json.decode_text_stdlib, _json.decode_text):
        with pytest.raises(ValueError) as ours:
            decode(text)
        assert str(ours.value) == str(stdlib.value)


def test_a_frame_too_deep_to_decode_is_a_frame_error() -> None:
    with pytest.raises(FrameError, match="RecursionError"):
        parse_frame(DEEP)
    frame = parse_frame(json.dumps({"type": "CALLBACK", "headers": {}, "data": DEEP}))
    with pytest.raises(FrameError, match="RecursionError"):
        frame.payload()


def test_the_message_id_of_an_unreadable_message_is_found_when_plain() -> None:
    assert message_id_in('{"headers": {"messageId" : "m_1-2"}, "x": ' + DEEP) == "m_1-2"
    assert message_id_in('{"headers": {"messageId": "m\\"q"}}') is None  # escaped: not guessed
    assert message_id_in(DEEP) is None


async def test_deep_data_is_acknowledged_counted_and_skipped_through_the_emulator(
    emulator: DingTalkEmulator,
) -> None:
    async with stream_client(emulator) as stream:
        emulator.stream.push_frame("CALLBACK", BOT_MESSAGE_TOPIC, DEEP)
        sent = emulator.stream.inject_message("after the poisoned one")
        (item,) = await take(stream, 1)
        await emulator.stream.wait_until_acknowledged()
    assert isinstance(item, BotMessage)
    assert item.msg_id == sent["msgId"]
    assert stream.stats.unreadable == 1
    assert [ack.code for ack in emulator.stream.acks if ack.kind == "push"] == [200, 200]
    assert emulator.stream.stats.redeliveries == 0


class RawGateway:
    """A gateway of its own (a real aiohttp server on 127.0.0.1) that sends texts as given,
    even ones that are not frames, and keeps the acknowledgements it gets."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.acks: list[dict[str, object]] = []
        self.base_url = ""

    async def _open(self, _request: web.Request) -> web.Response:
        endpoint = self.base_url.replace("http://", "ws://") + "/connect"
        return web.json_response({"endpoint": endpoint, "ticket": "t"})

    async def _connect(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        for text in self.texts:
            await websocket.send_str(text)
        async for message in websocket:
            if message.type is WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
        return websocket

    @contextlib.asynccontextmanager
    async def serve(self) -> AsyncIterator[RawGateway]:
        app = web.Application()
        app.router.add_post("/v1.0/gateway/connections/open", self._open)
        app.router.add_get("/connect", self._connect)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            yield self
        finally:
            await runner.cleanup()


def bot_frame(message_id: str, msg_id: str, data: str | None = None) -> str:
    payload = json.dumps({"msgId": msg_id, "conversationId": "cid", "text": {"content": "hi"}})
    headers = {"messageId": message_id, "topic": BOT_MESSAGE_TOPIC}
    return json.dumps({"type": "CALLBACK", "headers": headers, "data": data or payload})


async def test_undecodable_frames_never_stop_the_client() -> None:
    texts = [
        '{"headers": {"messageId": "deep-frame"}, "type": "CALLBACK", "x": ' + DEEP + "}",
        DEEP,  # no messageId to acknowledge it with
        "not json at all",
        '{"headers": {"messageId": "cut-frame"}, "type": "CALLBACK", "data": "{',  # cut short
        bot_frame("deep-data", "unused", data=DEEP),
        bot_frame("text-data", "unused", data="{not json"),
        bot_frame("fine", "msg-fine"),
    ]
    async with RawGateway(texts).serve() as gateway:
        stream = StreamClient(
            app_key="k", app_secret="s", base_url=gateway.base_url, settings=FAST, events=False
        )
        async with stream:
            (item,) = await take(stream, 1)
            await eventually(lambda: len(gateway.acks) == 5)
            assert stream.connected
        assert isinstance(item, BotMessage)
        assert item.msg_id == "msg-fine"
        assert stream.stats.unreadable == 6
        acked = {ack["headers"]["messageId"]: ack["code"] for ack in gateway.acks}  # type: ignore[index]
        assert acked == {
            "deep-frame": 200,
            "cut-frame": 200,
            "deep-data": 200,
            "text-data": 200,
            "fine": 200,
        }

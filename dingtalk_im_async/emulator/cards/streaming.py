"""`PUT /v1.0/card/streaming`: an AI card's typewriter frames, as DingTalk answers them
(https://open.dingtalk.com/document/development/api-streamingupdate).

A frame with `isFull` sets the key's content, without it appends; the first
frame moves the card to `INPUTING`, `isFinalize` to `FINISHED`, `isError` to
`FAILED`. A `guid` seen before is answered with success and not applied again
(DingTalk: "系统内部用于幂等判断"). An unknown `outTrackId` is 400
`param.stream.outTrackId` ("card is not exist"); a frame whose content is over
the `card_stream_content_limit` setting is 400 `param.stream.content`
("content is too large"; the default limit is a guess). GUESS: a frame
without a final flag leaves an ended card's state as it is.
"""

from __future__ import annotations

from aiohttp import web

from .._replies import json_reply
from ..routes import Call, Route
from . import rules
from .instances import own_card, refused, unknown_error
from .rules import STREAM_SCOPE, Refusal
from .store import FAILED, FINISHED, INPUTING, PROCESSING

__all__ = ["ROUTES"]


async def stream(call: Call) -> web.Response:
    """Apply one frame to the card's data and state."""
    if call.settings.denies(STREAM_SCOPE):
        return unknown_error()
    body = call.body
    if not isinstance(body, dict):
        return refused(Refusal("param.empty", "param.empty"))
    track_id = body.get("outTrackId")
    card = own_card(call, track_id) if isinstance(track_id, str) else None
    if card is None:
        return refused(Refusal("param.stream.outTrackId", "card is not exist"))
    problem = rules.check_content(body, call.settings.card_stream_content_limit)
    if problem is not None:
        return refused(problem)
    guid = body["guid"]
    if guid in card.guids:
        return json_reply(200, {"success": True, "result": True})
    card.guids.add(guid)
    key, content = body["key"], body["content"]
    card.card_data[key] = content if body["isFull"] else card.card_data.get(key, "") + content
    card.frames += 1
    if body.get("isError") is True:
        card.state = FAILED
    elif body.get("isFinalize") is True:
        card.state = FINISHED
    elif card.state == PROCESSING:
        card.state = INPUTING
    card.touch()
    return json_reply(200, {"success": True, "result": True})


ROUTES = (Route(method="PUT", path="/v1.0/card/streaming", handler=stream),)

"""The card API (互动卡片): every endpoint of the family, and the error codes it adds.

Each declaration is the single source of its API. Every refusal DingTalk
documents for these APIs is HTTP 400 with a `param.*` code (and
`outTrackId.outOfLimit`); `system.busy` comes as 500 and stays unknown
(https://open.dingtalk.com/document/development/create-and-deliver-cards,
https://open.dingtalk.com/document/development/api-streamingupdate). Every
call, streaming frames included, counts against the monthly API quota.

Safe to repeat, each for its own reason:

- create and create-and-deliver, carrying their `outTrackId` (every request
  does, unless a bulk input leaves it to the run, which derives one): it is
  DingTalk's key ("一个 outTrackId 唯一标识一张卡片", the endpoints' `dedup_key`),
  so a repeat meets `param.cardAlreadyExist` (`CardAlreadyExistsError`,
  "created; delivery unknown"), never a second card;
- deliver: a card delivered again to a space that has it stays one card there
  (not documented by DingTalk; the emulator answers with the same `carrierId`);
- update: it sets state (replace, or merge by key);
- streaming: each frame's `guid` is DingTalk's idempotency key, kept across retries.
"""

from __future__ import annotations

from .._core.endpoint import Family
from ..errors import (
    CardAlreadyExistsError,
    CardNotFoundError,
    ErrorCodes,
    InvalidParameterError,
    require_success,
)
from .models import (
    CreateAndDeliverRequest,
    CreateAndDeliverResult,
    CreateCardRequest,
    CreateCardResult,
    DeliverCardRequest,
    DeliverCardResult,
    StreamingUpdate,
    StreamingUpdateResult,
    UpdateCardRequest,
    UpdateCardResult,
)

__all__ = [
    "CARDS",
    "CREATE_AND_DELIVER_CARD",
    "CREATE_CARD",
    "DELIVER_CARD",
    "STREAM_CARD",
    "UPDATE_CARD",
]

_DOCS = "https://open.dingtalk.com/document/development/"

CARDS = Family(
    "cards",
    codes=ErrorCodes(
        classes={
            "param.cardAlreadyExist": CardAlreadyExistsError,
            "param.cardNotExist": CardNotFoundError,
            "param.stream.outTrackId": CardNotFoundError,  # "card is not exist"
            "outTrackId.outOfLimit": InvalidParameterError,  # over 64 characters
        },
        # Every other documented `param.*` code is a refusal of the request as sent
        # (`param.templateNotExist`, `param.stream.content` "content is too large", ...).
        prefixes=(("param.", InvalidParameterError),),
    ),
)

CREATE_CARD = CARDS.endpoint(
    "POST",
    "/v1.0/card/instances",
    request=CreateCardRequest,
    result=CreateCardResult,
    repeat_safe=False,
    dedup_key="out_track_id",
    check=require_success,
    doc=_DOCS + "interface-for-creating-a-card-instance",
)
DELIVER_CARD = CARDS.endpoint(
    "POST",
    "/v1.0/card/instances/deliver",
    request=DeliverCardRequest,
    result=DeliverCardResult,
    repeat_safe=True,
    check=require_success,
    doc=_DOCS + "delivery-card-interface",
)
CREATE_AND_DELIVER_CARD = CARDS.endpoint(
    "POST",
    "/v1.0/card/instances/createAndDeliver",
    request=CreateAndDeliverRequest,
    result=CreateAndDeliverResult,
    repeat_safe=False,
    dedup_key="out_track_id",
    check=require_success,
    doc=_DOCS + "create-and-deliver-cards",
)
#: `PUT` beside `POST /v1.0/card/instances`: its own API name (QPS is counted per API).
UPDATE_CARD = CARDS.endpoint(
    "PUT",
    "/v1.0/card/instances",
    api="card.instances.update",
    request=UpdateCardRequest,
    result=UpdateCardResult,
    repeat_safe=True,
    check=require_success,
    doc=_DOCS + "interactive-card-update-interface",
)
#: The AI card's typewriter frames: the API the answer streamer paces (`card.streaming`).
STREAM_CARD = CARDS.endpoint(
    "PUT",
    "/v1.0/card/streaming",
    request=StreamingUpdate,
    result=StreamingUpdateResult,
    repeat_safe=True,
    check=require_success,
    doc=_DOCS + "api-streamingupdate",
)

"""The card instance endpoints as DingTalk answers them: create, deliver, create-and-deliver
(`POST /v1.0/card/instances[/deliver|/createAndDeliver]`) and update (`PUT
/v1.0/card/instances`), on the emulator's `CardStore`; the checks are in `rules.py`.

Any `cardTemplateId` is accepted. Delivery answers HTTP 200 with a result per
space: a group that is unknown, disbanded or lacks the app's robot is
`success: false` with an `errorMsg`. Delivering again to a space that has the
card changes nothing and answers with the same `carrierId`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._replies import error_reply, json_reply
from ..routes import Call, Route
from . import rules
from .rules import CARD_SCOPE, Refusal
from .store import CardStore, StoredCard

__all__ = ["ROUTES", "own_card", "refused", "unknown_error"]


def own_card(call: Call, out_track_id: str) -> StoredCard | None:
    """The card `out_track_id` names if the call's organisation created it; another
    organisation's card is unknown to it (and the call is a cross-tenant one)."""
    card = call.stores.of(CardStore).get(out_track_id)
    return card if card is not None and call.sees(card.corp_id) else None


def refused(refusal: Refusal) -> web.Response:
    return error_reply(400, refusal.code, refusal.message)


def unknown_error() -> web.Response:
    """What DingTalk answers a card call of an app without the card permissions."""
    return error_reply(500, "unknownError", "未知错误")


def _body(call: Call, scope: str) -> dict[str, Any] | web.Response:
    if call.settings.denies(scope):
        return unknown_error()
    body = call.body
    if not isinstance(body, dict) or not body:
        return refused(Refusal("param.empty", "param.empty"))
    return body


def _new_card(call: Call, body: dict[str, Any]) -> StoredCard | web.Response:
    """The card a create body describes, after every check (not stored yet)."""
    track_id = rules.out_track_id_of(body)
    if isinstance(track_id, Refusal):
        return refused(track_id)
    template = body.get("cardTemplateId")
    if not isinstance(template, str) or not template:
        return refused(Refusal("param.cardTemplateIdEmpty", "param.cardTemplateIdEmpty"))
    data = rules.card_data_of(body, required=True)
    private = rules.private_data_of(body)
    for checked in (data, private):
        if isinstance(checked, Refusal):
            return refused(checked)
    callback_type = body.get("callbackType")
    if callback_type is not None and callback_type not in ("STREAM", "HTTP"):
        return refused(Refusal("param.invalid", "callbackType只支持STREAM和HTTP"))
    if call.stores.of(CardStore).get(track_id) is not None:
        return refused(Refusal("param.cardAlreadyExist", "param.cardAlreadyExist"))
    user_id_type = body.get("userIdType", 1)
    return StoredCard(
        out_track_id=track_id,
        card_template_id=template,
        card_data=data if isinstance(data, dict) else {},
        private_data=private if isinstance(private, dict) else {},
        callback_type=callback_type,
        callback_route_key=body.get("callbackRouteKey"),
        user_id_type=user_id_type if isinstance(user_id_type, int) else 1,
        corp_id=call.tenant.corp_id,
    )


async def create(call: Call) -> web.Response:
    """`POST /v1.0/card/instances`: a card in `PROCESSING`, shown nowhere yet."""
    body = _body(call, CARD_SCOPE)
    if isinstance(body, web.Response):
        return body
    card = _new_card(call, body)
    if isinstance(card, web.Response):
        return card
    call.stores.of(CardStore).add(card)
    return json_reply(200, {"success": True, "result": card.out_track_id})


async def create_and_deliver(call: Call) -> web.Response:
    """`POST /v1.0/card/instances/createAndDeliver`: both, with per-space results."""
    body = _body(call, CARD_SCOPE)
    if isinstance(body, web.Response):
        return body
    card = _new_card(call, body)
    if isinstance(card, web.Response):
        return card
    spaces = rules.spaces_of(body)
    if isinstance(spaces, Refusal):
        return refused(spaces)
    call.stores.of(CardStore).add(card)
    results = rules.deliver_to(card, spaces, body, call.store, call.robot_code)
    payload = {"outTrackId": card.out_track_id, "deliverResults": results}
    return json_reply(200, {"success": True, "result": payload})


async def deliver(call: Call) -> web.Response:
    """`POST /v1.0/card/instances/deliver`: an existing card to more spaces."""
    body = _body(call, CARD_SCOPE)
    if isinstance(body, web.Response):
        return body
    track_id = rules.out_track_id_of(body)
    if isinstance(track_id, Refusal):
        return refused(track_id)
    card = own_card(call, track_id)
    if card is None:
        return refused(Refusal("param.cardNotExist", "param.cardNotExist"))
    spaces = rules.spaces_of(body)
    if isinstance(spaces, Refusal):
        return refused(spaces)
    results = rules.deliver_to(card, spaces, body, call.store, call.robot_code)
    card.touch()
    return json_reply(200, {"success": True, "result": results})


def _by_key(options: object, name: str) -> bool:
    return isinstance(options, dict) and options.get(name) is True


async def update(call: Call) -> web.Response:
    """`PUT /v1.0/card/instances`: replace the card's data, or merge it by key
    (`cardUpdateOptions.updateCardDataByKey`)."""
    body = _body(call, CARD_SCOPE)
    if isinstance(body, web.Response):
        return body
    track_id = rules.out_track_id_of(body)
    if isinstance(track_id, Refusal):
        return refused(track_id)
    data = rules.card_data_of(body, required=False)
    private = rules.private_data_of(body)
    for checked in (data, private):
        if isinstance(checked, Refusal):
            return refused(checked)
    if data is None and private is None:
        both_empty = "param.cardDataAndPrivateDataBothEmpty"
        return refused(Refusal(both_empty, both_empty))
    card = own_card(call, track_id)
    if card is None:
        return refused(Refusal("param.cardNotExist", "param.cardNotExist"))
    options = body.get("cardUpdateOptions")
    if isinstance(data, dict):
        merge = _by_key(options, "updateCardDataByKey")
        card.card_data = {**card.card_data, **data} if merge else data
    if isinstance(private, dict):
        if _by_key(options, "updatePrivateDataByKey"):
            for user, params in private.items():
                card.private_data[user] = {**card.private_data.get(user, {}), **params}
        else:
            card.private_data = private
    card.updates += 1
    card.touch()
    return json_reply(200, {"success": True, "result": True})


_INSTANCES = "/v1.0/card/instances"

ROUTES = (
    Route(method="POST", path=_INSTANCES, handler=create),
    Route(method="POST", path=_INSTANCES + "/deliver", handler=deliver),
    Route(method="POST", path=_INSTANCES + "/createAndDeliver", handler=create_and_deliver),
    Route(method="PUT", path=_INSTANCES, handler=update, api="card.instances.update"),
)

"""The admin API's JSON shape of a card (`GET /_emulator/cards`), by DingTalk's camelCase keys;
`RemoteEmulator` reads it back into the same `StoredCard`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .store import CardAction, CardDelivery, StoredCard

__all__ = ["card_from_view", "card_view"]


def card_view(card: StoredCard) -> dict[str, Any]:
    """A card's whole current state: data, state, deliveries (each naming its space: a
    group's openConversationId for `IM_GROUP`), counts and button presses."""
    return {
        "outTrackId": card.out_track_id,
        "cardTemplateId": card.card_template_id,
        "cardData": dict(card.card_data),
        "privateData": {user: dict(params) for user, params in card.private_data.items()},
        "state": card.state,
        "callbackType": card.callback_type,
        "callbackRouteKey": card.callback_route_key,
        "userIdType": card.user_id_type,
        "corpId": card.corp_id,
        "deliveries": [
            {
                "spaceType": delivery.space_type,
                "spaceId": delivery.space_id,
                "space": f"{delivery.space_type}.{delivery.space_id}",
                "carrierId": delivery.carrier_id,
                "deliveredAt": delivery.delivered_at,
            }
            for delivery in card.deliveries
        ],
        "updates": card.updates,
        "frames": card.frames,
        "actions": [
            {
                "key": action.key,
                "userId": action.user_id,
                "actionIds": list(action.action_ids),
                "params": dict(action.params),
                "response": action.response,
                "pressedAt": action.pressed_at,
            }
            for action in card.actions
        ],
        "createdAt": card.created_at,
        "updatedAt": card.updated_at,
    }


def card_from_view(view: Mapping[str, Any]) -> StoredCard:
    """A `StoredCard` from `card_view`'s shape (guids seen are not part of it)."""
    return StoredCard(
        out_track_id=view["outTrackId"],
        card_template_id=view["cardTemplateId"],
        card_data=dict(view["cardData"]),
        private_data={user: dict(params) for user, params in view["privateData"].items()},
        state=view["state"],
        callback_type=view.get("callbackType"),
        callback_route_key=view.get("callbackRouteKey"),
        user_id_type=int(view.get("userIdType", 1)),
        corp_id=view.get("corpId"),
        deliveries=[
            CardDelivery(
                space_type=item["spaceType"],
                space_id=item["spaceId"],
                carrier_id=item["carrierId"],
                delivered_at=float(item["deliveredAt"]),
            )
            for item in view["deliveries"]
        ],
        updates=int(view["updates"]),
        frames=int(view["frames"]),
        actions=[
            CardAction(
                key=item["key"],
                user_id=item["userId"],
                action_ids=list(item["actionIds"]),
                params=dict(item["params"]),
                response=item.get("response"),
                pressed_at=float(item["pressedAt"]),
            )
            for item in view.get("actions", [])
        ],
        created_at=float(view["createdAt"]),
        updated_at=float(view["updatedAt"]),
    )

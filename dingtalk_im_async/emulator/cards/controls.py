"""The card family's controls: list and read cards, and press a card's button.

The same shape as `groups/controls.py`: `CardControls` written once, carried
out in process by `LocalCardControls`, served by `ADMIN_ROUTES`
(`GET /_emulator/cards`, `GET /_emulator/cards/{outTrackId}`,
`POST /_emulator/cards/{outTrackId}/actions`), sent by `RemoteCardControls`.

A press reaches the app's Stream subscribers as a card callback
(`/v1.0/card/instances/callback`), for cards created with `callbackType`
STREAM; the card update the app answers in its acknowledgement
(`{"response": {"cardData": ..., "userPrivateData": ..., "cardUpdateOptions": ...}}`)
is applied to the card, replacing its data unless `updateCardDataByKey` says merge.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .._admin_kit import AdminCall, AdminClient, AdminRoute, NotFoundError, segment
from .._stores import FamilyStores
from ..stream import data as make
from ..stream.gateway import StreamGateway
from ..stream.settings import StreamAck
from .store import CardAction, CardStore, StoredCard
from .views import card_from_view, card_view

__all__ = [
    "ADMIN_ROUTES",
    "CARD_CALLBACK_TOPIC",
    "CardControls",
    "LocalCardControls",
    "RemoteCardControls",
]

#: The Stream topic card presses arrive on.
CARD_CALLBACK_TOPIC = "/v1.0/card/instances/callback"


class CardControls(abc.ABC):
    """Inspect the emulator's cards and press their buttons (in process and remotely alike)."""

    @abc.abstractmethod
    async def list_cards(self) -> list[StoredCard]:
        """Every card's current state, in creation order (data, state, deliveries, counts)."""

    @abc.abstractmethod
    async def get_card(self, out_track_id: str) -> StoredCard:
        """One card by `outTrackId`; `NotFoundError` if there is none."""

    @abc.abstractmethod
    async def press_card(
        self,
        out_track_id: str,
        *,
        action_ids: Iterable[str] = (),
        params: Mapping[str, Any] | None = None,
        user_id: str = "user123",
    ) -> str:
        """Press the card's button as `user_id`: its Stream subscribers get a card callback
        with these `actionIds` and `params`; returns the push's key. A card not created
        with `callbackType` STREAM is a ValueError (DingTalk sends it nowhere on Stream)."""


class LocalCardControls(CardControls):
    """The card controls carried out on the emulator's own stores and Stream gateway."""

    stores: FamilyStores
    stream: StreamGateway

    def _card(self, out_track_id: str) -> StoredCard:
        card = self.stores.of(CardStore).get(out_track_id)
        if card is None:
            raise NotFoundError(f"no card has the outTrackId {out_track_id!r}")
        return card

    async def list_cards(self) -> list[StoredCard]:
        return list(self.stores.of(CardStore))

    async def get_card(self, out_track_id: str) -> StoredCard:
        return self._card(out_track_id)

    async def press_card(
        self,
        out_track_id: str,
        *,
        action_ids: Iterable[str] = (),
        params: Mapping[str, Any] | None = None,
        user_id: str = "user123",
    ) -> str:
        card = self._card(out_track_id)
        if card.callback_type != "STREAM":
            raise ValueError(
                f"card {out_track_id!r} was not created with callbackType STREAM: its presses "
                "do not go to Stream subscribers"
            )
        if not isinstance(user_id, str) or not user_id:
            raise ValueError("userId must be a non-empty string")
        if isinstance(action_ids, str):
            raise TypeError("action_ids must be a list of strings, not one string")
        action = CardAction(
            key=make.event_id(),
            user_id=user_id,
            action_ids=[str(action) for action in action_ids],
            params=dict(params or {}),
        )
        card.actions.append(action)
        space = card.deliveries[0] if card.deliveries else None
        content = {"cardPrivateData": {"actionIds": action.action_ids, "params": action.params}}
        data = {
            "outTrackId": card.out_track_id,
            "userId": user_id,
            "corpId": self.stream.corp_id,
            "type": "actionCallback",
            "spaceType": space.space_type if space is not None else "IM_GROUP",
            "spaceId": space.space_id if space is not None else "",
            "userIdType": card.user_id_type,
            "extension": "{}",
            "content": make.encode(content),
        }
        self.stream.push_frame(
            "CALLBACK",
            CARD_CALLBACK_TOPIC,
            make.encode(data),
            key=action.key,
            on_ack=lambda ack: _answered(card, action, ack),
        )
        return action.key


def _answered(card: StoredCard, action: CardAction, ack: StreamAck) -> None:
    """Apply the card update the app put in its acknowledgement, if any."""
    data = ack.data
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return
    response = data.get("response") if isinstance(data, dict) else None
    if not isinstance(response, dict):
        return
    action.response = response
    options = response.get("cardUpdateOptions")
    options = options if isinstance(options, dict) else {}
    public = _params(response.get("cardData"))
    if public is not None:
        merge = options.get("updateCardDataByKey") is True
        card.card_data = {**card.card_data, **public} if merge else public
    private = _params(response.get("userPrivateData"))
    if private is not None:
        merge = options.get("updatePrivateDataByKey") is True
        current = card.private_data.get(action.user_id, {})
        card.private_data[action.user_id] = {**current, **private} if merge else private
    card.updates += 1
    card.touch()


def _params(value: object) -> dict[str, str] | None:
    params = value.get("cardParamMap") if isinstance(value, dict) else None
    if not isinstance(params, dict):
        return None
    return {str(key): str(item) for key, item in params.items()}


class RemoteCardControls(CardControls, AdminClient):
    """The card controls sent to a running emulator's admin API."""

    async def list_cards(self) -> list[StoredCard]:
        found = await self._admin("GET", "/cards")
        return [card_from_view(view) for view in found["cards"]]

    async def get_card(self, out_track_id: str) -> StoredCard:
        return card_from_view(await self._admin("GET", f"/cards/{segment(out_track_id)}"))

    async def press_card(
        self,
        out_track_id: str,
        *,
        action_ids: Iterable[str] = (),
        params: Mapping[str, Any] | None = None,
        user_id: str = "user123",
    ) -> str:
        if isinstance(action_ids, str):
            raise TypeError("action_ids must be a list of strings, not one string")
        body = {"actionIds": list(action_ids), "params": dict(params or {}), "userId": user_id}
        found = await self._admin("POST", f"/cards/{segment(out_track_id)}/actions", body)
        return str(found["key"])


# -- the admin routes ----------------------------------------------------------------------


async def _list(call: AdminCall) -> Any:
    cards = await call.controls(LocalCardControls).list_cards()
    return {"cards": [card_view(card) for card in cards]}


async def _get(call: AdminCall) -> Any:
    return card_view(await call.controls(LocalCardControls).get_card(call.params["out_track_id"]))


async def _press(call: AdminCall) -> Any:
    """`{"actionIds": [...], "params": {...}, "userId": "..."}`, each optional."""
    body = await call.body()
    action_ids = body.get("actionIds", [])
    if not isinstance(action_ids, list) or not all(isinstance(a, str) for a in action_ids):
        raise ValueError("actionIds must be a list of strings")
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise ValueError("params must be an object")
    user_id = body.get("userId", "user123")
    if not isinstance(user_id, str):
        raise ValueError("userId must be a string")
    key = await call.controls(LocalCardControls).press_card(
        call.params["out_track_id"], action_ids=action_ids, params=params, user_id=user_id
    )
    return {"key": key}


ADMIN_ROUTES = (
    AdminRoute(method="GET", path="/cards", handler=_list),
    AdminRoute(method="GET", path="/cards/{out_track_id}", handler=_get),
    AdminRoute(method="POST", path="/cards/{out_track_id}/actions", handler=_press),
)

"""The emulator's card state: every card instance by `outTrackId`, with its data, its AI-card
state, where it was delivered and what changed it.

States are the AI card's (https://open.dingtalk.com/document/development/ai-card-template):
`PROCESSING` once created, `INPUTING` ("typing") after the first streaming frame,
`FINISHED` after `isFinalize`, `FAILED` after `isError`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from attrs import define, field

__all__ = [
    "FAILED",
    "FINISHED",
    "INPUTING",
    "PROCESSING",
    "CardAction",
    "CardDelivery",
    "CardStore",
    "StoredCard",
]

PROCESSING = "PROCESSING"
INPUTING = "INPUTING"
FINISHED = "FINISHED"
FAILED = "FAILED"


@define(kw_only=True, eq=False)
class CardDelivery:
    """The card shown in one space: `space_type` (`IM_GROUP`, ...), `space_id` (the group's
    openConversationId, a userId, ...) and the `carrier_id` the deliver answered with."""

    space_type: str
    space_id: str
    carrier_id: str
    delivered_at: float = field(factory=time.time)


@define(kw_only=True, eq=False)
class CardAction:
    """A button press pushed to Stream subscribers (`press_card`): what was pressed, and the
    card update the app answered with in its acknowledgement (None until it acked)."""

    key: str
    user_id: str
    action_ids: list[str]
    params: dict[str, Any]
    response: dict[str, Any] | None = None
    pressed_at: float = field(factory=time.time)


@define(kw_only=True, eq=False)
class StoredCard:
    """One card's current state; handlers change it in place.

    - `card_data`: the current `cardParamMap`; `private_data`: per user;
    - `state`: `PROCESSING`, `INPUTING`, `FINISHED` or `FAILED`;
    - `deliveries`: where it is shown, in delivery order (each space once);
    - `updates`: `PUT /v1.0/card/instances` calls applied; `frames`: streaming
      frames applied (a repeated `guid` is not applied twice);
    - `actions`: button presses pushed to the app, with its answers.
    """

    out_track_id: str
    card_template_id: str
    card_data: dict[str, str] = field(factory=dict)
    private_data: dict[str, dict[str, str]] = field(factory=dict)
    callback_type: str | None = None
    callback_route_key: str | None = None
    user_id_type: int = 1
    state: str = PROCESSING
    deliveries: list[CardDelivery] = field(factory=list)
    updates: int = 0
    frames: int = 0
    guids: set[str] = field(factory=set)
    actions: list[CardAction] = field(factory=list)
    created_at: float = field(factory=time.time)
    updated_at: float = field(factory=time.time)

    def delivery(self, space_type: str, space_id: str) -> CardDelivery | None:
        """The card's delivery to this space, if it was delivered there."""
        for delivery in self.deliveries:
            if (delivery.space_type, delivery.space_id) == (space_type, space_id):
                return delivery
        return None

    def touch(self) -> None:
        self.updated_at = time.time()


class CardStore:
    """Every card the emulator knows, by `outTrackId`, in creation order."""

    __slots__ = ("_cards",)

    def __init__(self) -> None:
        self._cards: dict[str, StoredCard] = {}

    def __repr__(self) -> str:
        return f"CardStore(cards={len(self._cards)})"

    def __len__(self) -> int:
        return len(self._cards)

    def __iter__(self) -> Iterator[StoredCard]:
        return iter(list(self._cards.values()))

    def add(self, card: StoredCard) -> StoredCard:
        """Keep `card`; an `outTrackId` taken already is a ValueError."""
        if card.out_track_id in self._cards:
            raise ValueError(f"a card with outTrackId {card.out_track_id!r} exists already")
        self._cards[card.out_track_id] = card
        return card

    def get(self, out_track_id: str) -> StoredCard | None:
        """The card with this `outTrackId`, or None."""
        return self._cards.get(out_track_id)

    def clear(self) -> None:
        """Forget every card (the emulator's reset)."""
        self._cards.clear()

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
    """The card shown in one space."""

    space_type: str
    """The kind of space: `IM_GROUP`, `IM_ROBOT`, `IM_SINGLE` or `ONE_BOX`."""
    space_id: str
    """The space: a group's openConversationId, or a userId for `IM_ROBOT`."""
    carrier_id: str
    """The `carrierId` the delivery answered with (the same on a second delivery)."""
    delivered_at: float = field(factory=time.time)
    """`time.time()` of the first delivery there."""


@define(kw_only=True, eq=False)
class CardAction:
    """A button press pushed to Stream subscribers (`press_card`)."""

    key: str
    """The push's key in the gateway's stats."""
    user_id: str
    """Who pressed."""
    action_ids: list[str]
    """The actions pressed (`cardPrivateData.actionIds`)."""
    params: dict[str, Any]
    """The action's parameters (`cardPrivateData.params`)."""
    response: dict[str, Any] | None = None
    """The card update the app answered in its acknowledgement; None until then, or if
    it answered none."""
    pressed_at: float = field(factory=time.time)
    """`time.time()` of the press."""


@define(kw_only=True, eq=False)
class StoredCard:
    """One card's current state; handlers change it in place."""

    out_track_id: str
    """The card's id (`outTrackId`)."""
    card_template_id: str
    """Its template (`cardTemplateId`); any is accepted."""
    card_data: dict[str, str] = field(factory=dict)
    """The current `cardParamMap`, streamed keys included."""
    private_data: dict[str, dict[str, str]] = field(factory=dict)
    """Per user, that user's own `cardParamMap`."""
    callback_type: str | None = None
    """`STREAM`, `HTTP` or None: where its button presses go."""
    callback_route_key: str | None = None
    """The HTTP callback's route key, if any."""
    user_id_type: int = 1
    """1 userIds, 2 unionIds."""
    state: str = PROCESSING
    """`PROCESSING`, `INPUTING` (typing), `FINISHED` or `FAILED`."""
    deliveries: list[CardDelivery] = field(factory=list)
    """Where it is shown, in delivery order, each space once."""
    updates: int = 0
    """Updates applied: `PUT /v1.0/card/instances` calls and callback answers."""
    frames: int = 0
    """Streaming frames applied (a repeated `guid` is not applied twice)."""
    guids: set[str] = field(factory=set)
    """The streaming frames' guids seen."""
    actions: list[CardAction] = field(factory=list)
    """Button presses pushed to the app, with its answers."""
    corp_id: str | None = None
    """The organisation of the token that created it (only its tokens see it); None: the
    internal app's own."""
    created_at: float = field(factory=time.time)
    """`time.time()` of its creation."""
    updated_at: float = field(factory=time.time)
    """`time.time()` of its last change."""

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

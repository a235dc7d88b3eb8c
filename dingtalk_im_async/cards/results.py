"""What the card API answers: the card's id, each space's delivery, whether an update or a
streaming frame was applied (https://open.dingtalk.com/document/development/create-and-deliver-cards,
https://open.dingtalk.com/document/development/delivery-card-interface)."""

from __future__ import annotations

from typing import Any

from attrs import define, field

from .._core.wire import from_wire, wire
from .spaces import SpaceType

__all__ = [
    "CreateAndDeliverResult",
    "CreateCardResult",
    "DeliverCardResult",
    "SpaceDelivery",
    "StreamingUpdateResult",
    "UpdateCardResult",
]


@define(frozen=True, kw_only=True)
class SpaceDelivery:
    """How delivering to one space went (an element of `deliverResults`)."""

    space_type: SpaceType | str
    """The kind of space (`spaceType`), raw when DingTalk sends one it does not document."""
    space_id: str
    """The space's id (`spaceId`): an openConversationId, or a userId for `IM_ROBOT`."""
    success: bool
    """Whether the card was delivered there."""
    carrier_id: str | None = None
    """The message's id in an IM space (`carrierId`, a robot message's processQueryKey)."""
    error_msg: str | None = None
    """Why not, when it was not (`errorMsg`)."""

    @property
    def space(self) -> str:
        """`TYPE.ID`, as in `openSpaceId`."""
        kind = self.space_type.value if isinstance(self.space_type, SpaceType) else self.space_type
        return f"{kind}.{self.space_id}"


@define(frozen=True, kw_only=True)
class CreateCardResult:
    """What `POST /v1.0/card/instances` answers."""

    success: bool
    """DingTalk's `success`."""
    out_track_id: str | None = field(default=None, metadata=wire("result"))
    """The card's id as DingTalk returns it (`result`)."""


def _structure_deliveries(data: Any) -> tuple[SpaceDelivery, ...]:
    if not isinstance(data, list):
        raise TypeError(f"deliverResults: expected a list, got {type(data).__name__}")
    return tuple(from_wire(SpaceDelivery, item) for item in data)


@define(frozen=True, kw_only=True)
class CreateAndDeliverResult:
    """What `POST /v1.0/card/instances/createAndDeliver` answers: the card's id and how each
    space went. A space that failed raises `PartialDeliveryError` (which carries this)."""

    success: bool
    """DingTalk's `success`."""
    out_track_id: str
    """The card's id (`result.outTrackId`)."""
    deliveries: tuple[SpaceDelivery, ...] = ()
    """Each space's outcome (`result.deliverResults`)."""
    replayed: bool = False
    """True when `CardService.create_and_deliver` found the card made already (a replay met
    `param.cardAlreadyExist`) and delivered it again; not a wire field."""

    @classmethod
    def _from_wire(cls, data: Any) -> CreateAndDeliverResult:
        if not isinstance(data, dict):
            raise TypeError(f"expected an object, got {type(data).__name__}")
        result = data.get("result")
        if not isinstance(result, dict):
            raise TypeError("result: expected an object")
        success, track_id = data.get("success"), result.get("outTrackId")
        if not isinstance(success, bool) or not isinstance(track_id, str):
            raise TypeError("success and result.outTrackId are required")
        return cls(
            success=success,
            out_track_id=track_id,
            deliveries=_structure_deliveries(result.get("deliverResults", [])),
        )

    @property
    def failed(self) -> tuple[SpaceDelivery, ...]:
        """The spaces that did not get the card."""
        return tuple(delivery for delivery in self.deliveries if not delivery.success)


@define(frozen=True, kw_only=True)
class DeliverCardResult:
    """What `POST /v1.0/card/instances/deliver` answers: how each space went. A space that
    failed raises `PartialDeliveryError` (which carries this)."""

    success: bool
    """DingTalk's `success`."""
    out_track_id: str = ""
    """The card delivered (the request's; DingTalk's reply does not repeat it)."""
    deliveries: tuple[SpaceDelivery, ...] = ()
    """Each space's outcome (`result`)."""

    @classmethod
    def _from_wire(cls, data: Any) -> DeliverCardResult:
        if not isinstance(data, dict) or not isinstance(data.get("success"), bool):
            raise TypeError("expected an object with a boolean success")
        return cls(success=data["success"], deliveries=_structure_deliveries(data.get("result")))

    @property
    def failed(self) -> tuple[SpaceDelivery, ...]:
        """The spaces that did not get the card."""
        return tuple(delivery for delivery in self.deliveries if not delivery.success)


@define(frozen=True, kw_only=True)
class UpdateCardResult:
    """What `PUT /v1.0/card/instances` answers."""

    success: bool
    """DingTalk's `success`."""
    result: bool | None = None
    """Whether the update was applied."""


@define(frozen=True, kw_only=True)
class StreamingUpdateResult:
    """What `PUT /v1.0/card/streaming` answers."""

    success: bool
    """DingTalk's `success`."""
    result: bool | None = None
    """Whether the frame was applied."""

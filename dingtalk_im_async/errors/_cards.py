"""The failures of the card API that a caller acts on differently: each class is named by the
codes in `cards/api.py`, or raised by a card reply's own check.

- `CardAlreadyExistsError`: a create met `param.cardAlreadyExist`, which a replay of a
  create whose outcome was unknown meets by design: the card exists.
- `CardNotFoundError`: the `outTrackId` names no card.
- `PartialDeliveryError`: HTTP 200 whose per-space results say some spaces did not get
  the card (https://open.dingtalk.com/document/development/create-and-deliver-cards).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ._base import DingTalkError
from ._replies import ApiError, reply_text

__all__ = ["CardAlreadyExistsError", "CardNotFoundError", "PartialDeliveryError"]


class CardAlreadyExistsError(ApiError):
    """`param.cardAlreadyExist`: a card with this `outTrackId` exists already.

    It is what replaying a create (or create-and-deliver) after an unknown
    outcome meets, so it means **created; delivery unknown**: the card was
    made by an earlier call with the same `outTrackId`, and whether that call
    also delivered it is not known. Its verdict is `UNKNOWN` (the effect may
    be there), never `REJECTED`, although DingTalk answers HTTP 400: deliver
    the card again (`CardService.deliver`, safe to repeat) to be sure.
    `CardService.create_and_deliver` does that by itself, and raises this
    only when delivering again failed too (its error is the `__cause__`).
    """

    @property
    def documented_refusal(self) -> bool:
        """Never: the call that made the card took effect, whichever call it was."""
        return False

    def __str__(self) -> str:
        return f"{super().__str__()}. Created; delivery unknown: deliver it again to be sure"


class CardNotFoundError(ApiError):
    """`param.cardNotExist` (update) or `param.stream.outTrackId` (streaming): no card has
    this `outTrackId`. Nothing was changed; create it first, or check the id."""

    refusal = True


class PartialDeliveryError(DingTalkError):
    """DingTalk answered a deliver or create-and-deliver with HTTP 200, but some spaces (or
    all) report `success: false` in their per-space results.

    `failed` maps each such space (`IM_GROUP.<openConversationId>`, ...) to its
    `errorMsg`; `delivered` maps the spaces that did get the card to their
    `carrierId`; `result` is the whole typed result. The card exists
    (`out_track_id`). The verdict is `UNKNOWN`: DingTalk documents no meaning
    for the messages, so a failed space may still show the card. Delivering
    again is safe to repeat (a second deliver to a space that has the card
    changes nothing in the emulator).
    """

    def __init__(
        self,
        *,
        out_track_id: str,
        failed: Mapping[str, str],
        delivered: Mapping[str, str | None],
        result: object,
    ) -> None:
        self.out_track_id = out_track_id
        self.failed: Mapping[str, str] = MappingProxyType(
            {reply_text(space): reply_text(message) for space, message in failed.items()}
        )
        self.delivered: Mapping[str, str | None] = MappingProxyType(dict(delivered))
        self.result = result
        spaces = "; ".join(f"{space}: {message!r}" for space, message in self.failed.items())
        total = len(self.failed) + len(self.delivered)
        super().__init__(
            f"card {out_track_id!r} not delivered to {len(self.failed)} of {total} spaces: {spaces}"
        )

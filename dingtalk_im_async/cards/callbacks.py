"""A card's button press as the app hears it (Stream topic `/v1.0/card/instances/callback`, for
cards created with `CallbackType.STREAM`), and the card update an app may answer it with.

The callback's `content` and `extension` arrive as JSON strings; `content`
holds `cardPrivateData.actionIds` (which button) and `cardPrivateData.params`
(the action's parameters). The answer goes back in the Stream acknowledgement
(`{"response": {"cardData": ..., "userPrivateData": ..., "cardUpdateOptions":
...}}`), so the card changes without another API call (and without spending
quota): https://open.dingtalk.com/document/development/event-callback-card.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from attrs import define, field

from . import _fields

__all__ = ["CARD_CALLBACK_TOPIC", "CardCallback", "CardCallbackReply"]

#: The Stream topic of card button presses.
CARD_CALLBACK_TOPIC = "/v1.0/card/instances/callback"


def _json_object(name: str, value: object) -> Mapping[str, object]:
    """A field DingTalk sends as a JSON string (or, leniently, as an object)."""
    if value is None or value == "":
        return MappingProxyType({})
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise TypeError(f"{name}: expected a JSON object, got {type(value).__name__}")
    return MappingProxyType(value)


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{key}: expected a string, got {type(value).__name__}")
    return value


@define(frozen=True, kw_only=True)
class CardCallback:
    """One press of a card's button (or any card action), as the Stream callback's data.

    `action_ids` and `params` come from `content.cardPrivateData`: which
    action, and the values the template sends with it.
    """

    out_track_id: str
    """The card (`outTrackId`)."""
    user_id: str = ""
    """Who pressed (`userId`; a unionId when `user_id_type` is 2)."""
    corp_id: str = ""
    """Their organisation (`corpId`)."""
    type: str = "actionCallback"
    """The callback's kind (`type`)."""
    space_type: str | None = None
    """Where the card was pressed (`spaceType`, e.g. `IM_GROUP`)."""
    space_id: str | None = None
    """The space's id (`spaceId`)."""
    user_id_type: int | None = None
    """What `user_id` is (`userIdType`: 1 userId, 2 unionId)."""
    action_ids: tuple[str, ...] = ()
    """The actions pressed (`content.cardPrivateData.actionIds`)."""
    params: Mapping[str, object] = field(factory=dict)
    """The action's parameters (`content.cardPrivateData.params`)."""
    content: Mapping[str, object] = field(factory=dict)
    """`content`, decoded from its JSON string."""
    extension: Mapping[str, object] = field(factory=dict)
    """`extension`, decoded from its JSON string."""

    @property
    def action_id(self) -> str | None:
        """The first action pressed, the usual case."""
        return self.action_ids[0] if self.action_ids else None

    @classmethod
    def _from_wire(cls, data: Any) -> CardCallback:
        if not isinstance(data, dict):
            raise TypeError(f"expected an object, got {type(data).__name__}")
        track_id = data.get("outTrackId")
        if not isinstance(track_id, str) or not track_id:
            raise TypeError("outTrackId: expected a non-empty string")
        content = _json_object("content", data.get("content"))
        private = content.get("cardPrivateData")
        private = private if isinstance(private, dict) else {}
        actions = private.get("actionIds", [])
        params = private.get("params", {})
        user_id_type = data.get("userIdType")
        return cls(
            out_track_id=track_id,
            user_id=_optional_text(data, "userId") or "",
            corp_id=_optional_text(data, "corpId") or "",
            type=_optional_text(data, "type") or "actionCallback",
            space_type=_optional_text(data, "spaceType"),
            space_id=_optional_text(data, "spaceId"),
            user_id_type=user_id_type if isinstance(user_id_type, int) else None,
            action_ids=tuple(str(action) for action in actions)
            if isinstance(actions, list)
            else (),
            params=MappingProxyType(dict(params)) if isinstance(params, dict) else {},
            content=content,
            extension=_json_object("extension", data.get("extension")),
        )


def _reply_data(value: Mapping[str, str] | None) -> Mapping[str, str] | None:
    return None if value is None else _fields.param_map("card_data", value)


def _reply_private(value: Mapping[str, str] | None) -> Mapping[str, str] | None:
    return None if value is None else _fields.param_map("private_data", value)


@define(frozen=True, kw_only=True)
class CardCallbackReply:
    """What a card-action handler may answer: the card's new data, carried in the Stream
    acknowledgement. Keys not given are kept (`merge`, the default here), unlike an
    update's default of replacing the whole map."""

    card_data: Mapping[str, str] | None = field(default=None, converter=_reply_data)
    """New parameters of the card, for everyone (`cardData.cardParamMap`)."""
    private_data: Mapping[str, str] | None = field(default=None, converter=_reply_private)
    """New parameters only the presser sees (`userPrivateData.cardParamMap`)."""
    merge: bool = True
    """Change only the keys given (`cardUpdateOptions.update*ByKey`)."""

    def _to_wire(self) -> dict[str, Any]:
        response: dict[str, Any] = {}
        options: dict[str, bool] = {}
        if self.card_data is not None:
            response["cardData"] = {"cardParamMap": dict(self.card_data)}
            options["updateCardDataByKey"] = self.merge
        if self.private_data is not None:
            response["userPrivateData"] = {"cardParamMap": dict(self.private_data)}
            options["updatePrivateDataByKey"] = self.merge
        if options:
            response["cardUpdateOptions"] = options
        return response

"""A card to send, from an input record (a bulk run's JSON Lines object or CSV row).

A record names one group (`openConversationId`, as the results of a create
run hold it) or any spaces (`openSpaceId`, DingTalk's `dtv1.card//...`
string), the template (`cardTemplateId`), the data (`cardData`: an object,
or its JSON text in CSV) and, optionally, the card's id (`outTrackId`; left
out, the bulk run derives one from its run id and the record's line, so that
sending the record again, `--resume` included, makes no second card),
`robotCode`, `callbackType` and `userIdType`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .spaces import (
    CardSpace,
    GroupSpace,
    RobotChatSpace,
    SingleChatSpace,
    SpaceType,
    parse_open_space_id,
)

__all__ = ["RECORD_KEYS", "request_from_record"]

T = TypeVar("T")

#: The keys a card record may hold, wire name -> Python name.
RECORD_KEYS = {
    "openConversationId": "open_conversation_id",
    "openSpaceId": "open_space_id",
    "cardTemplateId": "card_template_id",
    "outTrackId": "out_track_id",
    "cardData": "card_data",
    "robotCode": "robot_code",
    "callbackType": "callback_type",
    "userIdType": "user_id_type",
}


def _spaces(fields: dict[str, Any]) -> tuple[CardSpace, ...]:
    robot_code = fields.pop("robot_code", None)
    cid = fields.pop("open_conversation_id", None)
    space_id = fields.pop("open_space_id", None)
    if (cid is None) == (space_id is None):
        raise ValueError("give openConversationId (a group) or openSpaceId, one of them")
    if cid is not None:
        return (GroupSpace(open_conversation_id=cid, robot_code=robot_code),)
    spaces: list[CardSpace] = []
    for kind, target in parse_open_space_id(space_id):
        if kind is SpaceType.IM_GROUP:
            spaces.append(GroupSpace(open_conversation_id=target, robot_code=robot_code))
        elif kind is SpaceType.IM_ROBOT:
            spaces.append(RobotChatSpace(user_id=target, robot_code=robot_code))
        elif kind is SpaceType.IM_SINGLE:
            spaces.append(SingleChatSpace(open_conversation_id=target))
        elif kind is SpaceType.ONE_BOX:
            raise ValueError("a group ceiling (ONE_BOX) needs its expiry: send it from Python")
        else:
            raise ValueError(f"unknown space type {kind!r}")
    return tuple(spaces)


def _card_data(value: object) -> object:
    """`cardData` as an object, or its JSON text (a CSV cell); `{"cardParamMap": {...}}`,
    the API's own shape, is taken too."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise ValueError(f"cardData: not JSON ({error})") from None
    if isinstance(value, Mapping) and set(value) == {"cardParamMap"}:
        value = value["cardParamMap"]
    return value


def request_from_record(cls: Callable[..., T], data: Any) -> T:
    """`cls` (`CreateAndDeliverRequest`) from a record by wire (or Python) keys."""
    if not isinstance(data, Mapping):
        raise TypeError(f"expected an object, got {type(data).__name__}")
    fields: dict[str, Any] = {}
    python_names = set(RECORD_KEYS.values())
    for key, value in data.items():
        name = RECORD_KEYS.get(key, key) if isinstance(key, str) else ""
        if name not in python_names:
            raise ValueError(f"unknown field {key!r}")
        if name in fields:
            raise ValueError(f"{name}: given twice")
        fields[name] = value
    spaces = _spaces(fields)
    fields.setdefault("out_track_id", None)  # none given: the bulk run derives one
    if "card_data" in fields:
        fields["card_data"] = _card_data(fields["card_data"])
    return cls(spaces=spaces, **fields)

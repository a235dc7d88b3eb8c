"""What the emulator's card endpoints check, and in which order: DingTalk's documented codes
(https://open.dingtalk.com/document/development/create-and-deliver-cards,
https://open.dingtalk.com/document/development/delivery-card-interface,
https://open.dingtalk.com/document/development/interactive-card-update-interface,
https://open.dingtalk.com/document/development/api-streamingupdate).

GUESSes, where DingTalk names a code but not its trigger: a `cardParamMap`
key over 100 bytes, a value over 1,024 bytes or a value that is not a string
is `param.invalid`; the order of the checks.
"""

from __future__ import annotations

from typing import Any

from attrs import define

from .. import _ids
from ..store import GroupStore
from .store import CardDelivery, StoredCard

__all__ = [
    "CARD_SCOPE",
    "MAX_KEY_BYTES",
    "MAX_OUT_TRACK_ID_CHARS",
    "MAX_VALUE_BYTES",
    "STREAM_SCOPE",
    "Refusal",
    "check_content",
    "deliver_to",
    "out_track_id_of",
    "spaces_of",
]

MAX_KEY_BYTES = 100
MAX_VALUE_BYTES = 1024
MAX_OUT_TRACK_ID_CHARS = 64
#: The permissions of the card APIs; without them DingTalk answers 500 `unknownError`
#: (reported by users, e.g. zfanswer/dify-on-dingtalk#12), which the emulator copies.
CARD_SCOPE = "Card.Instance.Write"
STREAM_SCOPE = "Card.Streaming.Write"
_PREFIX = "dtv1.card//"
_KINDS = ("IM_GROUP", "IM_SINGLE", "IM_ROBOT", "ONE_BOX")
_DELIVER_MODELS = {
    "IM_GROUP": "imGroupOpenDeliverModel",
    "IM_SINGLE": "imSingleOpenDeliverModel",
    "IM_ROBOT": "imRobotOpenDeliverModel",
    "ONE_BOX": "topOpenDeliverModel",
}


@define(frozen=True)
class Refusal:
    """HTTP 400 with this `code` and `message`."""

    code: str
    message: str


def _bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def out_track_id_of(body: dict[str, Any]) -> str | Refusal:
    track_id = body.get("outTrackId")
    if not isinstance(track_id, str) or not track_id:
        return Refusal("param.outTrackIdEmpty", "param.outTrackIdEmpty")
    if len(track_id) > MAX_OUT_TRACK_ID_CHARS:
        return Refusal("outTrackId.outOfLimit", "outTrackId不要超过64个字符")
    return track_id


def param_map(value: object) -> dict[str, str] | Refusal:
    """A `cardParamMap`: string keys of at most 100 bytes, string values of at most 1 KB."""
    if not isinstance(value, dict):
        return Refusal("param.invalid", "cardParamMap必须是对象")
    for key, item in value.items():
        if not key or _bytes(key) > MAX_KEY_BYTES:
            return Refusal("param.invalid", f"cardParamMap的key长度不能超过{MAX_KEY_BYTES}B")
        if not isinstance(item, str):
            return Refusal("param.invalid", "cardParamMap的value只支持String类型")
        if _bytes(item) > MAX_VALUE_BYTES:
            return Refusal("param.invalid", "cardParamMap的value长度不能超过1KB")
    return dict(value)


def card_data_of(body: dict[str, Any], *, required: bool) -> dict[str, str] | Refusal | None:
    data = body.get("cardData")
    if data is None:
        empty = "param.cardPublicDataEmpty"
        return Refusal(empty, empty) if required else None
    if not isinstance(data, dict):
        return Refusal("param.invalid", "cardData必须是对象")
    return param_map(data.get("cardParamMap", {}))


def private_data_of(body: dict[str, Any]) -> dict[str, dict[str, str]] | Refusal | None:
    data = body.get("privateData")
    if data is None:
        return None
    if not isinstance(data, dict):
        return Refusal("param.invalid", "privateData必须是对象")
    found: dict[str, dict[str, str]] = {}
    for user, value in data.items():
        params = param_map(value.get("cardParamMap", {}) if isinstance(value, dict) else None)
        if isinstance(params, Refusal):
            return params
        found[user] = params
    return found


def spaces_of(body: dict[str, Any]) -> list[tuple[str, str]] | Refusal:
    """(kind, id) of each space `openSpaceId` names, with the kind's delivery object given."""
    text = body.get("openSpaceId")
    if not isinstance(text, str) or not text:
        return Refusal("param.openSpaceIdEmpty", "param.openSpaceIdEmpty")
    if not text.lower().startswith(_PREFIX):
        return Refusal("param.openSpaceIdInvalid", "openSpaceId不符合规范")
    spaces: list[tuple[str, str]] = []
    for part in text[len(_PREFIX) :].split(";"):
        kind, dot, space_id = part.partition(".")
        kind = kind.upper()
        if not dot or kind not in _KINDS or not space_id:
            return Refusal("param.openSpaceIdInvalid", "openSpaceId不符合规范")
        if not isinstance(body.get(_DELIVER_MODELS[kind]), dict):
            return Refusal("param.openDeliverModelEmpty", "场域投放模型为空")
        if (kind, space_id) not in spaces:
            spaces.append((kind, space_id))
    group_model = body.get("imGroupOpenDeliverModel")
    if any(kind == "IM_GROUP" for kind, _ in spaces) and not _text(group_model, "robotCode"):
        return Refusal("param.openDeliverModelError", "imGroupOpenDeliverModel.robotCode为空")
    top = body.get("topOpenDeliverModel")
    if any(kind == "ONE_BOX" for kind, _ in spaces) and not isinstance(
        top.get("expiredTimeMillis") if isinstance(top, dict) else None, int
    ):
        return Refusal("param.openDeliverModelError", "topOpenDeliverModel.expiredTimeMillis为空")
    return spaces


def _text(model: object, key: str) -> str | None:
    value = model.get(key) if isinstance(model, dict) else None
    return value if isinstance(value, str) and value else None


def _why_not(
    kind: str, space_id: str, body: dict[str, Any], groups: GroupStore, robot_code: str
) -> str | None:
    """Why the card cannot go to this space (DingTalk's per-space `errorMsg`), or None."""
    if kind not in ("IM_GROUP", "ONE_BOX"):
        return None  # one-to-one chats: the emulator knows no users to refuse
    group = groups.by_open_conversation_id(space_id)
    if group is None:
        return "群会话不存在"
    if group.disbanded:
        return "群已经解散"
    if kind == "IM_GROUP":
        code = _text(body.get("imGroupOpenDeliverModel"), "robotCode")
        if code != robot_code:
            return f"机器人{code}不属于当前应用"
        if code not in group.robots:
            return "机器人不在群内"
    return None


def deliver_to(
    card: StoredCard,
    spaces: list[tuple[str, str]],
    body: dict[str, Any],
    groups: GroupStore,
    robot_code: str,
) -> list[dict[str, Any]]:
    """Deliver `card` to each space it can go to (again: the same carrier, nothing new);
    the per-space results, DingTalk's `deliverResults` shape, every key in each (None
    where it does not apply)."""
    results = []
    for kind, space_id in spaces:
        reason = _why_not(kind, space_id, body, groups, robot_code)
        result: dict[str, Any] = {"spaceType": kind, "spaceId": space_id}
        if reason is not None:
            results.append({**result, "success": False, "carrierId": None, "errorMsg": reason})
            continue
        delivery = card.delivery(kind, space_id)
        if delivery is None:
            delivery = CardDelivery(
                space_type=kind, space_id=space_id, carrier_id=_ids.process_query_key()
            )
            card.deliveries.append(delivery)
        results.append(
            {**result, "success": True, "carrierId": delivery.carrier_id, "errorMsg": None}
        )
    return results


def check_content(body: dict[str, Any], limit: int | None) -> Refusal | None:
    """A streaming frame's fields, in the documented codes' terms."""
    if not isinstance(body.get("key"), str) or not body["key"]:
        return Refusal("param.stream.keyEmpty", "param.stream.keyEmpty")
    content = body.get("content")
    if not isinstance(content, str) or not content:
        return Refusal("param.stream.contentEmpty", "param.stream.contentEmpty")
    if not isinstance(body.get("guid"), str) or not body["guid"]:
        return Refusal("param.stream.guidEmpty", "param.stream.guidEmpty")
    if not isinstance(body.get("isFull"), bool):
        return Refusal("param.stream.isFull", "streaming update the parameter isFull is null")
    if limit is not None and _bytes(content) > limit:
        return Refusal("param.stream.content", "content is too large")
    return None

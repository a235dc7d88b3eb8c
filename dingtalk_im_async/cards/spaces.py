"""Where a card is shown ("open spaces"), as typed values instead of hand-built strings.

DingTalk names spaces in one string, `openSpaceId`:
`dtv1.card//IM_GROUP.<openConversationId>;IM_ROBOT.<userId>` (the prefix once,
spaces separated by `;`), and takes the delivery options of each kind of space
in one object per kind (`imGroupOpenDeliverModel`, ...), so every group of one
request shares its robot, @-mentions and recipients
(https://open.dingtalk.com/document/development/create-and-deliver-cards).

- `GroupSpace`: a group chat (`IM_GROUP`), delivered by a robot installed in it
  (an internal app's robot code is its app key: `CardService` fills it in);
- `RobotChatSpace`: the robot's one-to-one chat with a user (`IM_ROBOT`), by
  userId, or unionId with `userIdType` 2;
- `SingleChatSpace`: a one-to-one chat's cool app (`IM_SINGLE`), by its
  openConversationId;
- `GroupCeilingSpace`: pinned at the top of a group ("吊顶", `ONE_BOX`) until
  `expires_at_ms`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from attrs import define, field

from .._core.fields import IdList, check_text
from ..errors import RequestValidationError
from . import _fields

__all__ = [
    "OPEN_SPACE_PREFIX",
    "CardSpace",
    "GroupCeilingSpace",
    "GroupSpace",
    "RobotChatSpace",
    "SingleChatSpace",
    "SpaceOptions",
    "SpaceType",
    "open_space_id",
    "parse_open_space_id",
]

#: The fixed start of every `openSpaceId`.
OPEN_SPACE_PREFIX = "dtv1.card//"


class SpaceType(str, enum.Enum):
    """A kind of space (`spaceType`)."""

    IM_GROUP = "IM_GROUP"
    """A group chat."""
    IM_SINGLE = "IM_SINGLE"
    """A one-to-one chat's cool app."""
    IM_ROBOT = "IM_ROBOT"
    """The robot's one-to-one chat with a user."""
    ONE_BOX = "ONE_BOX"
    """The top of a group chat ("吊顶")."""


def _cid(value: str) -> str:
    return check_text("open_conversation_id", value)


def _user_id(value: str) -> str:
    return check_text("user_id", value)


def _robot_code(value: str | None) -> str | None:
    return _fields.optional_text("robot_code", value)


def _at_user_ids(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return _fields.text_map("at_user_ids", value)


def _extension(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return _fields.text_map("extension", value)


def _recipients(value: IdList) -> tuple[str, ...]:
    return _fields.ids("recipients", value)


def _user_ids(value: IdList) -> tuple[str, ...]:
    return _fields.ids("user_ids", value)


def _platforms(value: IdList) -> tuple[str, ...]:
    return _fields.ids("platforms", value)


def _expires_at_ms(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RequestValidationError("expires_at_ms", "must be a positive ms timestamp")
    return value


@define(frozen=True, kw_only=True)
class GroupSpace:
    """A group chat (`IM_GROUP.<openConversationId>`), and how the card is delivered there.

    The robot must be installed in the group; `robot_code` None is the
    sending service's robot (for an internal app, its app key; a third-party
    app's robot has its own code). Groups of one request share these options.
    """

    space_type: ClassVar[SpaceType] = SpaceType.IM_GROUP
    open_conversation_id: str = field(converter=_cid)
    """The group (`openConversationId`)."""
    robot_code: str | None = field(default=None, converter=_robot_code)
    """The robot that posts the card (`imGroupOpenDeliverModel.robotCode`); None: the
    service's robot."""
    at_user_ids: Mapping[str, str] = field(factory=dict, converter=_at_user_ids)
    """Users to @-mention, userId -> name (`{"@ALL": "@ALL"}`: everyone)."""
    recipients: tuple[str, ...] = field(default=(), converter=_recipients)
    """Only these userIds see the card (`recipients`); empty: everyone in the group."""
    extension: Mapping[str, str] = field(factory=dict, converter=_extension)
    """Extra delivery fields DingTalk passes on (`extension`)."""

    @property
    def space_id(self) -> str:
        """The id after the type in `openSpaceId`."""
        return self.open_conversation_id

    def _deliver_model(self) -> dict[str, Any]:
        model: dict[str, Any] = {}
        if self.robot_code is not None:
            model["robotCode"] = self.robot_code
        if self.at_user_ids:
            model["atUserIds"] = dict(self.at_user_ids)
        if self.recipients:
            model["recipients"] = list(self.recipients)
        if self.extension:
            model["extension"] = dict(self.extension)
        return model


@define(frozen=True, kw_only=True)
class RobotChatSpace:
    """The robot's one-to-one chat with a user (`IM_ROBOT.<userId>`; a unionId with the
    request's `user_id_type` `UNION_ID`, as third-party apps deliver)."""

    space_type: ClassVar[SpaceType] = SpaceType.IM_ROBOT
    user_id: str = field(converter=_user_id)
    """The user (userId, or unionId)."""
    robot_code: str | None = field(default=None, converter=_robot_code)
    """The robot (`imRobotOpenDeliverModel.robotCode`); None: left out, as DingTalk allows."""
    extension: Mapping[str, str] = field(factory=dict, converter=_extension)
    """Extra delivery fields DingTalk passes on (`extension`)."""

    @property
    def space_id(self) -> str:
        """The id after the type in `openSpaceId`."""
        return self.user_id

    def _deliver_model(self) -> dict[str, Any]:
        model: dict[str, Any] = {"spaceType": SpaceType.IM_ROBOT.value}
        if self.robot_code is not None:
            model["robotCode"] = self.robot_code
        if self.extension:
            model["extension"] = dict(self.extension)
        return model


@define(frozen=True, kw_only=True)
class SingleChatSpace:
    """A one-to-one chat's cool app (`IM_SINGLE.<openConversationId>`)."""

    space_type: ClassVar[SpaceType] = SpaceType.IM_SINGLE
    open_conversation_id: str = field(converter=_cid)
    """The one-to-one chat (`openConversationId`)."""
    at_user_ids: Mapping[str, str] = field(factory=dict, converter=_at_user_ids)
    """Users to @-mention, userId -> name."""
    extension: Mapping[str, str] = field(factory=dict, converter=_extension)
    """Extra delivery fields DingTalk passes on (`extension`)."""

    @property
    def space_id(self) -> str:
        """The id after the type in `openSpaceId`."""
        return self.open_conversation_id

    def _deliver_model(self) -> dict[str, Any]:
        model: dict[str, Any] = {}
        if self.at_user_ids:
            model["atUserIds"] = dict(self.at_user_ids)
        if self.extension:
            model["extension"] = dict(self.extension)
        return model


@define(frozen=True, kw_only=True)
class GroupCeilingSpace:
    """Pinned at the top of a group (`ONE_BOX.<openConversationId>`) until `expires_at_ms`."""

    space_type: ClassVar[SpaceType] = SpaceType.ONE_BOX
    open_conversation_id: str = field(converter=_cid)
    """The group (`openConversationId`)."""
    expires_at_ms: int = field(converter=_expires_at_ms)
    """When it comes down, in ms since the epoch (`topOpenDeliverModel.expiredTimeMillis`)."""
    user_ids: tuple[str, ...] = field(default=(), converter=_user_ids)
    """Only these userIds see it; empty: everyone."""
    platforms: tuple[str, ...] = field(default=(), converter=_platforms)
    """Only on these devices (`android`, `ios`, `win`, `mac`); empty: all."""

    @property
    def space_id(self) -> str:
        """The id after the type in `openSpaceId`."""
        return self.open_conversation_id

    def _deliver_model(self) -> dict[str, Any]:
        model: dict[str, Any] = {"expiredTimeMillis": self.expires_at_ms}
        if self.user_ids:
            model["userIds"] = list(self.user_ids)
        if self.platforms:
            model["platforms"] = list(self.platforms)
        return model


#: Any one space.
CardSpace = GroupSpace | RobotChatSpace | SingleChatSpace | GroupCeilingSpace
_SPACE_CLASSES = (GroupSpace, RobotChatSpace, SingleChatSpace, GroupCeilingSpace)
#: Each kind's delivery object and display object on the wire.
DELIVER_MODEL_KEYS = {
    SpaceType.IM_GROUP: "imGroupOpenDeliverModel",
    SpaceType.IM_ROBOT: "imRobotOpenDeliverModel",
    SpaceType.IM_SINGLE: "imSingleOpenDeliverModel",
    SpaceType.ONE_BOX: "topOpenDeliverModel",
}
SPACE_MODEL_KEYS = {
    SpaceType.IM_GROUP: "imGroupOpenSpaceModel",
    SpaceType.IM_ROBOT: "imRobotOpenSpaceModel",
    SpaceType.IM_SINGLE: "imSingleOpenSpaceModel",
    SpaceType.ONE_BOX: "topOpenSpaceModel",
}


def check_spaces(value: object) -> tuple[CardSpace, ...]:
    """1 or more spaces, each once; spaces of one kind share their delivery options."""
    if isinstance(value, _SPACE_CLASSES):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise RequestValidationError(
            "spaces", f"must be spaces (GroupSpace, ...), got {type(value).__name__}"
        )
    spaces = tuple(value)
    if not spaces:
        raise RequestValidationError("spaces", "give at least one space")
    seen: set[tuple[SpaceType, str]] = set()
    models: dict[SpaceType, dict[str, Any]] = {}
    for position, space in enumerate(spaces):
        if not isinstance(space, _SPACE_CLASSES):
            raise RequestValidationError(
                f"spaces[{position}]",
                f"must be a GroupSpace, RobotChatSpace, SingleChatSpace or GroupCeilingSpace, "
                f"got {type(space).__name__}",
            )
        kind: SpaceType = space.space_type
        key = (kind, space.space_id)
        if key in seen:
            raise RequestValidationError(f"spaces[{position}]", f"{_label(space)} given twice")
        seen.add(key)
        model = space._deliver_model()
        if models.setdefault(kind, model) != model:
            raise RequestValidationError(
                f"spaces[{position}]",
                f"spaces of one kind share their delivery options (DingTalk takes one "
                f"{DELIVER_MODEL_KEYS[kind]} per request): {_label(space)} differs",
            )
    return spaces


def _label(space: CardSpace) -> str:
    return f"{space.space_type.value}.{space.space_id}"


def open_space_id(spaces: Iterable[CardSpace]) -> str:
    """`dtv1.card//IM_GROUP.<cid>;IM_ROBOT.<userId>`: the spaces as DingTalk names them."""
    return OPEN_SPACE_PREFIX + ";".join(_label(space) for space in spaces)


def parse_open_space_id(text: str) -> tuple[tuple[SpaceType | str, str], ...]:
    """(kind, id) of each space an `openSpaceId` names; a kind DingTalk adds later is kept
    as its text. A string without the `dtv1.card//` prefix, or with an empty part, is a
    ValueError."""
    if not isinstance(text, str) or not text.startswith(OPEN_SPACE_PREFIX):
        raise ValueError(f"an openSpaceId starts with {OPEN_SPACE_PREFIX!r}")
    found: list[tuple[SpaceType | str, str]] = []
    for part in text[len(OPEN_SPACE_PREFIX) :].split(";"):
        kind, dot, space_id = part.partition(".")
        if not dot or not kind or not space_id:
            raise ValueError(f"{part!r} is not TYPE.ID")
        upper = kind.upper()
        found.append((SpaceType(upper) if upper in SpaceType.__members__ else upper, space_id))
    return tuple(found)


def space_wire(spaces: tuple[CardSpace, ...], options: SpaceOptions) -> dict[str, Any]:
    """`openSpaceId`, one display object and one delivery object per kind of space."""
    body: dict[str, Any] = {"openSpaceId": open_space_id(spaces)}
    for space in spaces:
        kind = space.space_type
        body.setdefault(SPACE_MODEL_KEYS[kind], options._space_model(kind))
        body.setdefault(DELIVER_MODEL_KEYS[kind], space._deliver_model())
    return body


def _last_message(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return _fields.text_map("last_message_i18n", value)


def _optional_alert(value: str | None) -> str | None:
    return _fields.optional_text("alert_content", value)


def _optional_search(value: str | None) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 200):
        raise RequestValidationError("search_desc", "must be a string of at most 200 characters")
    return value


@define(frozen=True, kw_only=True)
class SpaceOptions:
    """How the card shows in chats (`im*OpenSpaceModel`), the same for every space kind."""

    support_forward: bool = True
    """May people forward it (`supportForward`)."""
    last_message_i18n: Mapping[str, str] = field(factory=dict, converter=_last_message)
    """The chat list's preview per language, e.g. `{"ZH_CN": "卡片", "EN_US": "card"}`."""
    alert_content: str | None = field(default=None, converter=_optional_alert)
    """The notification's text (`notification.alertContent`); None: DingTalk's default."""
    notification_off: bool = False
    """No push notification (`notification.notificationOff`)."""
    search_desc: str | None = field(default=None, converter=_optional_search)
    """What search finds it by, at most 200 characters (`searchSupport.searchDesc`)."""

    def _space_model(self, kind: SpaceType) -> dict[str, Any]:
        if kind is SpaceType.ONE_BOX:
            return {"spaceType": kind.value}
        model: dict[str, Any] = {"supportForward": self.support_forward}
        if self.last_message_i18n:
            model["lastMessageI18n"] = dict(self.last_message_i18n)
        if self.alert_content is not None or self.notification_off:
            notification: dict[str, Any] = {"notificationOff": self.notification_off}
            if self.alert_content is not None:
                notification["alertContent"] = self.alert_content
            model["notification"] = notification
        if self.search_desc is not None:
            model["searchSupport"] = {"searchDesc": self.search_desc}
        return model

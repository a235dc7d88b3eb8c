"""What a card request says about its users and its callbacks, as DingTalk's values."""

from __future__ import annotations

import enum

__all__ = ["CallbackType", "UserIdType"]


class UserIdType(enum.IntEnum):
    """What the user ids of a request are (`userIdType`)."""

    USER_ID = 1
    """userIds of the organisation (DingTalk's default)."""
    UNION_ID = 2
    """unionIds: what third-party (ISV) apps use."""


class CallbackType(str, enum.Enum):
    """How button presses reach the app (`callbackType`)."""

    STREAM = "STREAM"
    """Over Stream mode, topic `/v1.0/card/instances/callback` (`StreamClient.on_card_action`)."""
    HTTP = "HTTP"
    """To the URL registered for `callback_route_key`."""

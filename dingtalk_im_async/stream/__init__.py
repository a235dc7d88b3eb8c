"""Stream mode: the bot's messages and the groups' events, pushed over a WebSocket.

`StreamClient` keeps the connection (make before break on `disconnect`,
backoff on drops, a watchdog for silent connections), acknowledges every
frame on receipt, drops redeliveries by msgId / eventId, and hands each
item on once, to an async iterator or to registered handlers. `reply()`
answers a message through its sessionWebhook, or the robot API after it
expires.
"""

from .._core.fleet_dedup import Claim, FleetDedup, FleetDedupError
from ._backoff import ReconnectPolicy
from ._intake import StreamStats
from ._robot_contract import RobotSender
from ._settings import StreamSettings
from .client import StreamClient
from .models import (
    EVENT_CLASSES,
    AtUser,
    BotMessage,
    GroupDisbandedEvent,
    GroupEvent,
    MemberQuitEvent,
    MembersAddedEvent,
    MembersRemovedEvent,
    OwnerChangedEvent,
    StreamEvent,
    StreamItem,
    TextContent,
    TitleChangedEvent,
    UnknownEvent,
)
from .reply import Replier, ReplyResult

__all__ = [
    "EVENT_CLASSES",
    "AtUser",
    "BotMessage",
    "Claim",
    "FleetDedup",
    "FleetDedupError",
    "GroupDisbandedEvent",
    "GroupEvent",
    "MemberQuitEvent",
    "MembersAddedEvent",
    "MembersRemovedEvent",
    "OwnerChangedEvent",
    "ReconnectPolicy",
    "Replier",
    "ReplyResult",
    "RobotSender",
    "StreamClient",
    "StreamEvent",
    "StreamItem",
    "StreamSettings",
    "StreamStats",
    "TextContent",
    "TitleChangedEvent",
    "UnknownEvent",
]

"""The DingTalk emulator: a stand-in for DingTalk's APIs with an admin API, a dashboard,
faults and a Stream gateway, in process or as `dingtalk-im emulator`."""

from .emulated import EmulatedDingTalk
from .emulator import DingTalkEmulator
from .faults import CannedReply, ErrcodeReply, ErrorReply, Fault, FaultInjector, Latency
from .records import CreatedGroup, LoggedRequest
from .remote import RemoteEmulator
from .routes import Call, Route
from .store import GroupStore, PostedMessage, StoredGroup
from .stream_gateway import (
    GatewaySettings,
    GatewayStats,
    StreamAck,
    StreamFaults,
    StreamGateway,
    WebhookPost,
)
from .traffic import ApiTraffic

__all__ = [
    "ApiTraffic",
    "Call",
    "CannedReply",
    "CreatedGroup",
    "DingTalkEmulator",
    "EmulatedDingTalk",
    "ErrcodeReply",
    "ErrorReply",
    "Fault",
    "FaultInjector",
    "GatewaySettings",
    "GatewayStats",
    "GroupStore",
    "Latency",
    "LoggedRequest",
    "PostedMessage",
    "RemoteEmulator",
    "Route",
    "StoredGroup",
    "StreamAck",
    "StreamFaults",
    "StreamGateway",
    "WebhookPost",
]

"""Test support: the DingTalk emulator, its fault injection, and the pytest fixture."""

from .._retry import is_testing, set_testing
from .emulated import EmulatedDingTalk
from .emulator import DingTalkEmulator
from .faults import CannedReply, ErrcodeReply, ErrorReply, Fault, FaultInjector, Latency
from .records import CreatedGroup, LoggedRequest
from .routes import Call, Route
from .store import GroupStore, StoredGroup
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
    "GroupStore",
    "Latency",
    "LoggedRequest",
    "Route",
    "StoredGroup",
    "is_testing",
    "set_testing",
]

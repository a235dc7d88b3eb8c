"""Test support: the DingTalk emulator, its fault injection, and the pytest fixture."""

from .emulator import DingTalkEmulator
from .faults import CannedReply, ErrorReply, Fault, FaultInjector, Latency
from .records import CreatedGroup, LoggedRequest

__all__ = [
    "CannedReply",
    "CreatedGroup",
    "DingTalkEmulator",
    "ErrorReply",
    "Fault",
    "FaultInjector",
    "Latency",
    "LoggedRequest",
]

"""What a user's tests need: the pytest fixture (`dingtalk_im_async.testing.pytest_plugin`),
`set_testing`, and the emulator's public names (from `dingtalk_im_async.emulator`).

The emulator's names are loaded when first used, not on import: the pytest plugin
lives in this package, and loading it must not load aiohttp's server or the emulator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .._core.retry import is_testing, set_testing

if TYPE_CHECKING:
    from ..emulator import (
        ApiTraffic,
        Call,
        CannedReply,
        CreatedGroup,
        DingTalkEmulator,
        EmulatedDingTalk,
        ErrcodeReply,
        ErrorReply,
        Fault,
        FaultInjector,
        GatewaySettings,
        GatewayStats,
        GroupStore,
        Latency,
        LoggedRequest,
        PostedMessage,
        RemoteEmulator,
        Route,
        StoredGroup,
        StreamAck,
        StreamFaults,
        StreamGateway,
        WebhookPost,
    )

#: The emulator's names this module exported before the emulator had a package of its own,
#: still here (loaded on first use).
_EMULATOR_NAMES = frozenset(
    {
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
    }
)

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
    "is_testing",
    "set_testing",
]


def __getattr__(name: str) -> Any:
    """The emulator's names, imported from `dingtalk_im_async.emulator` on first use."""
    if name in _EMULATOR_NAMES:
        value = getattr(importlib.import_module("dingtalk_im_async.emulator"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)

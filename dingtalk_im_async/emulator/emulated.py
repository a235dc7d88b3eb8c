"""`EmulatedDingTalk`: what the `dingtalk_emulator` fixture hands a test.

It lives apart from the pytest plugin so `dingtalk_im_async.testing` can
export it (for type hints in a user's tests) without importing pytest.
"""

from __future__ import annotations

import aiohttp
from attrs import define

from ..groups import GroupService
from ..robot import RobotService
from ..tokens import AppTokenProvider
from .emulator import DingTalkEmulator
from .remote import RemoteEmulator

__all__ = ["EmulatedDingTalk"]


@define(frozen=True, kw_only=True)
class EmulatedDingTalk:
    """A running emulator and a client bound to it: `groups`, `robot` (the app's own robot),
    their `tokens` and `session`."""

    emulator: DingTalkEmulator | RemoteEmulator
    """The running emulator: inspect what it received, script its faults (a
    `RemoteEmulator`, with coroutine methods, in remote mode)."""
    groups: GroupService
    """A `GroupService` pointed at the emulator, with retry waits set to zero."""
    robot: RobotService
    """A `RobotService` for the app's own robot, on the same transport as `groups`."""
    tokens: AppTokenProvider
    """The `AppTokenProvider` that `groups` and `robot` use, for the emulator's app."""
    session: aiohttp.ClientSession
    """The `aiohttp.ClientSession` both use; closed after the test."""

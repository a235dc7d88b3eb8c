"""Test support: the DingTalk emulator and its pytest fixture."""

from .emulator import CreatedGroup, DingTalkEmulator, LoggedRequest

__all__ = ["CreatedGroup", "DingTalkEmulator", "LoggedRequest"]

"""The errors of answering a Stream bot message: through its `sessionWebhook`, or not at all."""

from __future__ import annotations

from ._base import DingTalkError
from ._replies import ApiError

__all__ = ["ReplyUnavailableError", "SessionWebhookExpiredError"]


class SessionWebhookExpiredError(ApiError):
    """errcode `300001` (`session 不存在`) from a bot message's `sessionWebhook`: its session
    is over (each message's lasts 20 to 90 minutes). Nothing was posted; the reply helper
    sends through the robot API instead when it can."""

    refusal = True


class ReplyUnavailableError(DingTalkError):
    """A reply has no way to go: the message's `sessionWebhook` has expired (or cannot carry
    this kind of message) and the robot API cannot stand in (no robot given, or a
    one-to-one chat). Nothing was sent."""

    reached_wire = False

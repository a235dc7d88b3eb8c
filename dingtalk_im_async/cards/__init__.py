"""Interactive and AI streaming cards: create, deliver, update, stream, and answer (an AI card
typed while an answer is produced), with button presses heard over Stream mode. A family
exports its models' names, its service and what its service returns."""

from __future__ import annotations

from . import models
from .answer import STREAM_FRAME_BYTES, STREAM_TOTAL_BYTES, AnswerCard, AnswerState
from .callbacks import CARD_CALLBACK_TOPIC, CardCallback, CardCallbackReply
from .models import *  # noqa: F403 - the family's public names are its models' __all__
from .service import CardService

__all__ = [
    "CARD_CALLBACK_TOPIC",
    "STREAM_FRAME_BYTES",
    "STREAM_TOTAL_BYTES",
    "AnswerCard",
    "AnswerState",
    "CardCallback",
    "CardCallbackReply",
    "CardService",
]
__all__ += models.__all__

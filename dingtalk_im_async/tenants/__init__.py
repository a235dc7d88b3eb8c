"""Third-party (ISV) apps: suite tickets and each organisation's token. The client that
composes them with the families, `SuiteClient` (`for_corp`), is `dingtalk_im_async.SuiteClient`
(`suite_client.py`, above the families)."""

from __future__ import annotations

from .events import SuiteEvents
from .tickets import (
    MemorySuiteTicketStore,
    RedisSuiteTicketStore,
    SuiteTicket,
    SuiteTicketStore,
    TicketStoreError,
)
from .tokens import CorpTokenProvider, SuiteTokens

__all__ = [
    "CorpTokenProvider",
    "MemorySuiteTicketStore",
    "RedisSuiteTicketStore",
    "SuiteEvents",
    "SuiteTicket",
    "SuiteTicketStore",
    "SuiteTokens",
    "TicketStoreError",
]

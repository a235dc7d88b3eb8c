"""Third-party (ISV) apps: suite tickets, each organisation's token, and a client per
organisation over one session (`SuiteClient.for_corp`)."""

from __future__ import annotations

from .client import CorpClient, SuiteClient
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
    "CorpClient",
    "CorpTokenProvider",
    "MemorySuiteTicketStore",
    "RedisSuiteTicketStore",
    "SuiteClient",
    "SuiteEvents",
    "SuiteTicket",
    "SuiteTicketStore",
    "SuiteTokens",
    "TicketStoreError",
]

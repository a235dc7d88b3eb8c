"""The suite's Stream events: tickets into the store, installs and removals into the set of
organisations. Mount it on the suite's `StreamClient` (`stream.on_event(events)`).

DingTalk pushes `suite_ticket` (`data.suiteTicket`) about every five hours,
and `org_suite_auth` / `org_suite_change` / `org_suite_relieve` when an
organisation installs, changes or removes the app
(https://open.dingtalk.com/document/development/event-suite-ticket,
https://open.dingtalk.com/document/development/event-org-suite-auth).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ..stream.models import StreamEvent
from .tokens import SuiteTokens

__all__ = ["AUTHORISED", "RELIEVED", "SUITE_TICKET", "SuiteEvents"]

logger = logging.getLogger("dingtalk_im_async.tenants")

SUITE_TICKET = "suite_ticket"
#: Both mean "the latest authorisation state" and may overwrite each other.
AUTHORISED = frozenset({"org_suite_auth", "org_suite_change"})
RELIEVED = "org_suite_relieve"


class SuiteEvents:
    """An event handler for the suite's `StreamClient` that keeps tickets and organisations
    current; every other event goes on to `then` (your own handler), as do these ones
    after they are taken in.

        events = SuiteEvents(client.tokens, then=my_handler)
        stream.on_event(events)

    A ticket for another suite is refused (logged, never stored).
    """

    def __init__(
        self, tokens: SuiteTokens, *, then: Callable[[StreamEvent], Awaitable[None]] | None = None
    ) -> None:
        if not isinstance(tokens, SuiteTokens):
            raise TypeError("tokens must be a SuiteTokens")
        self.tokens = tokens
        self._then = then

    def __repr__(self) -> str:
        return f"SuiteEvents(suite_key={self.tokens.suite_key!r})"

    async def __call__(self, event: StreamEvent) -> None:
        kind = getattr(event, "event_type", None)
        data = getattr(event, "data", None)
        data = data if isinstance(data, dict) else {}
        if kind == SUITE_TICKET:
            await self._ticket(event, data)
        elif kind in AUTHORISED or kind == RELIEVED:
            corp_id = _corp_of(event, data)
            if corp_id is None:
                logger.warning(
                    "%s event %s names no organisation; ignored",
                    kind,
                    getattr(event, "event_id", "?"),
                )
            elif kind == RELIEVED:
                await self.tokens.relieve(corp_id)
            else:
                await self.tokens.authorise(corp_id)
        if self._then is not None:
            await self._then(event)

    async def _ticket(self, event: Any, data: dict[str, Any]) -> None:
        value = data.get("suiteTicket")
        if not isinstance(value, str) or not value:
            logger.warning(
                "suite_ticket event %s carries no ticket; ignored", getattr(event, "event_id", "?")
            )
            return
        suite_key = data.get("suiteKey", data.get("SuiteKey", self.tokens.suite_key))
        born = getattr(event, "event_born_time", None)
        try:
            kept = await self.tokens.tickets.put(
                value, suite_key=str(suite_key), born_at=born if isinstance(born, int) else None
            )
        except ValueError as error:
            logger.warning("suite_ticket event refused: %s", error)
            return
        logger.info(
            "suite %s: %s suite ticket",
            self.tokens.suite_key,
            "stored a new" if kept else "kept the newer",
        )


def _corp_of(event: Any, data: dict[str, Any]) -> str | None:
    """The organisation an authorisation event is about: `auth_corp_info.corpid` in its data
    (the documented shape), `authCorpId` or `corpId`, else the event's `eventCorpId`."""
    info = data.get("auth_corp_info")
    nested = info.get("corpid") if isinstance(info, dict) else None
    for candidate in (
        nested,
        data.get("authCorpId"),
        data.get("corpId"),
        getattr(event, "event_corp_id", None),
    ):
        if isinstance(candidate, str) and candidate:
            return candidate
    return None

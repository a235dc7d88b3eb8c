"""`SuiteEvents` takes the suite's Stream events in: tickets into the store (the newest, and
only the suite's own), installs and removals into the set of organisations; every event
then goes on to the app's own handler."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async.stream import UnknownEvent
from dingtalk_im_async.tenants import MemorySuiteTicketStore, SuiteEvents, SuiteTokens

SUITE = "suite-key-1"


@pytest.fixture
async def tokens() -> AsyncIterator[SuiteTokens]:
    async with aiohttp.ClientSession() as session:
        source = SuiteTokens(
            session,
            suite_key=SUITE,
            suite_secret="suite-secret-1",
            tickets=MemorySuiteTicketStore(SUITE),
            base_url="http://127.0.0.1:9",
            allow_http=True,
        )
        async with source:
            yield source


def event(
    kind: str, data: dict[str, object], *, born: int = 1, corp: str | None = None
) -> UnknownEvent:
    return UnknownEvent(
        event_id=f"{kind}-{born}",
        event_type=kind,
        event_born_time=born,
        event_corp_id=corp,
        data=data,
    )


async def test_tickets_go_into_the_store_newest_first(tokens: SuiteTokens) -> None:
    passed_on: list[object] = []

    async def mine(item: object) -> None:
        passed_on.append(item)

    events = SuiteEvents(tokens, then=mine)
    await events(event("suite_ticket", {"suiteTicket": "t-2"}, born=2000))
    await events(event("suite_ticket", {"suiteTicket": "t-1"}, born=1000))  # late, older
    ticket = await tokens.tickets.current()
    assert ticket is not None
    assert ticket.value == "t-2"
    assert len(passed_on) == 2


async def test_another_suites_ticket_is_refused_and_logged(
    tokens: SuiteTokens, caplog: pytest.LogCaptureFixture
) -> None:
    events = SuiteEvents(tokens)
    await events(
        event("suite_ticket", {"suiteTicket": "ticket-of-suite-2", "suiteKey": "suite-key-2"})
    )
    assert await tokens.tickets.current() is None
    assert "refused" in caplog.text
    assert "ticket-of-suite-2" not in caplog.text


async def test_installs_and_removals_keep_the_organisations_current(tokens: SuiteTokens) -> None:
    events = SuiteEvents(tokens)
    data_a = {"syncAction": "org_suite_auth", "auth_corp_info": {"corpid": "ding-corp-a"}}
    await events(event("org_suite_auth", data_a))
    await events(event("org_suite_change", {}, corp="ding-corp-b"))
    await events(event("org_suite_relieve", {"auth_corp_info": {"corpid": "ding-corp-a"}}))
    assert await tokens.tickets.organisations() == {"ding-corp-b"}
    assert tokens.relieved == {"ding-corp-a"}


async def test_an_event_naming_no_organisation_is_ignored_with_a_warning(
    tokens: SuiteTokens, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await SuiteEvents(tokens)(event("org_suite_relieve", {}))
    assert tokens.relieved == set()
    assert "names no organisation" in caplog.text

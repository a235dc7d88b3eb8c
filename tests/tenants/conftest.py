"""An emulator in multi-organisation mode (one suite, two organisations) and a suite client
bound to it over real HTTP, its ticket store fed with the suite's current ticket."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dingtalk_im_async import RetryPolicy, SuiteClient
from dingtalk_im_async.emulator import DingTalkEmulator
from dingtalk_im_async.tenants import MemorySuiteTicketStore

SUITE = "suite-key-1"
SECRET = "suite-secret-1"
CORP_A = "ding-corp-a"
CORP_B = "ding-corp-b"
TEMPLATE = "tenant-template"


@pytest.fixture
async def tenants() -> AsyncIterator[DingTalkEmulator]:
    async with DingTalkEmulator(suites={SUITE: SECRET}, corp_ids=[CORP_A, CORP_B]) as emulator:
        yield emulator


async def fed_store(emulator: DingTalkEmulator) -> MemorySuiteTicketStore:
    """A ticket store holding the suite's current ticket, as the Stream event would leave it."""
    store = MemorySuiteTicketStore(SUITE)
    await store.put(str(emulator.suite_ticket(SUITE)), suite_key=SUITE)
    return store


@pytest.fixture
async def suite(tenants: DingTalkEmulator) -> AsyncIterator[SuiteClient]:
    async with SuiteClient(
        suite_key=SUITE,
        suite_secret=SECRET,
        tickets=await fed_store(tenants),
        base_url=tenants.base_url,
        allow_http=True,
        retry=RetryPolicy(initial_wait=0, max_wait=0),
    ) as client:
        yield client


async def fetches(emulator: DingTalkEmulator) -> dict[str, int]:
    """Token fetches per organisation, as the emulator counts them."""
    report = await emulator.get_tenants()
    return {org.corp_id: org.token_fetches for org in report.organisations if not org.internal}

"""A suite ticket store never expires a ticket, keeps the newest, refuses another suite's,
and (in Redis) is shared by every process of a fleet and survives a restart."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from dingtalk_im_async.tenants import (
    MemorySuiteTicketStore,
    RedisSuiteTicketStore,
    SuiteTicketStore,
    TicketStoreError,
)

SUITE = "suite-key-1"


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[SuiteTicketStore]:
    if request.param == "memory":
        yield MemorySuiteTicketStore(SUITE)
        return
    async with RedisSuiteTicketStore.from_url(
        redis_url, suite_key=SUITE, namespace=f"test-{uuid.uuid4().hex}"
    ) as redis_store:
        yield redis_store


async def test_a_ticket_is_kept_and_its_value_never_shown(store: SuiteTicketStore) -> None:
    assert await store.current() is None
    assert await store.put("ticket-secret-1", suite_key=SUITE, born_at=1000)
    ticket = await store.current()
    assert ticket is not None
    assert ticket.value == "ticket-secret-1"
    assert ticket.born_at == 1000
    assert "ticket-secret-1" not in repr(ticket) + repr(store)


async def test_the_newest_ticket_wins_whatever_the_order_they_arrive_in(
    store: SuiteTicketStore,
) -> None:
    assert await store.put("newer", suite_key=SUITE, born_at=2000)
    assert not await store.put("older", suite_key=SUITE, born_at=1000)
    assert not await store.put("newer", suite_key=SUITE, born_at=3000)  # a redelivery
    ticket = await store.current()
    assert ticket is not None
    assert (ticket.value, ticket.born_at) == ("newer", 2000)
    assert await store.put("newest", suite_key=SUITE, born_at=4000)
    ticket = await store.current()
    assert ticket is not None
    assert ticket.value == "newest"


async def test_a_ticket_for_another_suite_is_refused(store: SuiteTicketStore) -> None:
    await store.put("mine", suite_key=SUITE, born_at=1)
    with pytest.raises(ValueError, match="another-suite"):
        await store.put("theirs", suite_key="another-suite", born_at=2)
    ticket = await store.current()
    assert ticket is not None
    assert ticket.value == "mine"


async def test_organisations_follow_installs_and_removals(store: SuiteTicketStore) -> None:
    await store.authorise("ding-corp-a")
    await store.authorise("ding-corp-b")
    await store.relieve("ding-corp-a")
    assert await store.organisations() == {"ding-corp-b"}
    assert await store.is_relieved("ding-corp-a")
    await store.authorise("ding-corp-a")  # installed again
    assert not await store.is_relieved("ding-corp-a")


async def test_a_redis_ticket_has_no_expiry_and_outlives_its_process(redis_url: str) -> None:
    namespace = f"test-{uuid.uuid4().hex}"
    async with RedisSuiteTicketStore.from_url(
        redis_url, suite_key=SUITE, namespace=namespace
    ) as first:
        await first.put("kept-forever", suite_key=SUITE, born_at=5)
        assert await first._client.ttl(first.ticket_key) == -1  # no TTL at all
    async with RedisSuiteTicketStore.from_url(
        redis_url, suite_key=SUITE, namespace=namespace
    ) as restarted:
        ticket = await restarted.current()
        assert ticket is not None
        assert ticket.value == "kept-forever"


async def test_two_processes_racing_keep_the_newer_ticket(redis_url: str) -> None:
    namespace = f"test-{uuid.uuid4().hex}"
    stores = [
        RedisSuiteTicketStore.from_url(redis_url, suite_key=SUITE, namespace=namespace)
        for _ in range(2)
    ]
    try:
        await asyncio.gather(
            *(stores[n % 2].put(f"ticket-{n}", suite_key=SUITE, born_at=n) for n in range(50))
        )
        ticket = await stores[0].current()
        assert ticket is not None
        assert ticket.value == "ticket-49"
    finally:
        for one in stores:
            await one.aclose()


async def test_an_unreachable_redis_is_a_typed_error_that_names_no_password() -> None:
    async with RedisSuiteTicketStore.from_url(
        "redis://:hunter2@127.0.0.1:1/0", suite_key=SUITE, timeout=0.2
    ) as down:
        with pytest.raises(TicketStoreError) as caught:
            await down.current()
    assert "hunter2" not in str(caught.value)
    assert caught.value.verdict.value == "not_sent"

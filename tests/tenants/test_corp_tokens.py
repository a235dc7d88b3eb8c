"""Each organisation's token: fetched once however many callers, kept apart from every other
organisation's, replaced once when revoked, untouched by a ticket rotation, refused with
typed errors (and their verdicts) when the ticket, the installation or the suite key is
wrong."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from dingtalk_im_async import CreateSceneGroupRequest, RedisTokenCache, SuiteClient, Verdict
from dingtalk_im_async.emulator import DingTalkEmulator
from dingtalk_im_async.errors import (
    InvalidAuthInfoError,
    InvalidSuiteKeyError,
    InvalidSuiteTicketError,
)
from dingtalk_im_async.tenants import (
    MemorySuiteTicketStore,
    RedisSuiteTicketStore,
    SuiteTokens,
)
from tests.support.redis_server import started_redis_server

from .conftest import CORP_A, CORP_B, SECRET, SUITE, TEMPLATE, fed_store, fetches


def scene_group(title: str) -> CreateSceneGroupRequest:
    return CreateSceneGroupRequest(title=title, template_id=TEMPLATE, owner_user_id="boss")


async def test_many_callers_of_one_organisation_cause_one_fetch_and_orgs_never_share(
    suite: SuiteClient, tenants: DingTalkEmulator
) -> None:
    tokens = await asyncio.gather(
        *(suite.for_corp(corp).tokens.get_token() for corp in [CORP_A, CORP_B] * 50)
    )
    assert len(set(tokens[0::2])) == 1
    assert len(set(tokens[1::2])) == 1
    assert tokens[0] != tokens[1]
    assert (await fetches(tenants))[CORP_A] == 1
    assert (await fetches(tenants))[CORP_B] == 1


async def test_each_organisation_calls_with_its_own_token(
    suite: SuiteClient, tenants: DingTalkEmulator
) -> None:
    made = {}
    for corp in (CORP_A, CORP_B):
        made[corp] = await suite.for_corp(corp).scene_groups.create(scene_group(corp))
    for corp in (CORP_A, CORP_B):
        info = await suite.for_corp(corp).scene_groups.get(made[corp].open_conversation_id)
        assert info.title == corp
    assert (await tenants.get_tenants()).cross_tenant_calls == 0


async def test_a_revoked_token_is_replaced_once_and_the_call_succeeds(
    suite: SuiteClient, tenants: DingTalkEmulator
) -> None:
    corp = suite.for_corp(CORP_A)
    made = await corp.scene_groups.create(scene_group("g"))
    tenants.revoke_org_tokens(CORP_A, suite_key=SUITE)
    infos = await asyncio.gather(
        *(corp.scene_groups.get(made.open_conversation_id) for _ in range(20))
    )
    assert {info.title for info in infos} == {"g"}
    assert (await fetches(tenants))[CORP_A] == 2


async def test_a_ticket_rotation_alone_fetches_nothing(
    suite: SuiteClient, tenants: DingTalkEmulator
) -> None:
    corp = suite.for_corp(CORP_A)
    made = await corp.scene_groups.create(scene_group("g"))
    for _ in range(3):
        tenants.rotate_suite_ticket(SUITE)
    await corp.scene_groups.get(made.open_conversation_id)
    assert (await fetches(tenants))[CORP_A] == 1


async def test_a_fetch_with_a_stale_ticket_waits_for_the_newer_one(
    suite: SuiteClient, tenants: DingTalkEmulator
) -> None:
    new = str(tenants.rotate_suite_ticket(SUITE))  # the store still holds the old one

    async def arrives_later() -> None:
        await asyncio.sleep(0.2)
        await suite.tickets.put(new, suite_key=SUITE)

    later = asyncio.ensure_future(arrives_later())
    token = await suite.for_corp(CORP_A).tokens.get_token()
    await later
    assert token
    assert (await fetches(tenants))[CORP_A] == 1


async def test_a_fetch_follows_tickets_replaced_twice_while_it_waits(
    suite: SuiteClient, tenants: DingTalkEmulator
) -> None:
    second = str(tenants.rotate_suite_ticket(SUITE))
    third = str(tenants.rotate_suite_ticket(SUITE))

    async def arrive_one_by_one() -> None:
        await asyncio.sleep(0.1)
        await suite.tickets.put(second, suite_key=SUITE)  # already stale on arrival
        await asyncio.sleep(0.2)
        await suite.tickets.put(third, suite_key=SUITE)

    later = asyncio.ensure_future(arrive_one_by_one())
    assert await suite.for_corp(CORP_A).tokens.get_token()
    await later
    assert (await fetches(tenants))[CORP_A] == 1


async def test_a_stale_ticket_with_no_newer_one_is_a_typed_refusal(
    suite: SuiteClient, tenants: DingTalkEmulator
) -> None:
    suite.tokens.ticket_wait = 0.1
    tenants.rotate_suite_ticket(SUITE)
    with pytest.raises(InvalidSuiteTicketError) as direct:
        await suite.for_corp(CORP_A).tokens.get_token()
    assert direct.value.verdict is Verdict.REJECTED  # the token request was refused
    with pytest.raises(InvalidSuiteTicketError) as through_a_call:
        await suite.for_corp(CORP_A).scene_groups.create(scene_group("g"))
    assert through_a_call.value.verdict is Verdict.NOT_SENT  # the call never went out


async def test_an_organisation_that_did_not_install_the_app_is_a_typed_refusal(
    suite: SuiteClient,
) -> None:
    with pytest.raises(InvalidAuthInfoError) as caught:
        await suite.for_corp("ding-corp-elsewhere").scene_groups.create(scene_group("g"))
    assert caught.value.code == "invalidAuthInfo"
    assert caught.value.verdict is Verdict.NOT_SENT


async def test_a_wrong_suite_secret_names_the_suite_key_never_the_secret(
    tenants: DingTalkEmulator,
) -> None:
    async with SuiteClient(
        suite_key=SUITE,
        suite_secret="not-the-secret",
        tickets=await fed_store(tenants),
        base_url=tenants.base_url,
        allow_http=True,
    ) as wrong:
        with pytest.raises(InvalidSuiteKeyError) as caught:
            await wrong.for_corp(CORP_A).scene_groups.create(scene_group("g"))
    assert SUITE in str(caught.value)
    assert "not-the-secret" not in str(caught.value)
    assert caught.value.verdict is Verdict.NOT_SENT


async def test_the_unified_endpoint_gives_each_organisation_its_token_without_a_ticket(
    tenants: DingTalkEmulator,
) -> None:
    async with SuiteClient(
        suite_key=SUITE,
        suite_secret=SECRET,
        tickets=MemorySuiteTicketStore(SUITE),  # empty: no ticket needed
        base_url=tenants.base_url,
        allow_http=True,
        unified=True,
    ) as suite:
        made = await suite.for_corp(CORP_A).scene_groups.create(scene_group("a"))
        info = await suite.for_corp(CORP_A).scene_groups.get(made.open_conversation_id)
        assert info.title == "a"
        with pytest.raises(InvalidAuthInfoError):
            await suite.for_corp("ding-corp-elsewhere").tokens.get_token()
    assert (await fetches(tenants))[CORP_A] == 1


async def test_secrets_tickets_and_tokens_never_reach_a_log_or_an_error(
    tenants: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ticket = str(tenants.suite_ticket(SUITE))
    seen: list[str] = []
    async with SuiteClient(
        suite_key=SUITE,
        suite_secret=SECRET,
        tickets=await fed_store(tenants),
        base_url=tenants.base_url,
        allow_http=True,
    ) as suite:
        suite.tokens.ticket_wait = 0.1
        corp = suite.for_corp(CORP_A)
        made = await corp.scene_groups.create(scene_group("g"))
        token = await corp.tokens.get_token()
        tenants.revoke_org_tokens(CORP_A, suite_key=SUITE)
        await corp.scene_groups.get(made.open_conversation_id)
        tenants.rotate_suite_ticket(SUITE)
        tenants.revoke_org_tokens(CORP_A, suite_key=SUITE)
        try:
            await corp.scene_groups.get(made.open_conversation_id)
        except InvalidSuiteTicketError as error:
            seen.append(str(error) + repr(error))
        seen.append(repr(suite) + repr(corp) + repr(corp.tokens) + repr(suite.tickets))
    text = caplog.text + "".join(seen)
    for secret in (SECRET, ticket, token):
        assert secret not in text


async def test_a_fleet_sharing_redis_fetches_each_organisation_once(
    tenants: DingTalkEmulator, redis_url: str
) -> None:
    namespace = f"test-{uuid.uuid4().hex}"
    caches = [RedisTokenCache.from_url(redis_url, namespace=namespace) for _ in range(3)]
    store = await fed_store(tenants)
    sessions = []
    try:
        import aiohttp

        sources = []
        for cache in caches:
            session = aiohttp.ClientSession()
            sessions.append(session)
            sources.append(
                SuiteTokens(
                    session,
                    suite_key=SUITE,
                    suite_secret=SECRET,
                    tickets=store,
                    cache=cache,
                    base_url=tenants.base_url,
                    allow_http=True,
                )
            )
        tokens = await asyncio.gather(
            *(source.for_corp(corp).get_token() for source in sources for corp in (CORP_A, CORP_B))
        )
        assert len(set(tokens)) == 2
        assert await fetches(tenants) == {CORP_A: 1, CORP_B: 1}
    finally:
        for session in sessions:
            await session.close()
        for cache in caches:
            await cache.aclose()


async def test_memory_stays_bounded_for_many_organisations(tenants: DingTalkEmulator) -> None:
    async with SuiteClient(
        suite_key=SUITE,
        suite_secret=SECRET,
        tickets=await fed_store(tenants),
        base_url=tenants.base_url,
        allow_http=True,
        max_organisations=3,
    ) as suite:
        for number in range(10):
            suite.for_corp(f"ding-corp-{number}")
        assert len(suite._corps) == 3
        assert len(suite.tokens._providers) == 3
        assert suite.for_corp("ding-corp-9") is suite.for_corp("ding-corp-9")


async def test_a_ticket_store_outage_falls_back_on_the_last_ticket_read(
    tenants: DingTalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    with started_redis_server() as server:
        async with RedisSuiteTicketStore.from_url(
            server.url, suite_key=SUITE, timeout=0.2
        ) as store:
            await store.put(str(tenants.suite_ticket(SUITE)), suite_key=SUITE)
            async with SuiteClient(
                suite_key=SUITE,
                suite_secret=SECRET,
                tickets=store,
                base_url=tenants.base_url,
                allow_http=True,
            ) as suite:
                await suite.for_corp(CORP_A).tokens.get_token()  # reads the ticket
                server.freeze()
                try:
                    assert await suite.for_corp(CORP_B).tokens.get_token()
                finally:
                    server.thaw()
    assert "the ticket store is unavailable" in caplog.text
    assert (await fetches(tenants))[CORP_B] == 1

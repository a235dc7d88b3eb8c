"""Cancelling calls and closing the client: no task left behind, clear errors, still usable."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    ClientClosedError,
    CreateGroupRequest,
    DingTalkClient,
    GroupService,
    RetryPolicy,
    StaticTokenProvider,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.conftest import INSTANT_RETRIES, app_provider
from tests.support.leak_checks import client_tasks, no_client_tasks_left
from tests.support.token_helpers import eventually

#: Bound on the event-loop steps a create with a token fetch, a retry and a replay takes (~40).
MAX_STEPS = 2_000


def request(name: str) -> CreateGroupRequest:
    return CreateGroupRequest(name=name, owner="manager4220", useridlist=["u1"])


def groups_named(emulator: DingTalkEmulator, name: str) -> int:
    return sum(1 for group in emulator.groups if group.request["name"] == name)


def client_for(emulator: DingTalkEmulator, **options: Any) -> DingTalkClient:
    options.setdefault("retry", INSTANT_RETRIES)
    options.setdefault("rate_limit", None)  # pacing waits are timed, not counted in steps
    return DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        **options,
    )


async def test_cancelling_a_create_at_any_step_leaves_no_task_and_the_service_usable(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    """Each create fetches a token, gets a 500 (retried) and a revoked token (replayed after a
    second fetch); it is cancelled after 0, 1, 2, ... event-loop steps, so every await point
    of that path is hit, until one create completes before its cancellation."""
    cancelled = 0
    for steps in range(MAX_STEPS):
        emulator.faults_for("im.group.create").clear()
        emulator.faults_for("im.group.create").schedule(Fault.SYSTEM_ERROR)
        emulator.faults_for("im.group.create").schedule(Fault.TOKEN_REVOKED)
        provider = app_provider(emulator, session)
        groups = GroupService(
            session, provider, base_url=emulator.base_url, retry=INSTANT_RETRIES, rate_limit=None
        )
        call = asyncio.create_task(groups.create(request(f"cut-{steps}")))
        for _ in range(steps):
            await asyncio.sleep(0)
        completed = call.done()
        if completed:
            call.result()
        else:
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            cancelled += 1
        await no_client_tasks_left()  # a token fetch others could share may finish first
        emulator.faults_for("im.group.create").clear()
        result = await groups.create(request(f"after-{steps}"))
        assert [g.chatid for g in emulator.groups if g.request["name"] == f"after-{steps}"] == [
            result.chatid
        ]
        assert groups_named(emulator, f"cut-{steps}") <= 1
        await provider.close()
        assert client_tasks() == []
        if completed:
            break
    assert completed, f"no create finished within {MAX_STEPS} steps"
    assert cancelled >= 30


async def test_cancelling_the_only_caller_lets_its_token_fetch_finish_for_the_next_call(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("oauth2.accessToken").schedule(Fault.SLOW, delay=0.3)
    provider = app_provider(emulator, session)
    groups = GroupService(session, provider, base_url=emulator.base_url, retry=INSTANT_RETRIES)
    call = asyncio.create_task(groups.create(request("gives-up")))
    await eventually(lambda: emulator.token_fetches > 0)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await no_client_tasks_left()
    await groups.create(request("next"))
    assert emulator.token_fetches == 1
    assert emulator.calls("im.group.create") == 1
    await provider.close()


async def test_cancelling_one_waiter_of_a_token_fetch_does_not_fail_the_others(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.faults_for("oauth2.accessToken").schedule(Fault.SLOW, delay=0.3)
    provider = app_provider(emulator, session)
    groups = GroupService(session, provider, base_url=emulator.base_url, retry=INSTANT_RETRIES)
    leaving = asyncio.create_task(groups.create(request("leaves")))
    staying = asyncio.create_task(groups.create(request("stays")))
    await eventually(lambda: emulator.token_fetches > 0)
    leaving.cancel()
    result = await staying
    assert leaving.cancelled()
    assert [g.chatid for g in emulator.groups] == [result.chatid]
    assert emulator.token_fetches == 1
    await provider.close()
    assert client_tasks() == []


async def test_cancelling_a_create_on_the_wire_keeps_the_session_usable(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    groups = GroupService(
        session, StaticTokenProvider(emulator.issue_token()), base_url=emulator.base_url
    )
    emulator.delay_next(3, seconds=0.3, api="im.group.create")
    calls = [asyncio.create_task(groups.create(request(f"slow-{i}"))) for i in range(3)]
    await eventually(lambda: emulator.calls("im.group.create") >= 3)
    for call in calls:
        call.cancel()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes)
    assert client_tasks() == []
    results = await asyncio.gather(*(groups.create(request(f"then-{i}")) for i in range(5)))
    assert len({result.chatid for result in results}) == 5


async def test_closing_the_client_fails_calls_on_the_wire_and_waiting_for_a_connection(
    emulator: DingTalkEmulator,
) -> None:
    client = client_for(emulator, connection_limit=2)
    await client.tokens.get_token()
    emulator.delay_next(2, seconds=5, api="im.group.create")
    calls = [asyncio.create_task(client.groups.create(request(f"c{i}"))) for i in range(5)]
    await eventually(lambda: emulator.calls("im.group.create") >= 2)
    await client.close()
    outcomes = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 5)
    on_the_wire = [
        o for o in outcomes if isinstance(o, ClientClosedError) and o.verdict is Verdict.UNKNOWN
    ]
    assert len(on_the_wire) == 2
    waiting = [o for o in outcomes if o not in on_the_wire]
    if sys.version_info >= (3, 11):
        assert all(isinstance(o, ClientClosedError) for o in waiting)
        assert all(o.verdict is Verdict.NOT_SENT for o in waiting)  # type: ignore[union-attr]
        assert "waited for a connection" in str(waiting[0])
    else:  # 3.10 cannot tell aiohttp's cancellation of the waiters from the caller's
        assert all(isinstance(o, asyncio.CancelledError) for o in waiting)
    assert "may have reached the server" in str(on_the_wire[0])
    assert client_tasks() == []


async def test_closing_the_client_fails_calls_waiting_for_a_token_without_sending_them(
    emulator: DingTalkEmulator,
) -> None:
    client = client_for(emulator)
    emulator.faults_for("oauth2.accessToken").schedule(Fault.SLOW, delay=5)
    calls = [asyncio.create_task(client.groups.create(request(f"t{i}"))) for i in range(3)]
    await eventually(lambda: emulator.token_fetches > 0)
    await client.close()
    outcomes = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 5)
    assert all(isinstance(o, ClientClosedError) for o in outcomes)
    assert all(o.verdict is Verdict.NOT_SENT for o in outcomes)  # type: ignore[union-attr]
    assert "closed while fetching the access token" in str(outcomes[0])
    assert emulator.calls("im.group.create") == 0
    assert client_tasks() == []


async def test_closing_the_client_ends_a_retry_backoff_at_once(
    emulator: DingTalkEmulator,
) -> None:
    client = client_for(emulator, retry=RetryPolicy(initial_wait=30, max_wait=30))
    emulator.fail_next(3, api="im.group.create")
    call = asyncio.create_task(client.groups.create(request("backing-off")))
    await eventually(lambda: emulator.calls("im.group.create") > 0)
    await client.close()
    with pytest.raises(ClientClosedError, match="waiting to retry") as caught:
        await asyncio.wait_for(call, 5)  # not the up to 30 s of the backoff
    assert caught.value.verdict is Verdict.NOT_SENT
    assert emulator.groups == []


async def test_calls_after_close_fail_before_any_io_and_close_is_idempotent(
    emulator: DingTalkEmulator,
) -> None:
    async with client_for(emulator) as client:
        await client.groups.create(request("before"))
    await client.close()
    assert client.closed
    assert "closed" in repr(client)
    with pytest.raises(ClientClosedError) as caught:
        await client.groups.create(request("after"))
    assert caught.value.verdict is Verdict.NOT_SENT
    assert isinstance(caught.value, TransportError)
    assert emulator.calls("im.group.create") == 1
    assert client_tasks() == []


async def test_a_caller_owned_session_closed_under_a_service_gives_client_closed_error(
    emulator: DingTalkEmulator,
) -> None:
    session = aiohttp.ClientSession()
    groups = GroupService(
        session, StaticTokenProvider(emulator.issue_token()), base_url=emulator.base_url
    )
    emulator.delay_next(seconds=5, api="im.group.create")
    call = asyncio.create_task(groups.create(request("owned")))
    await eventually(lambda: emulator.calls("im.group.create") > 0)
    await session.close()
    with pytest.raises(ClientClosedError) as caught:
        await asyncio.wait_for(call, 5)
    assert caught.value.verdict is Verdict.UNKNOWN
    with pytest.raises(ClientClosedError, match="session is closed"):
        await groups.create(request("later"))


async def test_a_client_with_bad_arguments_opens_nothing(emulator: DingTalkEmulator) -> None:
    with pytest.raises(ValueError, match="plain http"):
        DingTalkClient(app_key="k", app_secret="s", base_url="http://example.com")
    with pytest.raises(ValueError, match="app_secret"):
        DingTalkClient(app_key="k", app_secret="", base_url=emulator.base_url)
    with pytest.raises(TypeError, match="ssl_context"):
        DingTalkClient(app_key="k", app_secret="s", ssl_context=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="connection_limit"):
        DingTalkClient(app_key="k", app_secret="s", connection_limit=0)


def test_the_client_must_be_made_inside_an_event_loop() -> None:
    with pytest.raises(RuntimeError, match="event loop"):
        DingTalkClient(app_key="k", app_secret="s")


async def test_the_provider_can_be_closed_twice_and_its_waiters_are_told_why(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    provider: AppTokenProvider = app_provider(emulator, session)
    emulator.faults_for("oauth2.accessToken").schedule(Fault.SLOW, delay=5)
    waiter = asyncio.create_task(provider.get_token())
    await eventually(lambda: emulator.token_fetches > 0)
    await provider.close()
    await provider.close()
    with pytest.raises(ClientClosedError, match="closed while fetching"):
        await waiter
    assert client_tasks() == []

"""The app of docs/guides/third-party-app.md, run against the emulator: tickets arrive over
Stream into a ticket store in Redis, organisations install the app and get a welcome group,
one removes it and its calls stop before any I/O, and each organisation's calls are paced
and budgeted on their own."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest

# isort: split
# --8<-- [start:app]
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dingtalk_im_async import (
    CreateSceneGroupRequest,
    GroupMessage,
    RedisBudget,
    RedisPacer,
    RedisTokenCache,
    SuiteClient,
    Text,
)
from dingtalk_im_async.errors import OrganisationRelievedError
from dingtalk_im_async.stream import MembersAddedEvent, StreamClient
from dingtalk_im_async.tenants import RedisSuiteTicketStore, SuiteEvents

TEMPLATE = "project-template"  # your group template's id


class ThirdPartyApp:
    """One process of the app; run as many as you like on one Redis."""

    def __init__(self, suite: SuiteClient, stream: StreamClient) -> None:
        self.suite = suite
        # Tickets and installs keep the shared store current; the rest comes to `heard`.
        stream.on_event(SuiteEvents(suite.tokens, then=self.heard))

    async def heard(self, event: object) -> None:
        if getattr(event, "event_type", None) == "org_suite_auth":
            await self.welcome(event.event_corp_id)  # type: ignore[attr-defined]
        elif isinstance(event, MembersAddedEvent):
            pass  # group events arrive here too, each with its organisation

    async def welcome(self, corp_id: str) -> str:
        """A project group in the organisation that just installed the app."""
        corp = self.suite.for_corp(corp_id)
        group = await corp.scene_groups.create(
            CreateSceneGroupRequest(
                title="项目群",
                template_id=TEMPLATE,
                owner_user_id="manager",
                uuid=f"welcome-{corp_id}",  # DingTalk's dedup key: safe to send again
            )
        )
        await corp.robot.send(
            GroupMessage(open_conversation_id=group.open_conversation_id, message=Text("欢迎"))
        )
        return group.open_conversation_id


@asynccontextmanager
async def running_app(
    suite_key: str, suite_secret: str, redis_url: str, base_url: str | None = None
) -> AsyncIterator[ThirdPartyApp]:
    """One process of the app. Everything the fleet shares lives in one Redis: the ticket,
    each organisation's token, pacing per suite x organisation x API, and each
    organisation's monthly call budget. (`base_url`: the emulator's, in tests.)"""
    local = {"base_url": base_url, "allow_http": True} if base_url else {}
    async with (
        RedisSuiteTicketStore.from_url(redis_url, suite_key=suite_key) as tickets,
        RedisTokenCache.from_url(redis_url) as cache,
        RedisPacer.from_url(redis_url, rate=20, app_key=suite_key) as pacer,
        RedisBudget.from_url(redis_url, limit=4_000) as budget,
        SuiteClient(
            suite_key=suite_key,
            suite_secret=suite_secret,
            tickets=tickets,
            cache=cache,
            pacer=pacer,
            budget=budget,
            **local,
        ) as suite,
        StreamClient(app_key=suite_key, app_secret=suite_secret, messages=False, **local) as stream,
    ):
        app = ThirdPartyApp(suite, stream)
        await stream.start()
        listening = asyncio.ensure_future(stream.run())  # hands each event to the handler
        try:
            yield app
        finally:
            await stream.close()
            await asyncio.gather(listening, return_exceptions=True)


# --8<-- [end:app]

from dingtalk_im_async.emulator import DingTalkEmulator  # noqa: E402

SECRET = "suite-secret-1"
CORPS = ["ding-corp-a", "ding-corp-b"]


async def until(check: Callable[[], Awaitable[object]], timeout: float = 10.0) -> None:
    """Wait until `await check()` is true; fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "still not true"
        await asyncio.sleep(0.02)


async def test_the_guide_app_serves_organisations_as_they_install_and_leave(
    redis_url: str,
) -> None:
    suite_key = f"suite-{uuid.uuid4().hex[:12]}"  # keys of its own in the shared test Redis
    async with DingTalkEmulator(suites={suite_key: SECRET}, corp_ids=CORPS[:1]) as emulator:
        async with running_app(suite_key, SECRET, redis_url, emulator.base_url) as app:
            suite = app.suite
            emulator.rotate_suite_ticket(suite_key)  # DingTalk pushes one every five hours
            await until(suite.tickets.current)
            # A second organisation installs the app: it gets its welcome group.
            emulator.authorise_org(suite_key, CORPS[1])
            await until(lambda: calls_of(emulator, CORPS[1], 2))
            assert await app.welcome(CORPS[0])
            # One leaves: its calls stop here, before any I/O.
            emulator.relieve_org(suite_key, CORPS[0])
            await until(lambda: suite.tokens.tickets.is_relieved(CORPS[0]))
            with pytest.raises(OrganisationRelievedError):
                await app.welcome(CORPS[0])
            assert await suite.tickets.organisations() == {CORPS[1]}
        report = await emulator.get_tenants()
        assert report.cross_tenant_calls == 0
        async with RedisBudget.from_url(redis_url, limit=4_000) as budgets:
            used = await budgets.used(f"{suite_key}:{CORPS[1]}", budgets.month())
            assert used == 2  # the create and the message


async def calls_of(emulator: DingTalkEmulator, corp_id: str, count: int) -> bool:
    report = await emulator.get_tenants()
    return any(org.corp_id == corp_id and org.calls >= count for org in report.organisations)

"""Code shown on docs/tokens.md and docs/errors.md, run against the emulator."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkError,
    GroupService,
    PermissionCheckError,
    RateLimitError,
    RedisTokenCache,
    RequestValidationError,
    RetryPolicy,
    ServerError,
    StaticTokenProvider,
    TokenProvider,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.conftest import app_provider

REQUEST = CreateGroupRequest(name="项目群", owner="manager4220", useridlist=["alice"])


# --8<-- [start:provider]
class CallbackTokenProvider:
    """Gets the token from your own code, e.g. a service that manages it for many apps."""

    def __init__(self, fetch: Callable[[], Awaitable[str]]) -> None:
        self._fetch = fetch
        self._token: str | None = None

    async def get_token(self) -> str:
        if self._token is None:
            self._token = await self._fetch()
        return self._token

    async def invalidate(self, token: str) -> None:
        if token == self._token:  # a concurrent call may have renewed it already
            self._token = None


# --8<-- [end:provider]


async def test_a_custom_provider_is_renewed_when_dingtalk_refuses_its_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    fetches = 0

    async def fetch() -> str:
        nonlocal fetches
        fetches += 1
        return emulator.issue_token()

    provider = CallbackTokenProvider(fetch)
    assert isinstance(provider, TokenProvider)
    groups = GroupService(session, provider, base_url=emulator.base_url)
    await groups.create(REQUEST)
    emulator.revoke_tokens()
    await groups.create(REQUEST)  # refused once, then replayed with a fresh token
    assert fetches == 2
    assert len(emulator.groups) == 2


async def test_a_fleet_sharing_redis_fetches_one_token(
    emulator: DingTalkEmulator, redis_url: str
) -> None:
    namespace = f"docs-{uuid.uuid4().hex}"  # keeps this test's keys apart
    for _process in range(3):  # each loop stands for one process of the fleet
        await create_one_group(
            emulator.base_url, emulator.app_key, emulator.app_secret, redis_url, namespace
        )
    assert emulator.token_fetches == 1
    assert len(emulator.groups) == 3


# --8<-- [start:redis]
async def create_one_group(
    base_url: str, app_key: str, app_secret: str, redis_url: str, namespace: str
) -> None:
    """What each process of the fleet does: its own session, a provider backed by Redis."""
    async with (
        aiohttp.ClientSession() as session,
        RedisTokenCache.from_url(redis_url, namespace=namespace) as cache,
        AppTokenProvider(
            session, app_key=app_key, app_secret=app_secret, base_url=base_url, cache=cache
        ) as tokens,
    ):
        groups = GroupService(session, tokens, base_url=base_url)
        await groups.create(REQUEST)


# --8<-- [end:redis]


# --8<-- [start:handling]
async def create_and_explain(
    groups: GroupService, name: str, owner: str, members: list[str]
) -> str:
    """Create a group and say what happened, acting on each kind of failure."""
    try:
        request = CreateGroupRequest(name=name, owner=owner, useridlist=members)
        result = await groups.create(request)
    except RequestValidationError as error:  # never sent: fix the input
        return f"invalid {error.field}: {error.rule}"
    except PermissionCheckError:  # fix the app's setup: owner visibility, whitelist
        return "the app may not make this group"
    except RateLimitError:  # not processed: slow down, then send it again
        return "rate limited; nothing was created"
    except ServerError as error:  # still failing after the automatic retries
        return f"DingTalk failed, request id {error.request_id}"
    except TransportError as error:
        if error.verdict is Verdict.UNKNOWN:  # not idempotent: the group may exist
            return "outcome unknown; check before creating it again"
        return "DingTalk unreachable; nothing was created"
    except DingTalkError as error:  # any other documented refusal, or a garbled reply
        return f"failed: {error}"
    return f"created {result.open_conversation_id}"


# --8<-- [end:handling]


@pytest.fixture
def impatient_groups(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> GroupService:
    """A service with a short timeout, for the delayed-reply case."""
    return GroupService(
        session,
        app_provider(emulator, session),
        base_url=emulator.base_url,
        timeout=0.1,
        retry=RetryPolicy(initial_wait=0, max_wait=0),
    )


async def test_create_and_explain_covers_each_outcome(
    impatient_groups: GroupService, emulator: DingTalkEmulator
) -> None:
    async def explain() -> str:
        return await create_and_explain(impatient_groups, "项目群", "manager4220", ["alice"])

    assert (await explain()).startswith("created cid")
    emulator.fail_next(status=400, code="permession.checkFailed", api="im.group.create")
    assert await explain() == "the app may not make this group"
    emulator.fail_next(status=429, code="system.busy", api="im.group.create")
    assert await explain() == "rate limited; nothing was created"
    emulator.fail_next(3, status=500, code="system.error", api="im.group.create")
    assert (await explain()).startswith("DingTalk failed, request id ")
    emulator.delay_next(seconds=0.5, api="im.group.create")
    assert await explain() == "outcome unknown; check before creating it again"
    emulator.reply_next(body=b"<html>", content_type="text/html", api="im.group.create")
    assert (await explain()).startswith("failed: HTTP 200: expected JSON")
    assert len(emulator.groups) == 1


async def test_create_and_explain_names_the_field_that_breaks_the_spec(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    reply = await create_and_explain(groups, "x" * 21, "manager4220", ["alice"])
    assert reply == "invalid name: must be 1 to 20 characters, got 21"
    assert await create_and_explain(groups, "n", "manager4220", []) == (
        "invalid useridlist: must contain at least one id"
    )
    assert emulator.calls("im.group.create") == 0


async def test_create_and_explain_says_an_unreachable_server_created_nothing(
    session: aiohttp.ClientSession,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    groups = GroupService(
        session, StaticTokenProvider("token"), base_url=f"http://127.0.0.1:{closed_port}"
    )
    reply = await create_and_explain(groups, "项目群", "manager4220", ["alice"])
    assert reply == "DingTalk unreachable; nothing was created"

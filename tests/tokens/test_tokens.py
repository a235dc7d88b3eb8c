"""AppTokenProvider over real HTTP: one fetch per expiry, background refresh, bad replies."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from dingtalk_im_async import (
    AppTokenProvider,
    CachedToken,
    ClientClosedError,
    CreateGroupRequest,
    GroupService,
    InvalidCredentialsError,
    MemoryTokenCache,
    ResponseError,
    StaticTokenProvider,
    TokenProvider,
)
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.token_helpers import (
    FakeClock,
    eventually,
    pending_provider_tasks,
    provider_for,
    token_reply,
)

REQUEST = CreateGroupRequest(name="n", owner="o", useridlist=["u"])
LIFETIME = 7200.0
MARGIN = 600.0


@pytest.fixture(autouse=True)
async def no_provider_task_left() -> AsyncIterator[None]:
    yield
    assert pending_provider_tasks() == []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_1000_concurrent_creates_on_a_cold_cache_fetch_one_token(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    results = await asyncio.gather(*(groups.create(REQUEST) for _ in range(1000)))
    assert emulator.token_fetches == 1
    assert len({r.open_conversation_id for r in results}) == 1000
    assert len(emulator.groups) == 1000


async def test_providers_satisfy_the_protocol(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    assert isinstance(provider_for(emulator, session), TokenProvider)
    assert isinstance(StaticTokenProvider("t"), TokenProvider)


async def test_the_token_is_reused_until_its_refresh_point(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    async with provider_for(emulator, session, clock=clock) as provider:
        first = await provider.get_token()
        clock.advance(LIFETIME - MARGIN - 1)
        assert await provider.get_token() == first
        assert emulator.token_fetches == 1


async def test_concurrent_callers_after_expiry_cause_one_fetch(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    async with provider_for(emulator, session, clock=clock) as provider:
        await provider.get_token()
        emulator.revoke_tokens()
        clock.advance(LIFETIME + 1)
        tokens = await asyncio.gather(*(provider.get_token() for _ in range(200)))
        assert emulator.token_fetches == 2
        assert len(set(tokens)) == 1
        assert tokens[0] == emulator.issue_token()


async def test_a_token_past_its_real_lifetime_is_replaced_by_one_replay(
    session: aiohttp.ClientSession,
) -> None:
    """A lifetime under MIN_LIFETIME is held for MIN_LIFETIME (never a fetch per call); if
    DingTalk really expires it sooner, the refusal costs one fetch and one replay."""
    async with DingTalkEmulator(token_lifetime=0.3) as emulator:
        provider = provider_for(emulator, session)
        service = GroupService(session, provider, base_url=emulator.base_url)
        await service.create(REQUEST)
        await asyncio.sleep(0.4)
        await service.create(REQUEST)
        await provider.close()
    assert emulator.token_fetches == 2
    assert len(emulator.groups) == 2
    assert emulator.calls("im.group.create") == 3  # the second create's first try was refused


async def test_a_tiny_expire_in_never_costs_a_fetch_per_call(
    session: aiohttp.ClientSession,
) -> None:
    """Issue 14.2: `expireIn` 1e-6 made 500 creates cost 500 fetches."""
    async with DingTalkEmulator() as emulator:
        emulator.reply_token_next(body=b'{"accessToken": "tinylifetimetoken", "expireIn": 1e-6}')
        provider = provider_for(emulator, session)
        tokens = [await provider.get_token() for _ in range(50)]
        await provider.close()
    assert set(tokens) == {"tinylifetimetoken"}
    assert emulator.token_fetches == 1


async def test_refresh_runs_once_in_the_background_while_callers_keep_the_valid_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    async with provider_for(emulator, session, clock=clock) as provider:
        old = await provider.get_token()
        emulator.revoke_tokens()  # so the refreshed token differs from the old one
        clock.advance(LIFETIME - MARGIN + 1)
        during = await asyncio.gather(*(provider.get_token() for _ in range(50)))
        assert set(during) == {old}
        await eventually(lambda: emulator.token_fetches == 2)
        new = emulator.issue_token()
        assert new != old
        for _ in range(100):
            if await provider.get_token() == new:
                break
            await asyncio.sleep(0.01)
        assert await provider.get_token() == new
        clock.advance(LIFETIME - MARGIN - 1)
        assert await provider.get_token() == new
        assert emulator.token_fetches == 2


async def test_margin_is_at_most_half_the_lifetime(session: aiohttp.ClientSession) -> None:
    clock = FakeClock()
    async with DingTalkEmulator(token_lifetime=100) as emulator:
        provider = provider_for(emulator, session, clock=clock)
        await provider.get_token()
        clock.advance(49)
        await provider.get_token()
        assert pending_provider_tasks() == []
        clock.advance(2)
        await provider.get_token()
        assert len(pending_provider_tasks()) == 1
        await eventually(lambda: not pending_provider_tasks())
        await provider.close()
    assert emulator.token_fetches == 2


async def test_failed_background_refresh_keeps_the_token_and_warns_without_looping(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="dingtalk_im_async")
    async with provider_for(emulator, session, clock=clock) as provider:
        token = await provider.get_token()
        emulator.reply_token_next(status=502, body=b"<html>bad gateway</html>")
        clock.advance(LIFETIME - MARGIN + 1)
        assert await provider.get_token() == token
        await eventually(lambda: "background refresh" in caplog.text)
        for _ in range(20):
            assert await provider.get_token() == token
            await asyncio.sleep(0)
        assert emulator.token_fetches == 2
        clock.advance(31)  # past the pause after a failure
        assert await provider.get_token() == token
        await eventually(lambda: emulator.token_fetches == 3)
        await eventually(lambda: not pending_provider_tasks())
        clock.advance(MARGIN)  # past the first token's expiry: the refresh renewed it
        assert await provider.get_token() == token
        assert emulator.token_fetches == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert emulator.app_key in warnings[0]
    assert token not in caplog.text
    assert emulator.app_secret not in caplog.text


async def test_an_expired_token_is_not_served_when_the_refresh_fails(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    async with provider_for(emulator, session, clock=clock) as provider:
        await provider.get_token()
        emulator.reply_token_next(status=502, body=b"<html>bad gateway</html>")
        clock.advance(LIFETIME + 1)
        with pytest.raises(ResponseError):
            await provider.get_token()
        await provider.get_token()
    assert emulator.token_fetches == 3


@pytest.mark.parametrize(
    "body",
    [
        token_reply(accessToken="abc"),
        token_reply(accessToken="abc", expireIn=0),
        token_reply(accessToken="abc", expireIn=-5),
        token_reply(accessToken="abc", expireIn="7200"),
        token_reply(accessToken="abc", expireIn="soon"),
        token_reply(accessToken="abc", expireIn=True),
        token_reply(accessToken="abc", expireIn=None),
        token_reply(accessToken="abc", expireIn=[7200]),
        token_reply(accessToken="abc", expireIn=10**12),
        b'{"accessToken": "abc", "expireIn": NaN}',
        b'{"accessToken": "abc", "expireIn": Infinity}',
        token_reply(expireIn=7200),
        token_reply(accessToken="", expireIn=7200),
        token_reply(accessToken="a b\n", expireIn=7200),
        b"[]",
    ],
    ids=lambda body: body.decode(),
)
async def test_a_bad_token_reply_is_a_response_error_not_a_fetch_loop(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, body: bytes
) -> None:
    emulator.reply_token_next(2, body=body)
    async with provider_for(emulator, session) as provider:
        outcomes = await asyncio.gather(
            *(provider.get_token() for _ in range(20)), return_exceptions=True
        )
        assert all(isinstance(o, ResponseError) for o in outcomes)
        assert emulator.token_fetches == 1
        with pytest.raises(ResponseError):
            await provider.get_token()
        assert emulator.token_fetches == 2
        await asyncio.sleep(0.05)
        assert emulator.token_fetches == 2
        assert await provider.get_token() == emulator.issue_token()
    assert emulator.token_fetches == 3


async def test_a_bad_expire_in_never_reaches_a_create_call(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.reply_token_next(body=token_reply(accessToken="abc", expireIn=0))
    service = GroupService(session, provider_for(emulator, session), base_url=emulator.base_url)
    with pytest.raises(ResponseError, match="expireIn"):
        await service.create(REQUEST)
    assert emulator.calls("im.group.create") == 0


async def test_system_error_from_the_token_endpoint_is_retried(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    emulator.reply_token_next(
        status=500, body=b'{"code":"system.error","message":"retry","requestid":"r"}'
    )
    async with provider_for(emulator, session) as provider:
        assert await provider.get_token() == emulator.issue_token()
    assert emulator.token_fetches == 2


async def test_wrong_secret_is_invalid_credentials_naming_the_app_key_not_the_secret(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wrong-secret-3f9a1c"
    async with provider_for(emulator, session, app_secret=secret) as provider:
        outcomes = await asyncio.gather(
            *(provider.get_token() for _ in range(10)), return_exceptions=True
        )
        texts = [repr(provider), caplog.text]
    assert emulator.token_fetches == 1
    assert all(isinstance(o, InvalidCredentialsError) for o in outcomes)
    error = outcomes[0]
    assert isinstance(error, InvalidCredentialsError)
    assert error.code == "invalidClientIdOrSecret"
    assert error.status == 400
    assert emulator.app_key in str(error)
    texts += [str(error), repr(error), error.message]
    assert not [text for text in texts if secret in text]


async def test_a_caller_giving_up_does_not_cancel_the_fetch_others_wait_for(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    async with provider_for(emulator, session) as provider:
        impatient = asyncio.create_task(provider.get_token())
        patient = asyncio.create_task(provider.get_token())
        await asyncio.sleep(0)
        impatient.cancel()
        assert await patient == emulator.issue_token()
        assert impatient.cancelled()
    assert emulator.token_fetches == 1


async def test_close_cancels_a_running_refresh_and_refuses_later_calls(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, clock: FakeClock
) -> None:
    provider = provider_for(emulator, session, clock=clock)
    await provider.get_token()
    clock.advance(LIFETIME - MARGIN + 1)
    await provider.get_token()
    assert len(pending_provider_tasks()) == 1
    await provider.close()
    assert pending_provider_tasks() == []
    with pytest.raises(ClientClosedError, match="closed"):
        await provider.get_token()


async def test_a_token_shared_in_memory_is_adopted_without_a_fetch(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    cache = MemoryTokenCache()
    first = provider_for(emulator, session, cache=cache)
    second = provider_for(emulator, session, cache=cache)
    assert await first.get_token() == await second.get_token()
    assert emulator.token_fetches == 1


async def test_reprs_hide_the_secret_and_the_token(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    cache = MemoryTokenCache()
    async with provider_for(emulator, session, cache=cache) as provider:
        token = await provider.get_token()
        entry = await cache.load(emulator.app_key)
    assert entry is not None
    texts = [repr(provider), repr(cache), repr(entry), str(provider)]
    assert not [t for t in texts if token in t or emulator.app_secret in t]
    assert emulator.app_key in repr(provider)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"app_key": ""}, ValueError),
        ({"app_key": 5}, ValueError),
        ({"app_secret": ""}, ValueError),
        ({"refresh_margin": -1}, ValueError),
        ({"refresh_margin": float("nan")}, ValueError),
        ({"refresh_margin": True}, ValueError),
        ({"peer_wait": -0.1}, ValueError),
        ({"timeout": 0}, ValueError),
        ({"base_url": "ftp://example.com"}, ValueError),
        ({"base_url": "http://example.com"}, ValueError),
        ({"cache": object()}, TypeError),
    ],
)
async def test_bad_arguments_fail_before_any_io(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    options: dict[str, object],
    error: type[Exception],
) -> None:
    arguments: dict[str, object] = {
        "app_key": emulator.app_key,
        "app_secret": emulator.app_secret,
        "base_url": emulator.base_url,
        **options,
    }
    with pytest.raises(error):
        AppTokenProvider(session, **arguments)  # type: ignore[arg-type]
    assert emulator.token_fetches == 0


async def test_session_must_be_an_aiohttp_session(emulator: DingTalkEmulator) -> None:
    with pytest.raises(TypeError):
        AppTokenProvider(
            "session",  # type: ignore[arg-type]
            app_key=emulator.app_key,
            app_secret=emulator.app_secret,
            base_url=emulator.base_url,
        )


def test_cached_token_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        CachedToken(value="t", expires_at=float("inf"), lifetime=7200)
    with pytest.raises(ValueError):
        CachedToken(value="", expires_at=1.0, lifetime=7200)
    with pytest.raises(TypeError):
        CachedToken(value="t", expires_at="1", lifetime=7200)  # type: ignore[arg-type]


class PeerStoresRightAfterOurFirstLook(MemoryTokenCache):
    """A cache where a peer stores a token just after this process's first look finds none."""

    def __init__(self, peer_token: str) -> None:
        super().__init__()
        self.peer_token = peer_token
        self.looks = 0

    async def load(self, app_key: str) -> CachedToken | None:
        self.looks += 1
        found = await super().load(app_key)
        if self.looks == 1:
            await self.store(
                app_key,
                CachedToken(value=self.peer_token, expires_at=time.time() + 7000, lifetime=7200),
            )
        return found


async def test_after_taking_the_lock_the_cache_is_read_again(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    cache = PeerStoresRightAfterOurFirstLook(emulator.issue_token())
    async with provider_for(emulator, session, cache=cache) as provider:
        assert await provider.get_token() == cache.peer_token
    assert cache.looks == 2
    assert emulator.token_fetches == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"accessToken": "validtokenvalue0001", "expireIn": 7200,}',  # a trailing comma
        b'{"accessToken": "validtokenvalue0001", "expireIn": 7200}\xff',  # a non-UTF-8 byte
    ],
)
async def test_an_unparseable_token_reply_never_shows_the_token(
    session: aiohttp.ClientSession, body: bytes
) -> None:
    """Issue 14.1: the excerpt of a broken 2xx token reply carried the valid token."""
    async with DingTalkEmulator() as emulator:
        emulator.reply_token_next(body=body)
        provider = provider_for(emulator, session)
        with pytest.raises(ResponseError) as broken:
            await provider.get_token()
        await provider.close()
    shown = " ".join([str(broken.value), repr(broken.value), broken.value.excerpt])
    assert "validtokenvalue0001" not in shown
    assert "expected JSON" in str(broken.value)

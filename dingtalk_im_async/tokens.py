"""Where access tokens come from: a protocol and the providers that implement it."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable

import aiohttp
from attrs import define, field

from ._core.failures import closed_before_sending
from ._core.hosts import resolve_base_url
from ._core.http import call_timeout
from ._core.json_codec import codec
from ._core.redaction import forget, register
from ._core.token_endpoint import TOKEN_PATH, IssuedToken, request_token
from .auth import StaticTokenProvider, TokenProvider
from .errors import DingTalkError
from .settings import ClientSettings, resolve_settings
from .token_cache import CachedToken, MemoryTokenCache, TokenCache, TokenCacheError

__all__ = ["AppTokenProvider", "StaticTokenProvider", "TokenProvider"]  # the last two from auth

logger = logging.getLogger("dingtalk_im_async.tokens")

#: How often a process waiting for a peer's fetch looks at the shared cache, in seconds.
PEER_POLL_INTERVAL = 0.05
#: Bounds on the pause after a failed background refresh, so failures never loop tightly.
REFRESH_RETRY_MIN = 1.0
REFRESH_RETRY_MAX = 30.0


@define(frozen=True, kw_only=True)
class _Held:
    """The token this provider hands out, timed on its monotonic clock."""

    value: str = field(repr=False)
    expires_at: float
    refresh_at: float


class AppTokenProvider:
    """Fetches the enterprise internal app's token with its key and secret, and caches it.

    - Any number of concurrent callers on a cold or expired cache cause one fetch.
    - Within `refresh_margin` seconds of expiry (never more than half the
      lifetime) one background refresh runs while callers keep the valid
      token; if it fails they still get that token, and a warning is logged.
    - `invalidate(token)` drops the token only if it is still the current one.
    - `cache` shares tokens: `MemoryTokenCache` (default, this process) or
      `RedisTokenCache` (a fleet fetches once per expiry). While another
      process holds the fetch lock this one polls the cache for up to
      `peer_wait` seconds, then fetches itself. If the cache is unreachable
      the provider fetches on its own and logs a warning.

    `settings` (a `ClientSettings`, or any of its fields by name) gives the
    base URL, timeout, retry policy, `refresh_margin` and `peer_wait`. The
    provider's own copy is timed on `clock` (monotonic, immune to
    wall-clock steps); the shared cache is on `wall_clock`. Both are
    injectable for tests. Close it (`await provider.close()` or
    `async with`) to cancel a refresh still running.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        app_key: str,
        app_secret: str,
        settings: ClientSettings | None = None,
        cache: TokenCache | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        **by_name: object,
    ) -> None:
        if not isinstance(session, aiohttp.ClientSession):
            raise TypeError("session must be an aiohttp.ClientSession")
        if not isinstance(app_key, str) or not app_key.strip():
            raise ValueError("app_key must be a non-empty string")
        if not isinstance(app_secret, str) or not app_secret:
            raise ValueError("app_secret must be a non-empty string")
        if cache is not None and not isinstance(cache, TokenCache):
            raise TypeError("cache must implement the TokenCache protocol")
        chosen, _ = resolve_settings(ClientSettings, settings, by_name, pacer=None)
        self.app_key = app_key
        self._app_secret = app_secret
        self._url = resolve_base_url(chosen.base_url, allow_http=chosen.allow_http) + TOKEN_PATH
        self._timeout = call_timeout(chosen.timeout, chosen.connect_timeout)
        self._retry = chosen.retry
        self._codec = codec(chosen.json_codec)
        self._start(
            session,
            key=app_key,
            subject=f"app {app_key}",
            cache=cache if cache is not None else MemoryTokenCache(clock=wall_clock),
            refresh_margin=float(chosen.refresh_margin),
            peer_wait=float(chosen.peer_wait),
            clock=clock,
            wall_clock=wall_clock,
        )
        # Scrubbed from every error text while this provider lives (`_core/redaction.py`).
        register(app_secret)
        self._forget_secret: Callable[[], object] = weakref.finalize(self, forget, app_secret)

    def _start(
        self,
        session: aiohttp.ClientSession,
        *,
        key: str,
        subject: str,
        cache: TokenCache,
        refresh_margin: float,
        peer_wait: float,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
    ) -> None:
        """The state of the caching engine, shared with providers that fetch elsewhere
        (`tenants.CorpTokenProvider`): `key` names the token in the cache, `subject` in logs."""
        self._session = session
        self._key = key
        self._subject = subject
        self._cache = cache
        self._refresh_margin = refresh_margin
        self._peer_wait = peer_wait
        self._clock = clock
        self._wall_clock = wall_clock
        self._held: _Held | None = None
        self._refused: str | None = None
        self._flight: asyncio.Task[_Held] | None = None
        self._closed = False
        self._registered: list[str | None] = [None]  # the token registered, if any
        weakref.finalize(self, _forget_held, self._registered)
        self._forget_secret = _nothing

    def __repr__(self) -> str:
        return f"AppTokenProvider(app_key={self.app_key!r}, cache={self._cache!r})"

    async def __aenter__(self) -> AppTokenProvider:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Cancel a fetch or refresh still running; the provider cannot be used afterwards.

        Callers waiting for that fetch, and later calls, get `ClientClosedError`.
        """
        self._closed = True
        self._forget_secret()
        self._keep(None)
        flight, self._flight = self._flight, None
        if flight is not None and not flight.done():
            flight.cancel()
            await asyncio.gather(flight, return_exceptions=True)

    async def get_token(self) -> str:
        if self._closed:
            raise closed_before_sending("this AppTokenProvider is closed")
        held = self._held
        now = self._clock()
        if held is not None and now < held.expires_at:
            if now >= held.refresh_at and self._flight is None:
                self._start_flight(proactive=True)
            return held.value
        flight = self._flight if self._flight is not None else self._start_flight(proactive=False)
        # Waited on, not awaited: a caller giving up must not cancel the fetch the others share.
        await asyncio.wait((flight,))
        if flight.cancelled():
            raise closed_before_sending(
                "the AppTokenProvider was closed while fetching the access token"
            )
        return flight.result().value

    async def invalidate(self, token: str) -> None:
        held = self._held
        if held is None or held.value != token:
            return
        self._keep(None)
        self._refused = token
        try:
            await self._cache.discard(self._key, token)
        except TokenCacheError as error:
            self._warn_cache_down(error)

    # -- one fetch at a time ------------------------------------------------------

    def _start_flight(self, *, proactive: bool) -> asyncio.Task[_Held]:
        flight = asyncio.get_running_loop().create_task(self._renew(proactive=proactive))
        flight.add_done_callback(self._flight_done)
        self._flight = flight
        return flight

    def _flight_done(self, flight: asyncio.Task[_Held]) -> None:
        if self._flight is flight:
            self._flight = None
        if not flight.cancelled():
            flight.exception()  # retrieved here, so a refresh nobody awaited never warns

    async def _renew(self, *, proactive: bool) -> _Held:
        try:
            held = await self._obtain(proactive=proactive)
        except Exception as error:
            if proactive:
                self._postpone_refresh(error)
            raise
        self._keep(held)
        return held

    def _postpone_refresh(self, error: Exception) -> None:
        """After a failed background refresh, keep the valid token and try again later."""
        held = self._held
        now = self._clock()
        if held is None or now >= held.expires_at:
            return
        remaining = held.expires_at - now
        pause = max(REFRESH_RETRY_MIN, min(REFRESH_RETRY_MAX, remaining / 2))
        self._held = _Held(value=held.value, expires_at=held.expires_at, refresh_at=now + pause)
        logger.warning(
            "background refresh of the access token for %s failed (%s); "
            "the current token stays in use for up to %.0fs more, next try in %.0fs",
            self._subject,
            _describe(error),
            remaining,
            pause,
        )

    def _keep(self, held: _Held | None) -> None:
        """Hand out `held` from now on; its token is scrubbed from error texts, and the
        one it replaces no longer is (the registry stays as small as the live tokens)."""
        self._held = held
        holder = self._registered
        value = None if held is None else held.value
        if holder[0] != value:
            if value is not None:
                register(value)
            if holder[0] is not None:
                forget(holder[0])
            holder[0] = value

    # -- shared cache, then the endpoint ----------------------------------------

    async def _obtain(self, *, proactive: bool) -> _Held:
        try:
            return await self._obtain_shared(proactive=proactive)
        except TokenCacheError as error:
            self._warn_cache_down(error)
            return self._hold(await self._fetch())

    async def _obtain_shared(self, *, proactive: bool) -> _Held:
        """A token from the shared cache, else fetched here with the fleet's lock held.

        While a peer holds the lock, poll the cache (and the lock, in case
        the peer failed) for up to `peer_wait` seconds, then fetch anyway.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._peer_wait
        while True:
            cached = await self._usable_cached(proactive=proactive)
            if cached is not None:
                return cached
            async with self._cache.lock(self._key) as fetcher:
                if fetcher:
                    # A peer may have stored one between our look and our lock.
                    cached = await self._usable_cached(proactive=proactive)
                    return cached if cached is not None else await self._fetch_and_share()
            if loop.time() >= deadline:
                logger.warning(
                    "another process held the token lock for %s over %.1fs; fetching here",
                    self._subject,
                    self._peer_wait,
                )
                return await self._fetch_and_share()
            await asyncio.sleep(PEER_POLL_INTERVAL)

    async def _usable_cached(self, *, proactive: bool) -> _Held | None:
        """The shared token if it serves: not expired, not refused, and, for a
        proactive refresh, renewed past its refresh point by a peer."""
        cached = await self._cache.load(self._key)
        if cached is None or cached.value == self._refused:
            return None
        remaining = cached.expires_at - self._wall_clock()
        if remaining <= 0:
            return None
        held = self._held_for(cached.value, lifetime=cached.lifetime, remaining=remaining)
        if proactive and held.refresh_at <= self._clock():
            return None
        return held

    async def _fetch_and_share(self) -> _Held:
        token = await self._fetch()
        shared = CachedToken(
            value=token.issued.value,
            expires_at=token.started_wall + token.issued.lifetime,
            lifetime=token.issued.lifetime,
        )
        try:
            await self._cache.store(self._key, shared)
        except TokenCacheError as error:
            self._warn_cache_down(error)
        return self._hold(token)

    async def _fetch(self) -> _Token:
        started, started_wall = self._clock(), self._wall_clock()
        issued = await self._request()
        logger.debug("fetched the access token for %s, valid %ss", self._subject, issued.lifetime)
        return _Token(issued=issued, started=started, started_wall=started_wall)

    async def _request(self) -> IssuedToken:
        """One request to the token endpoint (what a provider of another kind replaces)."""
        return await request_token(
            self._session,
            self._url,
            app_key=self.app_key,
            app_secret=self._app_secret,
            timeout=self._timeout,
            retry=self._retry,
            codec=self._codec,
        )

    def _hold(self, token: _Token) -> _Held:
        """Time a new token from before its request went out, so it errs early, never late."""
        lifetime = token.issued.lifetime
        elapsed = self._clock() - token.started
        return self._held_for(token.issued.value, lifetime=lifetime, remaining=lifetime - elapsed)

    def _held_for(self, value: str, *, lifetime: float, remaining: float) -> _Held:
        expires_at = self._clock() + remaining
        margin = min(self._refresh_margin, lifetime / 2)
        return _Held(value=value, expires_at=expires_at, refresh_at=expires_at - margin)

    def _warn_cache_down(self, error: TokenCacheError) -> None:
        logger.warning("token cache unavailable (%s); %s goes on without it", error, self._subject)


@define(frozen=True, kw_only=True)
class _Token:
    """A token just issued, with the times (monotonic and wall-clock) its request started."""

    issued: IssuedToken
    started: float
    started_wall: float


def _nothing() -> None:
    """What closing forgets of a provider that registered no secret of its own."""


def _forget_held(holder: list[str | None]) -> None:
    """Forget the token a dead provider still held (`weakref.finalize`)."""
    if holder[0] is not None:
        forget(holder[0])
        holder[0] = None


def _describe(error: BaseException) -> str:
    """An error for a log line: our errors never carry a token or secret in their text."""
    return str(error) if isinstance(error, DingTalkError) else type(error).__name__

"""Each customer organisation's access token, for a third-party (ISV) app's suite.

`SuiteTokens` is the suite's token source: `for_corp(corp_id)` hands out one
`CorpTokenProvider` per organisation, with the internal app provider's
guarantees (one fetch however many callers, a background refresh before
expiry, compare-and-invalidate, one replay in the transport), the token
fetched with the suite key, secret and newest ticket. Tokens are cached
under `<suite_key>:<corp_id>`, so one organisation's call can never take
another's token, and with a `RedisTokenCache` a fleet fetches each
organisation's token once per expiry (DingTalk answers every fetch with a
new token, so a fleet that fetched on its own would churn them).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from .._core import redaction
from .._core.hosts import resolve_base_url
from .._core.http import JSON_HEADERS, call_timeout, exchange
from .._core.json_codec import Codec, codec
from .._core.retry import RetryPolicy
from .._core.shutdown import backoff_unless_closed
from .._core.token_endpoint import IssuedToken, parse_token_reply
from ..errors import (
    InvalidSuiteKeyError,
    InvalidSuiteTicketError,
    NoSuiteTicketError,
    OrganisationRelievedError,
)
from ..settings import ClientSettings, resolve_settings
from ..token_cache import MemoryTokenCache, TokenCache, TokenCacheError
from ..tokens import AppTokenProvider
from .api import CORP_TOKEN_PATH, TENANT_CODES, UNIFIED_TOKEN_PATH
from .tickets import SuiteTicket, SuiteTicketStore, TicketStoreError, check_id

__all__ = ["DEFAULT_MAX_ORGANISATIONS", "CorpTokenProvider", "SuiteTokens"]

logger = logging.getLogger("dingtalk_im_async.tenants")

#: How many organisations' providers a `SuiteTokens` keeps in memory; the least recently
#: used beyond it are dropped (their tokens stay in the shared cache).
DEFAULT_MAX_ORGANISATIONS = 10_000
#: How long a fetch that met `invalidSuiteTicket` (or no ticket at all) waits for a newer
#: ticket to reach the store, in seconds.
DEFAULT_TICKET_WAIT = 5.0
#: How often that wait looks at the store, in seconds.
TICKET_POLL_INTERVAL = 0.05


class CorpTokenProvider(AppTokenProvider):
    """One organisation's token for a suite: made by `SuiteTokens.for_corp`, never directly.

    The same engine as `AppTokenProvider` (single flight, proactive refresh,
    compare-and-invalidate, the fleet lock), fetching from the corp token
    endpoint. Once the organisation removed the app, `get_token()` raises
    `OrganisationRelievedError` before any I/O.
    """

    def __init__(self, suite: SuiteTokens, corp_id: str) -> None:
        # AppTokenProvider.__init__ is for an app key and secret; only its engine is shared.
        self.corp_id = corp_id
        self.app_key = suite.suite_key
        self._suite = suite
        self._start(
            suite.session,
            key=f"{suite.suite_key}:{corp_id}",
            subject=f"suite {suite.suite_key} organisation {corp_id}",
            cache=suite.cache,
            refresh_margin=suite.refresh_margin,
            peer_wait=suite.peer_wait,
            clock=suite.clock,
            wall_clock=suite.wall_clock,
        )

    def __repr__(self) -> str:
        return f"CorpTokenProvider(suite_key={self.app_key!r}, corp_id={self.corp_id!r})"

    async def get_token(self) -> str:
        if self.corp_id in self._suite.relieved:
            raise OrganisationRelievedError(self.corp_id)
        return await super().get_token()

    async def _request(self) -> IssuedToken:
        return await self._suite.fetch(self.corp_id)

    async def _drop(self) -> None:
        """Forget the token here and in the shared cache (the organisation removed the app)."""
        self._keep(None)
        try:
            cached = await self._cache.load(self._key)
            if cached is not None:
                await self._cache.discard(self._key, cached.value)
        except TokenCacheError as error:
            self._warn_cache_down(error)


class SuiteTokens:
    """A suite's token source: one `CorpTokenProvider` per organisation (`for_corp`).

    - `tickets`: the suite's `SuiteTicketStore` (a `RedisSuiteTicketStore` for
      a fleet), fed by `SuiteEvents` from Stream or by `tickets.put(...)`.
    - `cache`: where tokens are shared, under `<suite_key>:<corp_id>`
      (`RedisTokenCache` for a fleet; by default a `MemoryTokenCache`).
    - `max_organisations`: providers kept in memory, least recently used
      dropped beyond it.
    - `ticket_wait`: how long a fetch refused with `invalidSuiteTicket`, or
      finding no ticket, waits for a newer one to reach the store.
    - `unified`: fetch from the unified endpoint `POST /v1.0/oauth2/{corpId}/token`
      (`client_credentials`, no ticket) instead of `corpAccessToken`; everything
      else stays the same.

    The suite secret, tickets and tokens never appear in a repr, a log line
    or an error.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        suite_key: str,
        suite_secret: str,
        tickets: SuiteTicketStore,
        settings: ClientSettings | None = None,
        cache: TokenCache | None = None,
        max_organisations: int = DEFAULT_MAX_ORGANISATIONS,
        ticket_wait: float = DEFAULT_TICKET_WAIT,
        unified: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        **by_name: object,
    ) -> None:
        if not isinstance(session, aiohttp.ClientSession):
            raise TypeError("session must be an aiohttp.ClientSession")
        check_id("suite_key", suite_key)
        if not isinstance(suite_secret, str) or not suite_secret:
            raise ValueError("suite_secret must be a non-empty string")
        if not isinstance(tickets, SuiteTicketStore):
            raise TypeError("tickets must implement the SuiteTicketStore protocol")
        if tickets.suite_key != suite_key:
            raise ValueError("tickets is the store of another suite")
        if cache is not None and not isinstance(cache, TokenCache):
            raise TypeError("cache must implement the TokenCache protocol")
        if isinstance(max_organisations, bool) or not isinstance(max_organisations, int):
            raise TypeError("max_organisations must be an int")
        if max_organisations < 1:
            raise ValueError("max_organisations must be at least 1")
        if not isinstance(ticket_wait, (int, float)) or not 0 <= ticket_wait < 3600:
            raise ValueError("ticket_wait must be a number of seconds in [0, 3600)")
        chosen, _ = resolve_settings(ClientSettings, settings, by_name, pacer=None)
        redaction.register(suite_secret)
        self.session = session
        self.suite_key = suite_key
        self._suite_secret = suite_secret
        self.tickets = tickets
        self.cache: TokenCache = (
            cache
            if cache is not None
            else MemoryTokenCache(clock=wall_clock, max_entries=max_organisations)
        )
        self.refresh_margin = float(chosen.refresh_margin)
        self.peer_wait = float(chosen.peer_wait)
        self.clock = clock
        self.wall_clock = wall_clock
        self.max_organisations = max_organisations
        self.ticket_wait = float(ticket_wait)
        #: Organisations this process knows removed the app: refused before any I/O.
        self.relieved: set[str] = set()
        self.unified = bool(unified)
        self._base_url = resolve_base_url(chosen.base_url, allow_http=chosen.allow_http)
        self._url = URL(self._base_url + CORP_TOKEN_PATH)
        self._timeout = call_timeout(chosen.timeout, chosen.connect_timeout)
        self._retry: RetryPolicy = chosen.retry
        self._codec: Codec = codec(chosen.json_codec)
        self._providers: OrderedDict[str, CorpTokenProvider] = OrderedDict()
        self._ticket_in_use: str | None = None
        self._last_ticket: SuiteTicket | None = None
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"SuiteTokens(suite_key={self.suite_key!r}, organisations={len(self._providers)}, "
            f"cache={self.cache!r})"
        )

    def for_corp(self, corp_id: str) -> CorpTokenProvider:
        """The token provider of organisation `corp_id` (the same one while it is kept)."""
        provider = self._providers.get(corp_id)
        if provider is not None:
            self._providers.move_to_end(corp_id)
            return provider
        check_id("corp_id", corp_id)
        provider = CorpTokenProvider(self, corp_id)
        if self._closed:
            provider._closed = True
        self._providers[corp_id] = provider
        if len(self._providers) > self.max_organisations:
            self._providers.popitem(last=False)
        return provider

    async def authorise(self, corp_id: str) -> None:
        """`corp_id` installed (or changed) the app: record it, and accept its calls again."""
        check_id("corp_id", corp_id)
        await self.tickets.authorise(corp_id)
        self.relieved.discard(corp_id)

    async def relieve(self, corp_id: str) -> None:
        """`corp_id` removed the app: record it fleet-wide, drop its tokens here and in the
        shared cache, and refuse its calls before any I/O."""
        check_id("corp_id", corp_id)
        self.relieved.add(corp_id)
        await self.tickets.relieve(corp_id)
        await self.for_corp(corp_id)._drop()
        logger.info(
            "organisation %s removed suite %s; its tokens were dropped", corp_id, self.suite_key
        )

    async def close(self) -> None:
        """Cancel every fetch or refresh still running; later calls get `ClientClosedError`."""
        if self._closed:
            return
        self._closed = True
        providers = list(self._providers.values())
        await asyncio.gather(*(provider.close() for provider in providers))
        redaction.forget(self._suite_secret)
        self._use_ticket(None)

    async def __aenter__(self) -> SuiteTokens:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # -- one fetch ----------------------------------------------------------------

    async def fetch(self, corp_id: str) -> IssuedToken:
        """Ask the corp token endpoint for `corp_id`'s token with the newest ticket.

        Refused with `invalidSuiteTicket` (a newer ticket was pushed, and not yet
        stored here), it waits for a newer ticket in the store and asks again with it,
        for up to `ticket_wait` seconds in all. A relieved organisation is refused before any I/O.
        While the store cannot be read (its Redis is down or slow), the last ticket read
        here is used, with a warning: tickets change every few hours, tokens are needed
        now.
        """
        if await self._relieved_in_store(corp_id):
            self.relieved.add(corp_id)
            raise OrganisationRelievedError(corp_id)
        if self.unified:
            return await self._request_unified(corp_id)
        ticket = await self._current_ticket()
        if ticket is None:
            ticket = await self._newer_ticket(None)
            if ticket is None:
                raise NoSuiteTicketError(
                    f"suite {self.suite_key} has no suite ticket yet: feed its ticket store "
                    "from the Stream suite_ticket event (or by hand); the call was not sent"
                )
        deadline = asyncio.get_running_loop().time() + self.ticket_wait
        while True:
            try:
                return await self._request(corp_id, ticket)
            except InvalidSuiteTicketError:
                # Replaced again while this one was on its way: ask with each newer ticket
                # the store gets, until `ticket_wait` is over.
                newer = await self._newer_ticket(ticket, deadline)
                if newer is None:
                    raise
                logger.info("suite %s: the ticket was replaced; asking again", self.suite_key)
                ticket = newer

    async def _newer_ticket(
        self, than: SuiteTicket | None, deadline: float | None = None
    ) -> SuiteTicket | None:
        """The store's ticket once it is another than `than`, waiting until `deadline`
        (loop time; None: `ticket_wait` from now)."""
        loop = asyncio.get_running_loop()
        if deadline is None:
            deadline = loop.time() + self.ticket_wait
        while True:
            ticket = await self._current_ticket()
            if ticket is not None and (than is None or ticket.value != than.value):
                return ticket
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(TICKET_POLL_INTERVAL)

    async def _current_ticket(self) -> SuiteTicket | None:
        """The store's ticket; the last one read when the store cannot be read."""
        try:
            ticket = await self.tickets.current()
        except TicketStoreError as error:
            if self._last_ticket is None:
                raise
            logger.warning(
                "suite %s: the ticket store is unavailable (%s); using the last ticket read",
                self.suite_key,
                error,
            )
            return self._last_ticket
        if ticket is not None:
            self._last_ticket = ticket
        return ticket

    async def _relieved_in_store(self, corp_id: str) -> bool:
        """Whether the store says `corp_id` removed the app; when it cannot be read, what
        this process knows (its events), with a warning."""
        try:
            return await self.tickets.is_relieved(corp_id)
        except TicketStoreError as error:
            logger.warning(
                "suite %s: the ticket store is unavailable (%s); organisation %s is taken "
                "as installed unless this process heard otherwise",
                self.suite_key,
                error,
                corp_id,
            )
            return corp_id in self.relieved

    def _use_ticket(self, value: str | None) -> None:
        """Scrub the ticket in use from error texts, and no longer the one it replaced."""
        if value != self._ticket_in_use:
            if value is not None:
                redaction.register(value)
            if self._ticket_in_use is not None:
                redaction.forget(self._ticket_in_use)
            self._ticket_in_use = value

    async def _request(self, corp_id: str, ticket: SuiteTicket) -> IssuedToken:
        self._use_ticket(ticket.value)
        body = {
            "suiteKey": self.suite_key,
            "suiteSecret": self._suite_secret,
            "authCorpId": corp_id,
            "suiteTicket": ticket.value,
        }
        status, reply = await self._exchange(self._url, body)
        return parse_token_reply(status, reply)

    async def _request_unified(self, corp_id: str) -> IssuedToken:
        """The unified endpoint's token: snake_case `access_token`, `expires_in`."""
        body = {
            "client_id": self.suite_key,
            "client_secret": self._suite_secret,
            "grant_type": "client_credentials",
        }
        url = URL(
            self._base_url + UNIFIED_TOKEN_PATH.replace("{corpId}", quote(corp_id, safe="")),
            encoded=True,
        )
        status, reply = await self._exchange(url, body)
        if isinstance(reply, dict):
            reply = {"accessToken": reply.get("access_token"), "expireIn": reply.get("expires_in")}
        return parse_token_reply(status, reply)

    async def _exchange(self, url: URL, body: dict[str, str]) -> tuple[int, Any]:
        """One token request (retried on HTTP 500 `system.error`); a refused key or secret
        names the suite key, never the secret."""
        try:
            reply: tuple[int, Any] = await self._retry.call(
                backoff_unless_closed(self.session),
                exchange,
                self.session,
                "POST",
                url,
                data=self._codec.encode(body),
                headers=JSON_HEADERS,
                timeout=self._timeout,
                secret_reply=True,
                codes=TENANT_CODES,
                decode=self._codec.decode,
            )
        except InvalidSuiteKeyError as error:
            raise InvalidSuiteKeyError(
                status=error.status,
                code=error.code,
                message=f"suite key {self.suite_key!r} or its suite secret was refused: "
                f"{error.message}",
                request_id=error.request_id,
            ) from None
        return reply

"""`DingTalkClient`: the one-object way in, owning its aiohttp session, tokens and services."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from typing import TypeVar

import aiohttp

from ._retry import RetryPolicy
from ._service import build_transport
from .bulk import DEFAULT_PACING, BulkRun, RateLimitedRetry
from .groups import GroupService
from .pacing import DEFAULT_RATE, Pacer
from .robot import RobotService
from .token_cache import TokenCache
from .tokens import AppTokenProvider

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")

__all__ = ["DingTalkClient"]


class DingTalkClient:
    """An app's client that owns its `aiohttp.ClientSession`; use it as an async context manager.

        async with DingTalkClient(app_key="...", app_secret="...") as client:
            result = await client.groups.create(request)

    It holds one session (keep-alive, TLS verified against the system's CAs or
    `ssl_context`; there is no switch to turn verification off), one
    `AppTokenProvider` (`tokens`), one transport paced per API by `rate_limit`
    (20 calls per second by default; a `Pacer` such as a `RedisPacer` shared
    by a fleet; None for none), and the services on it: `groups`, and `robot`
    for the app's robot `robot_code` (default: the app key, which is what
    DingTalk calls an internal app's own robot). Create it
    inside a running event loop and keep it for the life of the application.
    `close()` (or leaving the `async with`) fails calls still in flight, and
    any later call, with `ClientClosedError`. Callers who need their own
    session, proxies or token source build `GroupService` directly.
    """

    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        base_url: str | None = None,
        oapi_base_url: str | None = None,
        cache: TokenCache | None = None,
        rate_limit: float | Pacer | None = DEFAULT_RATE,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        ssl_context: ssl.SSLContext | None = None,
        connection_limit: int = 100,
        allow_http: bool = False,
        robot_code: str | None = None,
    ) -> None:
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise TypeError("ssl_context must be an ssl.SSLContext (verification cannot be off)")
        if isinstance(connection_limit, bool) or not isinstance(connection_limit, int):
            raise TypeError("connection_limit must be an integer")
        if connection_limit < 1:
            raise ValueError("connection_limit must be at least 1")
        connector = aiohttp.TCPConnector(
            ssl=ssl_context if ssl_context is not None else True, limit=connection_limit
        )
        self._session = aiohttp.ClientSession(connector=connector)
        try:
            self.tokens = AppTokenProvider(
                self._session,
                app_key=app_key,
                app_secret=app_secret,
                base_url=base_url,
                cache=cache,
                timeout=timeout,
                retry=retry,
                allow_http=allow_http,
            )
            self._transport = build_transport(
                self._session,
                self.tokens,
                base_url=base_url,
                oapi_base_url=oapi_base_url,
                timeout=timeout,
                retry=retry,
                rate_limit=rate_limit,
                allow_http=allow_http,
            )
            self.groups = GroupService.over(self._transport)
            self.robot = RobotService.over(
                self._transport, robot_code=app_key if robot_code is None else robot_code
            )
        except BaseException:
            self._session.detach()  # it never connected: nothing to close, nothing to warn about
            raise
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return (
            f"DingTalkClient(base_url={self.groups.base_url!r}, "
            f"app_key={self.tokens.app_key!r}, {state})"
        )

    @property
    def closed(self) -> bool:
        """True once `close()` has run."""
        return self._closed

    def many(
        self,
        operation: Callable[[RequestT], Awaitable[ResultT]],
        requests: Iterable[RequestT] | AsyncIterable[RequestT],
        *,
        concurrency: int = 10,
        rate_limit: float | Pacer | object | None = DEFAULT_PACING,
        rate_limited_retries: int = 3,
        rate_limited_backoff: float = 1.0,
    ) -> BulkRun[RequestT, ResultT]:
        """Run `operation` (e.g. `client.groups.update`) on every request: a `BulkRun` of
        one `BulkOutcome` per input, at most `concurrency` in flight, paced as the client
        is unless `rate_limit` says otherwise. Unknown outcomes are put back only for
        operations safe to repeat."""
        return BulkRun(
            operation,
            requests,
            concurrency=concurrency,
            rate_limit=rate_limit,
            rate_limited=RateLimitedRetry(
                retries=rate_limited_retries, backoff=rate_limited_backoff
            ),
        )

    async def __aenter__(self) -> DingTalkClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop the token provider and close the session; idempotent.

        Calls waiting for a token or a connection, or with a request on the
        wire, fail with `ClientClosedError` (whose `may_have_reached_server`
        says whether a create may have happened), as does every later call.
        """
        if self._closed:
            return
        self._closed = True
        await self.tokens.close()
        await self._session.close()

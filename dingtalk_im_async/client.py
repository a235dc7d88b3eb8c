"""`DingTalkClient`: the one-object way in, owning its aiohttp session, tokens and services."""

from __future__ import annotations

import ssl

import aiohttp

from ._transport import RetryPolicy
from .groups import GroupService
from .token_cache import TokenCache
from .tokens import AppTokenProvider

__all__ = ["DingTalkClient"]


class DingTalkClient:
    """An app's client that owns its `aiohttp.ClientSession`; use it as an async context manager.

        async with DingTalkClient(app_key="...", app_secret="...") as client:
            result = await client.groups.create(request)

    It holds one session (keep-alive, TLS verified against the system's CAs or
    `ssl_context`; there is no switch to turn verification off), one
    `AppTokenProvider` (`tokens`) and one `GroupService` (`groups`). Create it
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
        cache: TokenCache | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        ssl_context: ssl.SSLContext | None = None,
        connection_limit: int = 100,
        allow_http: bool = False,
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
            self.groups = GroupService(
                self._session,
                self.tokens,
                base_url=base_url,
                timeout=timeout,
                retry=retry,
                allow_http=allow_http,
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

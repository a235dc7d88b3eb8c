"""Where access tokens come from: a protocol and the providers that implement it."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol, runtime_checkable

import aiohttp

from ._transport import JSON_HEADERS, encode_body, exchange, resolve_base_url
from .errors import ResponseError

__all__ = ["AppTokenProvider", "StaticTokenProvider", "TokenProvider"]

logger = logging.getLogger("dingtalk_im_async.tokens")

TOKEN_PATH = "/v1.0/oauth2/accessToken"


@runtime_checkable
class TokenProvider(Protocol):
    """Supplies the enterprise access token sent as `x-acs-dingtalk-access-token`."""

    async def get_token(self) -> str:
        """Return a token believed valid, fetching one if needed."""
        ...

    async def invalidate(self, token: str) -> None:
        """Forget `token` if it is still the current one (it was refused by DingTalk)."""
        ...


class StaticTokenProvider:
    """A token the caller manages; when it is refused the call fails with `InvalidTokenError`."""

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        if not isinstance(token, str) or not token:
            raise ValueError("token must be a non-empty string")
        self._token = token

    async def get_token(self) -> str:
        return self._token

    async def invalidate(self, token: str) -> None:
        """Nothing to do: a static token cannot be renewed."""

    def __repr__(self) -> str:
        return "StaticTokenProvider(token=<hidden>)"


class AppTokenProvider:
    """Fetches the enterprise internal app's token with app key and secret, and caches it."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        app_key: str,
        app_secret: str,
        base_url: str | None = None,
        refresh_margin: float = 600.0,
    ) -> None:
        self._session = session
        self.app_key = app_key
        self._app_secret = app_secret
        self._url = resolve_base_url(base_url) + TOKEN_PATH
        self._refresh_margin = refresh_margin
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"AppTokenProvider(app_key={self.app_key!r})"

    async def get_token(self) -> str:
        if self._token is not None and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token is not None and time.monotonic() < self._expires_at:
                return self._token
            token, lifetime = await self._fetch()
            margin = min(self._refresh_margin, lifetime / 2)
            self._token = token
            self._expires_at = time.monotonic() + lifetime - margin
            return token

    async def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token = None

    async def _fetch(self) -> tuple[str, float]:
        status, data = await exchange(
            self._session,
            self._url,
            encode_body({"appKey": self.app_key, "appSecret": self._app_secret}),
            JSON_HEADERS,
            aiohttp.ClientTimeout(total=10),
        )
        if not isinstance(data, dict):
            raise ResponseError("token reply is not a JSON object", status=status)
        token = data.get("accessToken")
        expire_in = data.get("expireIn")
        if not isinstance(token, str) or not token:
            raise ResponseError("token reply has no accessToken", status=status)
        if isinstance(expire_in, bool) or not isinstance(expire_in, (int, float)) or expire_in <= 0:
            raise ResponseError("token reply has no positive expireIn", status=status)
        logger.debug("fetched an access token for app %s, valid %ss", self.app_key, expire_in)
        return token, float(expire_in)

"""The app's access token as DingTalk keeps it: one per app, renewed when asked for again."""

from __future__ import annotations

import secrets
import time

from . import _ids

__all__ = ["TokenStore"]


class TokenStore:
    """Issues, checks and revokes the one app's token."""

    __slots__ = ("_expires_at", "_token")

    def __init__(self) -> None:
        self._token: str | None = None
        self._expires_at = 0.0

    def __repr__(self) -> str:
        return f"TokenStore(valid={self._token is not None})"

    def issue(self, lifetime: float) -> str:
        """The current token renewed for `lifetime` seconds, or a new one if none is valid."""
        now = time.monotonic()
        if self._token is None or self._expires_at <= now:
            self._token = _ids.access_token()
        self._expires_at = now + lifetime
        return self._token

    def is_valid(self, token: str) -> bool:
        current = self._token
        return (
            current is not None
            and secrets.compare_digest(current.encode(), token.encode())
            and self._expires_at > time.monotonic()
        )

    def revoke(self) -> None:
        """Make the token issued so far invalid."""
        self._token = None

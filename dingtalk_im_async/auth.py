"""Where the access token comes from, as the transport sees it: a protocol and its simplest
implementation. Nearly a leaf: it imports nothing of the layers that use it, only the
redaction registry, itself a leaf."""

from __future__ import annotations

import weakref
from typing import Protocol, runtime_checkable

from ._core.redaction import forget, register

__all__ = ["StaticTokenProvider", "TokenProvider"]


@runtime_checkable
class TokenProvider(Protocol):
    """Supplies the enterprise access token sent with every API call."""

    async def get_token(self) -> str:
        """Return a token believed valid, fetching one if needed."""
        ...

    async def invalidate(self, token: str) -> None:
        """Forget `token` if it is still the current one (it was refused by DingTalk)."""
        ...


class StaticTokenProvider:
    """A token the caller manages; when it is refused the call fails with `InvalidTokenError`."""

    __slots__ = ("__weakref__", "_token")

    def __init__(self, token: str) -> None:
        if not isinstance(token, str) or not token:
            raise ValueError("token must be a non-empty string")
        self._token = token
        # Scrubbed from every error text while this provider lives (`_core/redaction.py`).
        register(token)
        weakref.finalize(self, forget, token)

    async def get_token(self) -> str:
        return self._token

    async def invalidate(self, token: str) -> None:
        """Nothing to do: a static token cannot be renewed."""

    def __repr__(self) -> str:
        return "StaticTokenProvider(token=<hidden>)"

"""What every admin route and every remote control is made of, core and families alike.

A family adds admin routes by listing `AdminRoute`s in a module's `ADMIN_ROUTES`
(found like its `ROUTES`): each handler gets an `AdminCall`, carries the control
out on the in-process emulator, and returns what the route answers as JSON.
`NotFoundError` becomes a 404, ValueError and TypeError a 400, both as
`{"error", "message"}`. `AdminClient` is the other end: `RemoteEmulator`'s HTTP
plumbing, which its family mixins call.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast
from urllib.parse import quote

from aiohttp import web
from attrs import define, field, validators

__all__ = [
    "ADMIN_PREFIX",
    "AdminCall",
    "AdminClient",
    "AdminRoute",
    "NotFoundError",
    "segment",
]

#: Where the admin API lives on the emulator.
ADMIN_PREFIX = "/_emulator"

_C = TypeVar("_C")


class NotFoundError(ValueError):
    """The group, message or API a control names does not exist (the admin API's 404)."""


@define(frozen=True, kw_only=True)
class AdminCall:
    """One call to an admin route: the emulator it steers and what was sent."""

    emulator: object = field(repr=False)
    request: web.Request = field(repr=False)
    params: Mapping[str, str]

    def controls(self, kind: Callable[..., _C]) -> _C:
        """The emulator as the family's controls (`LocalGroupControls`, ...)."""
        if not isinstance(self.emulator, cast("type", kind)):
            raise TypeError(f"this emulator has no {getattr(kind, '__name__', kind)}")
        return cast("_C", self.emulator)

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query

    async def body(self) -> dict[str, Any]:
        """The JSON object sent (empty when nothing was); anything else is a 400."""
        raw = await self.request.read()
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise ValueError("the body is not JSON") from None
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return body

    def query_int(self, name: str, default: int | None) -> int | None:
        """A non-negative integer query parameter, or `default` when absent."""
        raw = self.request.query.get(name)
        if raw is None:
            return default
        if not raw.isdigit():
            raise ValueError(f"{name} must be a non-negative integer, got {raw!r}")
        return int(raw)


AdminHandler = Callable[[AdminCall], Awaitable[Any]]


@define(frozen=True, kw_only=True)
class AdminRoute:
    """An admin route: `path` is under `/_emulator` (e.g. `/groups/{group_id}`)."""

    method: str = field(validator=validators.in_(("GET", "POST", "PUT", "PATCH", "DELETE")))
    path: str = field(validator=validators.matches_re(r"^/\S*$"))
    handler: AdminHandler = field(repr=False)


def serve(emulator: object, route: AdminRoute) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The aiohttp handler of `route` on `emulator`: JSON out, bad input as 400 or 404."""

    async def handle(request: web.Request) -> web.Response:
        call = AdminCall(emulator=emulator, request=request, params=dict(request.match_info))
        try:
            payload = await route.handler(call)
        except NotFoundError as error:
            return web.json_response({"error": "not-found", "message": str(error)}, status=404)
        except (ValueError, TypeError) as error:
            return web.json_response({"error": "bad-request", "message": str(error)}, status=400)
        return web.json_response(payload)

    return handle


def segment(value: str) -> str:
    """An id as one path segment: ids are base64 and may hold "/" and "+"."""
    return quote(value, safe="")


class AdminClient(abc.ABC):
    """The remote end's plumbing, which the remote controls of every family call."""

    @abc.abstractmethod
    async def _admin(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        """Call the admin route `method path` (under `/_emulator`); a 404 raises
        `NotFoundError`, a 400 ValueError, each with the route's message."""

"""Keep web pages out of the admin API and the dashboard: Host, Origin and Content-Type checks.

A page on another site, open in the developer's browser, can send "simple"
cross-origin requests (a form POST, a `fetch(..., {mode: "no-cors"})`) to the
emulator on 127.0.0.1; and through DNS rebinding (its own name resolving to
127.0.0.1) it can even read the answers. So, for the admin API (`/_emulator/...`)
and the dashboard page (`/`):

- the `Host` header must name the emulator: its bound address and port, the
  loopback names when it is bound to loopback, any IP address when bound to every
  interface (an address is no rebinding), or an `allowed_hosts` entry;
- a state change (POST, PUT, PATCH, DELETE) sent by a browser from another origin
  (an `Origin` header other than the request's own scheme and host) is refused;
  tools send no `Origin` (`RemoteEmulator`, curl, the official SDKs) and pass;
- a state change with a body must be JSON (`Content-Type: application/json`), which
  a page can only send cross-origin after a CORS preflight the emulator never grants
  (defence in depth, for a browser that sends no `Origin`).

DingTalk's own routes are not checked: they behave as DingTalk's do, and need
the app secret or a token a page cannot read.
"""

from __future__ import annotations

import ipaddress
from typing import Protocol
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ._admin_kit import ADMIN_PREFIX
from .settings import EmulatorSettings

__all__ = ["ANY_HOST", "GuardedEmulator", "host_allowed", "request_guard"]

#: An `allowed_hosts` entry that lets every `Host` in (the Origin check stays).
ANY_HOST = "*"
_STATE_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})


class GuardedEmulator(Protocol):
    """What the guard reads of the emulator, at each request (settings are live)."""

    host: str

    @property
    def port(self) -> int: ...

    @property
    def settings(self) -> EmulatorSettings: ...


def _split(netloc: str, default_port: int) -> tuple[str, int] | None:
    """`host[:port]` (IPv6 in brackets) to a lower-case host and a port; None if malformed."""
    try:
        parts = urlsplit("//" + netloc)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.password is not None:
        return None
    return parts.hostname.lower().rstrip("."), default_port if port is None else port


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    return host == "localhost" or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)


def host_allowed(netloc: str, emulator: GuardedEmulator, *, default_port: int = 80) -> bool:
    """Whether `netloc` (a `Host` header, or an Origin's host) names this emulator."""
    split = _split(netloc, default_port)
    if split is None:
        return False
    host, port = split
    allowed = emulator.settings.allowed_hosts
    named = f"[{host}]" if ":" in host else host  # an IPv6 address is written in brackets
    if ANY_HOST in allowed or named in allowed or f"{named}:{port}" in allowed:
        return True
    if port != emulator.port:
        return False
    bound = emulator.host.strip("[]").lower()
    if host == bound:
        return True
    if bound in _WILDCARDS:
        return _is_ip(host) or host == "localhost"
    return _is_loopback(bound) and host in _LOOPBACK_NAMES


def _guarded(path: str) -> bool:
    return path == "/" or path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def _refusal(status: int, message: str) -> web.Response:
    return web.json_response({"error": "forbidden", "message": message}, status=status)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _refused(request: web.Request, emulator: GuardedEmulator) -> web.Response | None:
    """Why this request may not reach the admin API or the dashboard, or None."""
    default_port = 443 if request.secure else 80
    host = request.headers.get("Host", "")
    if not host_allowed(host, emulator, default_port=default_port):
        return _refusal(
            403,
            f"Host {host!r} does not name this emulator; pass it with --allowed-host "
            "(the allowed_hosts setting) to serve it under that name",
        )
    if request.method not in _STATE_CHANGES:
        return None
    origin = request.headers.get("Origin")
    if origin is not None and not _same_origin(origin, request, host):
        return _refusal(403, f"state changes from another origin ({origin!r}) are refused")
    # A body must be JSON; an empty one may come with any type (aiohttp's is octet-stream).
    if request.body_exists and not _is_json(request.headers.get("Content-Type", "")):
        return _refusal(415, "state changes must be sent as application/json")
    return None


def _same_origin(origin: str, request: web.Request, host: str) -> bool:
    """An `Origin` equal to the request's own scheme and host (the dashboard's own calls)."""
    parts = urlsplit(origin)
    scheme = "https" if request.secure else "http"
    if parts.scheme != scheme:
        return False
    default_port = 443 if request.secure else 80
    return _split(parts.netloc, default_port) == _split(host, default_port)


def request_guard(emulator: GuardedEmulator) -> Middleware:
    """The aiohttp middleware applying the checks above to the admin API and the dashboard."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _guarded(request.path):
            refusal = _refused(request, emulator)
            if refusal is not None:
                return refusal
        return await handler(request)

    return guard

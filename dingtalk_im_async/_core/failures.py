"""What a failure during one call means for its request, as one of our errors: the one place
that decides whether the request reached the wire.

An aiohttp failure of the exchange reached it unless the connection was
never made (`reached_wire`); a failure before the send (the token, the
pacing slot, a closed session) did not (`not_sent`). The verdict then
follows from that fact (`errors.verdict_of`). Three more rules: an aiohttp
error that carries the request's headers (`ClientResponseError.request_info`,
token included) is never kept as a cause, a failure caused by closing the
session says so, and a redirect is an error, never followed.
"""

from __future__ import annotations

from typing import TypeVar

import aiohttp
from aiohttp.http_exceptions import ContentEncodingError
from yarl import URL

from ..errors import ClientClosedError, DingTalkError, ResponseError, TransportError, reply_text

__all__ = [
    "closed_before_sending",
    "failure_for",
    "malformed_reply",
    "no_reply_in_time",
    "not_sent",
    "reached_wire",
    "redirect_refused",
]

E = TypeVar("E", bound=DingTalkError)


def not_sent(error: E) -> E:
    """Record that `error` ended a call before its request was written (while getting a
    token or a pacing slot): whatever it says of its own request, the call's was not sent."""
    error.reached_wire = False
    return error


def closed_before_sending(reason: str) -> ClientClosedError:
    """The session (or token provider) was closed before this call's request was written."""
    return ClientClosedError(reason, reached_wire=False)


def reached_wire(error: aiohttp.ClientError) -> bool:
    """Whether a request whose exchange failed with aiohttp's `error` may have reached the
    server: only a connection never made (refused, unreachable, TLS refused, timed out
    while connecting) is sure not to have."""
    return not isinstance(error, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError))


def failure_for(
    error: aiohttp.ClientError,
    session: aiohttp.ClientSession,
    *,
    status: int,
    timeout: aiohttp.ClientTimeout,
    host: str,
) -> DingTalkError:
    """The error a failed exchange raises, given aiohttp's (not a `ClientResponseError`).

    `status` is the reply's HTTP status if one arrived, else 0; `host` is the host
    (and port, when given) that was tried: named so a wrong or unset host shows,
    while the URL is not (a legacy one holds the token), nor anything else of aiohttp's.
    """
    reached = reached_wire(error)
    name = type(error).__name__
    if session.closed:
        return ClientClosedError(
            f"the session was closed during the call ({name})", reached_wire=reached
        )
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return TransportError(
            f"TLS certificate verification failed for {host}", reached_wire=reached
        )
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        bound = timeout.sock_connect or timeout.connect
        within = f" within {bound:g}s" if bound else " in time"
        return TransportError(
            f"could not connect to {host}{within}: the request was not sent", reached_wire=False
        )
    if not reached:
        return TransportError(f"could not connect to {host}: {name}", reached_wire=reached)
    if isinstance(error, aiohttp.ServerTimeoutError):
        return no_reply_in_time(timeout.total)
    if isinstance(error, aiohttp.ClientPayloadError) and isinstance(
        error.__cause__, ContentEncodingError
    ):
        reason = reply_text(error.__cause__.message)
        return ResponseError(f"reply body cannot be decoded: {reason}", status=status)
    return TransportError(f"connection to {host} failed: {name}", reached_wire=reached)


def host_of(url: URL) -> str:
    """The host a URL names, with its port when one is written: what an error may say of it."""
    host = url.host or "?"
    return f"{host}:{url.explicit_port}" if url.explicit_port is not None else host


def no_reply_in_time(timeout: float | None) -> TransportError:
    """The call's timeout ran out after the request was sent."""
    return TransportError(f"no reply within {timeout}s", reached_wire=True)


def malformed_reply(error: aiohttp.ClientResponseError, status: int) -> ResponseError:
    """aiohttp could not parse the reply's HTTP framing; keeps only its message, not the
    error itself, whose `request_info` repeats the request headers and so the token."""
    return ResponseError(f"malformed HTTP reply: {reply_text(error.message)}", status=status)


def redirect_refused(response: aiohttp.ClientResponse) -> ResponseError:
    """A 3xx reply: never followed, so the token goes only to the base URL."""
    location = URL(response.headers.get("Location", ""))
    target = (
        reply_text(f"{location.scheme}://{location.host}")
        if location.host
        else "a relative location"
    )
    return ResponseError(
        f"redirect to {target} refused: the access token is only sent to the base URL",
        status=response.status,
    )

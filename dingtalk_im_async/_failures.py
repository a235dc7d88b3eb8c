"""What an aiohttp failure during one exchange means for the call, as one of our errors.

Kept apart from the exchange itself so the success path stays short. Three
rules matter beyond naming: an aiohttp error that carries the request's
headers (`ClientResponseError.request_info`, token included) is never kept
as a cause, a failure caused by closing the session says so, and a redirect
is an error, never followed.
"""

from __future__ import annotations

import aiohttp
from aiohttp.http_exceptions import ContentEncodingError
from yarl import URL

from .errors import ClientClosedError, DingTalkError, ResponseError, TransportError

__all__ = ["failure_for", "malformed_reply", "no_reply_in_time", "redirect_refused"]


def failure_for(
    error: aiohttp.ClientError,
    session: aiohttp.ClientSession,
    *,
    status: int,
    timeout: float | None,
) -> DingTalkError:
    """The error a failed exchange raises, given aiohttp's (not a `ClientResponseError`).

    `status` is the reply's HTTP status if one arrived, else 0.
    """
    if session.closed:
        reached = not isinstance(error, aiohttp.ClientConnectorError)
        return ClientClosedError(
            f"the session was closed during the call ({type(error).__name__})",
            may_have_reached_server=reached,
        )
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return TransportError("TLS certificate verification failed", may_have_reached_server=False)
    if isinstance(error, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)):
        return TransportError(
            f"could not connect: {type(error).__name__}", may_have_reached_server=False
        )
    if isinstance(error, aiohttp.ServerTimeoutError):
        return no_reply_in_time(timeout)
    if isinstance(error, aiohttp.ClientPayloadError) and isinstance(
        error.__cause__, ContentEncodingError
    ):
        return ResponseError(
            f"reply body cannot be decoded: {error.__cause__.message}", status=status
        )
    return TransportError(
        f"connection failed: {type(error).__name__}", may_have_reached_server=True
    )


def no_reply_in_time(timeout: float | None) -> TransportError:
    """The call's timeout ran out after the request was sent."""
    return TransportError(f"no reply within {timeout}s", may_have_reached_server=True)


def malformed_reply(error: aiohttp.ClientResponseError, status: int) -> ResponseError:
    """aiohttp could not parse the reply's HTTP framing; keeps only its message, not the
    error itself, whose `request_info` repeats the request headers and so the token."""
    return ResponseError(f"malformed HTTP reply: {error.message}", status=status)


def redirect_refused(response: aiohttp.ClientResponse) -> ResponseError:
    """A 3xx reply: never followed, so the token goes only to the base URL."""
    location = URL(response.headers.get("Location", ""))
    target = f"{location.scheme}://{location.host}" if location.host else "a relative location"
    return ResponseError(
        f"redirect to {target} refused: the access token is only sent to the base URL",
        status=response.status,
    )

"""One HTTP exchange with DingTalk: send, read (capped), and turn the reply into JSON or an error.

Redirects are refused, never followed, so the token goes only to the host it
was meant for. Error replies become typed errors here: the v1.0 API's
`{"code", "message", "requestid"}` bodies (also when DingTalk hides one
behind HTTP 200), and the legacy host's HTTP 200 `errcode` envelope.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from aiohttp.typedefs import LooseHeaders
from yarl import URL

from ..errors import COMMON_CODES, DingTalkError, ErrorCodes, ResponseError
from . import json_codec
from .failures import (
    closed_before_sending,
    failure_for,
    host_of,
    malformed_reply,
    no_reply_in_time,
    redirect_refused,
)
from .redaction import scrubbed
from .shutdown import closed_while_waiting

__all__ = [
    "CONNECT_SHARE",
    "JSON_HEADERS",
    "MAX_REPLY_BYTES",
    "TOKEN_HEADER",
    "call_timeout",
    "exchange",
]

TOKEN_HEADER = "x-acs-dingtalk-access-token"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
#: Replies larger than this (as decoded) are refused: no documented reply comes near it.
MAX_REPLY_BYTES = 1 << 20
_CONTENT_ENCODING = "Content-Encoding"
#: How much of a body an excerpt is made from (it is scrubbed, then cut to 200 characters).
_EXCERPT_BYTES = 8192
#: The largest part of a call's `timeout` its connect may take: what is left over guarantees
#: that a stalled connect runs out its own bound (not sent) before the call's (unknown).
CONNECT_SHARE = 0.5
#: Stands in for the excerpt of a reply that may carry a secret (the token endpoint's).
REDACTED = "<not shown: this reply may carry the access token>"


def call_timeout(total: float, connect: float) -> aiohttp.ClientTimeout:
    """aiohttp's limits for one call: `total` for the whole exchange, and each TCP (and TLS)
    connect bounded on its own by `connect`, at most `CONNECT_SHARE` of `total`.

    A connect that runs out its bound is aiohttp's `ConnectionTimeoutError`: the
    request was never written, so its verdict is not sent (`failures.reached_wire`).
    Bounded by the total alone, a stalled connect (a server whose accept queue is
    full drops the SYN) would look like a reply that never came: unknown.
    """
    return aiohttp.ClientTimeout(total=total, sock_connect=min(connect, total * CONNECT_SHARE))


async def exchange(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    *,
    data: bytes | None,
    headers: LooseHeaders,
    timeout: aiohttp.ClientTimeout,
    legacy: bool = False,
    secret_reply: bool = False,
    codes: ErrorCodes = COMMON_CODES,
    decode: Callable[[bytes], Any] = json_codec.decode,
    empty_reply: bool = False,
) -> tuple[int, Any]:
    """Send one request and return (status, decoded JSON) of a successful reply.

    Error bodies raise their `ApiError`; anything undocumented raises
    `ResponseError`; network failures raise `TransportError`, and a closed
    session `ClientClosedError`. `legacy` reads the oapi `errcode` envelope.
    `secret_reply` keeps excerpts of the reply out of errors; whatever else of
    the reply or of aiohttp's error an error keeps is scrubbed of secrets
    (`redaction.py`), on either host. `codes` names the exception each error
    code raises (the endpoint's table); `decode` is the client's JSON codec.
    `empty_reply`: a 2xx
    reply without a body is a success, read as `{}` (`Endpoint.empty_reply`).
    """
    if session.closed:
        raise closed_before_sending("the session is closed")
    status = 0
    try:
        # Awaited rather than `async with`: the same response without the context manager's
        # three coroutines per call; `release()` below is what its `__aexit__` does.
        response = await session.request(
            method,
            url,
            data=data,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            raise_for_status=False,
        )
        try:
            status = response.status
            if 300 <= status < 400:
                raise redirect_refused(response)
            content = response.content
            if content.is_eof() and not session.trace_configs:
                # The usual case: the whole reply came with its headers and is buffered.
                # Taken as it is, without the five coroutines of `response.read()`
                # (whose only other work is telling trace configs about the chunk).
                raw = content.read_nowait()
                if len(raw) > MAX_REPLY_BYTES:
                    raise _too_large(status)
            else:
                raw = await _read_capped(response)
            # Only error replies need it, as a fallback for a body without `requestid`.
            header_request_id = (
                None if 200 <= status < 300 else response.headers.get("x-acs-request-id")
            )
        finally:
            response.release()
    except aiohttp.ClientResponseError as error:
        failure: DingTalkError = malformed_reply(error, status)
        # Not kept: its `request_info` repeats the request headers, token included.
        cause: BaseException | None = None
    except aiohttp.ClientError as error:
        failure = failure_for(error, session, status=status, timeout=timeout, host=host_of(url))
        cause = scrubbed(error)  # a legacy URL it names holds the token
    except asyncio.TimeoutError as error:
        failure, cause = no_reply_in_time(timeout.total), scrubbed(error)
    except asyncio.CancelledError:
        closed = closed_while_waiting(session)
        if closed is None:
            raise
        raise closed from None
    else:
        if empty_reply and 200 <= status < 300 and not raw.strip():
            return status, {}
        try:
            body = decode(raw)
        except (ValueError, RecursionError):
            pass  # raised below, without the decoder's error: it holds the whole body
        else:
            if legacy:
                return status, _legacy_reply(status, body, codes)
            return status, _reply(
                status, body, header_request_id, raw, codes, secret_reply=secret_reply
            )
        raise _not_json(status, raw, secret_reply=secret_reply)
    # Raised here, out of the `except` blocks, so aiohttp's error is not the `__context__`.
    raise failure from cause


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """The body, refused past `MAX_REPLY_BYTES` as decoded, so a compression bomb is cut too."""
    length = response.content_length
    if (
        length is not None
        and length <= MAX_REPLY_BYTES
        and _CONTENT_ENCODING not in response.headers
    ):
        return await response.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise _too_large(response.status)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(status: int) -> ResponseError:
    return ResponseError(f"reply larger than {MAX_REPLY_BYTES} bytes", status=status)


def _excerpt(raw: bytes, *, secret_reply: bool) -> str:
    """The start of a body, long enough that `reply_text` scrubs a secret the cut to
    `EXCERPT_CHARS` would otherwise halve."""
    return REDACTED if secret_reply else raw[:_EXCERPT_BYTES].decode("utf-8", "replace")


def _not_json(status: int, raw: bytes, *, secret_reply: bool) -> ResponseError:
    kind = "an empty body" if not raw.strip() else "a body that is not JSON"
    return ResponseError(
        f"expected JSON, got {kind}",
        status=status,
        excerpt=_excerpt(raw, secret_reply=secret_reply),
    )


def _reply(
    status: int,
    body: Any,
    header_request_id: str | None,
    raw: bytes,
    codes: ErrorCodes,
    *,
    secret_reply: bool,
) -> Any:
    """A v1.0 reply: the body of a success, else its error (a `code` makes one, 2xx or not)."""
    code = body.get("code") if isinstance(body, dict) else None
    if isinstance(code, str) and code:
        message = body.get("message")
        request_id = body.get("requestid")
        raise codes.api_error(
            status=status,
            code=code,
            message=message if isinstance(message, str) else "",
            request_id=request_id if isinstance(request_id, str) else header_request_id,
            body=body,
        )
    if 200 <= status < 300:
        return body
    raise ResponseError(
        "error reply without a code",
        status=status,
        excerpt=_excerpt(raw, secret_reply=secret_reply),
    )


def _legacy_reply(status: int, body: Any, codes: ErrorCodes) -> Mapping[str, Any]:
    """A legacy oapi reply: HTTP 200 and `errcode` 0 is a success; any other errcode is its
    error; any other shape or status is undocumented."""
    if not isinstance(body, dict) or not (200 <= status < 300):
        raise ResponseError("unexpected legacy reply", status=status, excerpt=repr(body))
    errcode = body.get("errcode")
    if isinstance(errcode, bool) or not isinstance(errcode, int):
        raise ResponseError("legacy reply without an errcode", status=status, excerpt=repr(body))
    if errcode != 0:
        raise codes.legacy_error(status=status, body=body)
    return body

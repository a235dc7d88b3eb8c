"""One HTTP exchange with DingTalk, and the call around it: token, retry, replay.

Everything a service method would otherwise repeat lives here once: the token
header, the timeout, decoding replies into results or typed errors, the
tenacity retry on HTTP 500 `system.error`, and the single replay after
`InvalidAuthentication` with a fresh token.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import aiohttp
from aiohttp.typedefs import LooseHeaders, StrOrURL
from attrs import define, field, validators
from multidict import CIMultiDict, CIMultiDictProxy
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)
from yarl import URL

from . import _json
from ._failures import failure_for, malformed_reply, no_reply_in_time, redirect_refused
from ._shutdown import Sleep, backoff_unless_closed, closed_while_waiting
from .errors import (
    ApiError,
    ClientClosedError,
    InvalidTokenError,
    ResponseError,
    api_error_for,
)

if TYPE_CHECKING:
    from .tokens import TokenProvider

_P = ParamSpec("_P")
_T = TypeVar("_T")

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "JSON_HEADERS",
    "TOKEN_HEADER",
    "RetryPolicy",
    "Transport",
    "encode_body",
    "exchange",
    "resolve_base_url",
]

logger = logging.getLogger("dingtalk_im_async")

DEFAULT_BASE_URL = "https://api.dingtalk.io"
BASE_URL_ENV = "DINGTALK_BASE_URL"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
#: Replies larger than this (as decoded) are refused: no documented reply comes near it.
MAX_REPLY_BYTES = 1 << 20
_CONTENT_ENCODING = "Content-Encoding"

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
#: Compact UTF-8 JSON, as DingTalk's examples send it (orjson when installed).
encode_body = _json.encode


def resolve_base_url(base_url: str | None, *, allow_http: bool = False) -> str:
    """The base URL to use: the argument, else `$DINGTALK_BASE_URL`, else DingTalk's host.

    Plain `http://` is refused unless the host is loopback or `allow_http` is
    set, because the access token travels in a header.
    """
    raw = base_url if base_url is not None else os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL)
    url = URL(raw)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an http(s) URL with a host, got {raw!r}")
    if url.scheme == "http" and not allow_http and not _is_loopback(url.host):
        raise ValueError(
            f"refusing plain http to {url.host}: the access token would travel unencrypted "
            "(pass allow_http=True to override)"
        )
    return str(url).rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@define(frozen=True, kw_only=True)
class RetryPolicy:
    """How HTTP 500 `system.error` replies are retried: jittered exponential backoff.

    `attempts` counts the first try. Tests make waits instant with
    `RetryPolicy(initial_wait=0, max_wait=0)`.
    """

    attempts: int = field(default=3, validator=validators.ge(1))
    initial_wait: float = field(default=0.5, validator=validators.ge(0))
    max_wait: float = field(default=8.0, validator=validators.ge(0))

    def retrying(self, sleep: Sleep = asyncio.sleep) -> AsyncRetrying:
        """A fresh tenacity controller (they hold per-run state, so one per call)."""
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_random_exponential(multiplier=self.initial_wait, max=self.max_wait),
            retry=retry_if_exception(is_retryable),
            before_sleep=_log_retry,
            sleep=sleep,
            reraise=True,
        )

    async def call(
        self,
        sleep: Sleep,
        attempt: Callable[_P, Awaitable[_T]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T:
        """Await `attempt(*args, **kwargs)`, retrying it as this policy says; `sleep` waits
        between tries (`asyncio.sleep`, or one that ends early when the session closes).

        The first try runs outside tenacity, so the usual call, which succeeds
        at once, builds no retry controller. A retryable failure is handed to
        tenacity as its attempt 1: attempt count, waits and logging are all
        tenacity's, exactly as if it had run the first try itself.
        """
        try:
            return await attempt(*args, **kwargs)
        except ApiError as error:
            if not is_retryable(error):
                raise
            unreported = [error]

        async def attempt_again() -> _T:
            if unreported:  # tenacity's attempt 1: the failure that already happened
                raise unreported.pop()
            return await attempt(*args, **kwargs)

        return await self.retrying(sleep)(attempt_again)


def is_retryable(error: BaseException) -> bool:
    """Only what DingTalk documents as "retry": HTTP 500 with code `system.error`."""
    return isinstance(error, ApiError) and error.status == 500 and error.code == "system.error"


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.warning("retrying after %s (attempt %d)", error, state.attempt_number)


async def exchange(
    session: aiohttp.ClientSession,
    url: StrOrURL,
    data: bytes,
    headers: LooseHeaders,
    timeout: aiohttp.ClientTimeout,
) -> tuple[int, Any]:
    """POST `data` and return (status, decoded JSON) of a 2xx reply.

    Error bodies raise their `ApiError`; anything undocumented raises
    `ResponseError`; network failures raise `TransportError`, and a closed
    session `ClientClosedError`. Redirects are refused, never followed: the
    token must not travel to another host.
    """
    if session.closed:
        raise ClientClosedError("the session is closed", may_have_reached_server=False)
    status = 0
    try:
        async with session.post(
            url,
            data=data,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            raise_for_status=False,
        ) as response:
            status = response.status
            if 300 <= status < 400:
                raise redirect_refused(response)
            raw = await _read_capped(response)
            # Only error replies need it, as a fallback for a body without `requestid`.
            header_request_id = (
                None if 200 <= status < 300 else response.headers.get("x-acs-request-id")
            )
    except aiohttp.ClientResponseError as error:
        malformed = malformed_reply(error, status)  # raised below, without this error attached
    except aiohttp.ClientError as error:
        raise failure_for(error, session, status=status, timeout=timeout.total) from error
    except asyncio.TimeoutError as error:
        raise no_reply_in_time(timeout.total) from error
    except asyncio.CancelledError:
        closed = closed_while_waiting(session)
        if closed is None:
            raise
        raise closed from None
    else:
        return status, _decode(status, raw, header_request_id)
    raise malformed


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
            raise ResponseError(
                f"reply larger than {MAX_REPLY_BYTES} bytes", status=response.status
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(status: int, raw: bytes, header_request_id: str | None) -> Any:
    try:
        body = _json.decode(raw)
    except (ValueError, RecursionError):
        kind = "an empty body" if not raw.strip() else "a body that is not JSON"
        raise ResponseError(
            f"expected JSON, got {kind}",
            status=status,
            excerpt=raw[:200].decode("utf-8", "replace"),
        ) from None
    if 200 <= status < 300:
        return body
    if isinstance(body, dict) and isinstance(body.get("code"), str) and body["code"]:
        message = body.get("message")
        request_id = body.get("requestid")
        raise api_error_for(
            status=status,
            code=body["code"],
            message=message if isinstance(message, str) else "",
            request_id=request_id if isinstance(request_id, str) else header_request_id,
        )
    raise ResponseError(
        "error reply without a code",
        status=status,
        excerpt=raw[:200].decode("utf-8", "replace"),
    )


class Transport:
    """Sends one API call with the current token, retrying and replaying as documented.

    What does not change between calls is built once: each path's URL, and
    the request headers for the current token.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token_provider: TokenProvider,
        *,
        base_url: str,
        timeout: float,
        retry: RetryPolicy,
    ) -> None:
        self._session = session
        self._tokens = token_provider
        self._base_url = base_url
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry
        self._urls: dict[str, URL] = {}
        self._headers_token: str | None = None
        self._headers: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())
        self._backoff = backoff_unless_closed(session)

    async def call(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """POST `body` to `path`; returns (status, decoded JSON) of the success reply."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = URL(self._base_url + path)
        data = encode_body(body)
        token = await self._tokens.get_token()
        try:
            return await self._with_retries(url, data, token)
        except InvalidTokenError as error:
            if error.code != "InvalidAuthentication":
                raise
            await self._tokens.invalidate(token)
            fresh = await self._tokens.get_token()
            if fresh == token:
                raise
            logger.info("token refused (%s); replaying once with a fresh token", error.request_id)
            return await self._with_retries(url, data, fresh)

    def _with_retries(self, url: URL, data: bytes, token: str) -> Awaitable[tuple[int, Any]]:
        return self._retry.call(
            self._backoff,
            exchange,
            self._session,
            url,
            data,
            self._headers_for(token),
            self._timeout,
        )

    def _headers_for(self, token: str) -> CIMultiDictProxy[str]:
        """The request headers carrying `token`, rebuilt only when the token changes."""
        if token != self._headers_token:
            self._headers = CIMultiDictProxy(CIMultiDict({**JSON_HEADERS, TOKEN_HEADER: token}))
            self._headers_token = token
        return self._headers

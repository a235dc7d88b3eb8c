"""`Transport.call(endpoint, request)`: the authenticated, paced, retried call every service uses.

One path for every API: check the request's type, encode it through the one
converter, get a token, take the API's pacing slot right before each send,
send over the shared session, retry HTTP 500 `system.error`, replay once
after the token is refused, and decode the result, so a service method is
one line. What does not change between calls is built once per endpoint.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ..auth import TokenProvider
from ..budget import CallBudget
from ..errors import (
    DingTalkError,
    RateLimitError,
    RequestValidationError,
    ResponseError,
    Verdict,
    is_token_refusal,
    verdict_of,
)
from ..pacing import RUN_PACER, SERVICE_PACER, Pacer, PacerLayer, _ServicePacer
from .endpoint import QUERY_METHODS, Endpoint, Host
from .failures import not_sent
from .http import JSON_HEADERS, TOKEN_HEADER, call_timeout, exchange
from .json_codec import Codec
from .redaction import forget, register, scrubbed
from .retry import RetryPolicy, is_retryable
from .shutdown import backoff_unless_closed
from .tracing import CALL_FACTS, traced
from .wire import MISMATCHES, converter, mismatch, wire_names

__all__ = ["Transport"]

logger = logging.getLogger("dingtalk_im_async")

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")
_LEGACY_HEADERS = CIMultiDictProxy(CIMultiDict(JSON_HEADERS))


class Transport:
    """Sends API calls for one app: one session, one token provider, one pacer.

    `pacer` (None: no pacing) is asked for a slot of the endpoint's API right
    before every HTTP send, after the token is in hand, so neither a slow
    token fetch nor retries or replays can bunch calls together. `budget`
    (None: calls are not counted) then reserves the send's unit of the
    month's call budget; a send DingTalk does not bill (not sent, or refused
    for rate) gives it back.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token_provider: TokenProvider,
        *,
        base_url: str,
        oapi_base_url: str,
        timeout: float,
        connect_timeout: float,
        retry: RetryPolicy,
        pacer: Pacer | None,
        codec: Codec,
        budget: CallBudget | None = None,
    ) -> None:
        self.session = session
        self.tokens = token_provider
        self.base_url = base_url
        self.oapi_base_url = oapi_base_url
        self.pacer = pacer
        self.budget = budget
        self._timeout = call_timeout(timeout, connect_timeout)
        self._retry = retry
        self._prepared: dict[int, _Prepared] = {}  # by id(endpoint)
        self._headers_token: str | None = None
        self._headers: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())
        # The token last sent, registered for scrubbing whatever its provider (a custom
        # one too); forgotten when replaced or when this transport goes.
        self._sent_token: list[str | None] = [None]
        weakref.finalize(self, _forget_sent, self._sent_token)
        self._backoff = backoff_unless_closed(session)
        self._encode = codec.encode
        self._decode = codec.decode

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, pacer={self.pacer!r})"

    @traced  # a span per call with OpenTelemetry's API installed (_core/tracing.py)
    async def call(
        self,
        endpoint: Endpoint[RequestT, ResultT],
        request: RequestT,
        *,
        pacer: Pacer | PacerLayer | _ServicePacer | None = SERVICE_PACER,
    ) -> ResultT:
        """Send `request` to `endpoint` and return its result, or raise a typed error.

        `pacer` overrides the transport's pacer for this call; so does a bulk
        run's own (`pacing.RUN_PACER`).
        """
        if not isinstance(request, endpoint.request_type):
            raise RequestValidationError(
                "request",
                f"must be a {endpoint.request_type.__name__}, got {type(request).__name__}",
            )
        # By identity (endpoints are module constants): hashing a frozen attrs instance
        # hashes every field, a microsecond per call.
        prepared = self._prepared.get(id(endpoint))
        if prepared is None or prepared.endpoint is not endpoint:
            prepared = self._prepared[id(endpoint)] = _Prepared(self, endpoint)
        body = prepared.encode(request)
        url = prepared.url if prepared.url is not None else prepared.url_for(body)
        if prepared.in_query:
            data, query = None, body
        else:
            data, query = self._encode(body), None
        if pacer is SERVICE_PACER:
            pacer = RUN_PACER.get()
        if isinstance(pacer, _ServicePacer):
            paced = self.pacer
        elif isinstance(pacer, PacerLayer):
            paced = pacer.over(self.pacer)
        else:
            paced = pacer
        try:
            token = await self.tokens.get_token()
        except DingTalkError as error:
            raise not_sent(error) from error.__cause__
        try:
            # The first send is awaited here, not through the retry policy: the usual call
            # succeeds at once, and each coroutine level costs on every resumption.
            status, reply = await self._attempt(prepared, url, data, query, token, paced)
        except DingTalkError as error:
            status, reply = await self._after_failure(
                error, prepared, url, data, query, token, paced
            )
        result: ResultT = prepared.result(status, reply)
        facts = CALL_FACTS.get()
        if facts is not None:
            facts.status = status
        return result

    async def _after_failure(
        self,
        error: DingTalkError,
        prepared: _Prepared,
        url: URL,
        data: bytes | None,
        query: dict[str, Any] | None,
        token: str,
        pacer: Pacer | None,
    ) -> tuple[int, Any]:
        """What follows a failed first send: the retry policy's further tries (HTTP 500
        `system.error`), then, if DingTalk refused the token, one replay with a fresh one."""
        args = (prepared, url, data, query)
        facts = CALL_FACTS.get()
        attempt = self._attempt if facts is None else facts.counting(self._attempt)
        try:
            if not is_retryable(error):
                raise error
            return await self._retry.retry_after(error, self._backoff, attempt, *args, token, pacer)
        except DingTalkError as failure:
            if not is_token_refusal(failure):
                raise
            await self.tokens.invalidate(token)
            fresh = await self._token()
            if fresh == token:
                raise
            logger.info("token refused (%s); replaying once with a fresh token", failure)
            if facts is not None:
                facts.replayed = True
            return await self._retry.call(self._backoff, attempt, *args, fresh, pacer)

    async def _token(self) -> str:
        """The token for the next send; failing to get one means nothing was sent."""
        try:
            return await self.tokens.get_token()
        except DingTalkError as error:
            raise not_sent(error) from error.__cause__

    def _attempt(
        self,
        prepared: _Prepared,
        url: URL,
        data: bytes | None,
        query: dict[str, Any] | None,
        token: str,
        pacer: Pacer | None,
    ) -> Awaitable[tuple[int, Any]]:
        """One HTTP send: its pacing slot and budget unit first, when paced or counted, then
        the exchange.

        Not a coroutine itself: unpaced and uncounted, the exchange is awaited
        directly, so pacing and budgets that are off cost no await at all.
        """
        if pacer is not None or self.budget is not None:
            return self._paced_attempt(prepared, url, data, query, token, pacer)
        return self._exchange(prepared, url, data, query, token)

    def _exchange(
        self,
        prepared: _Prepared,
        url: URL,
        data: bytes | None,
        query: dict[str, Any] | None,
        token: str,
    ) -> Awaitable[tuple[int, Any]]:
        """The HTTP exchange itself."""
        if prepared.legacy:
            if token != self._sent_token[0]:
                _note_sent(self._sent_token, token)
            target = url.with_query({**(query or {}), "access_token": token})
            headers = _LEGACY_HEADERS
        else:
            target = url.with_query(query) if query else url
            headers = self._headers_for(token)
        return exchange(
            self.session,
            prepared.method,
            target,
            data=data,
            headers=headers,
            timeout=self._timeout,
            legacy=prepared.legacy,
            codes=prepared.codes,
            decode=self._decode,
            empty_reply=prepared.empty_reply,
        )

    async def _paced_attempt(
        self,
        prepared: _Prepared,
        url: URL,
        data: bytes | None,
        query: dict[str, Any] | None,
        token: str,
        pacer: Pacer | None,
    ) -> tuple[int, Any]:
        """`_exchange` once the pacer gives this send its slot of the endpoint's API and the
        budget its unit of the month (kept unless DingTalk does not bill the send)."""
        facts = CALL_FACTS.get()
        started = time.monotonic() if facts is not None else 0.0
        try:
            if pacer is not None:
                await pacer.wait(prepared.api)
            month = await self.budget.reserve() if self.budget is not None else None
        except DingTalkError as error:
            raise not_sent(error) from error.__cause__
        if facts is not None:
            facts.pacing_wait += time.monotonic() - started
        if month is None:
            return await self._exchange(prepared, url, data, query, token)
        try:
            return await self._exchange(prepared, url, data, query, token)
        except DingTalkError as error:
            if isinstance(error, RateLimitError) or verdict_of(error) is Verdict.NOT_SENT:
                await self._give_back(month)
            raise

    async def _give_back(self, month: str) -> None:
        """Return a unit DingTalk did not bill; failing to is logged, never raised over the
        call's own error (the budget then errs on the safe side: one unit too many)."""
        assert self.budget is not None
        try:
            await self.budget.give_back(month)
        except DingTalkError as error:
            logger.warning("could not give a budget unit back: %s", error)

    def _headers_for(self, token: str) -> CIMultiDictProxy[str]:
        """The request headers carrying `token`, rebuilt only when the token changes."""
        if token != self._headers_token:
            self._headers = CIMultiDictProxy(CIMultiDict({**JSON_HEADERS, TOKEN_HEADER: token}))
            self._headers_token = token
            if token != self._sent_token[0]:
                _note_sent(self._sent_token, token)
        return self._headers


class _Prepared:
    """What one endpoint needs on every call, built on its first: hooks, URL, path fields."""

    __slots__ = (
        "api",
        "base",
        "check",
        "codes",
        "decode",
        "empty_reply",
        "encode",
        "endpoint",
        "in_query",
        "legacy",
        "method",
        "path_fields",
        "result_key",
        "url",
    )

    def __init__(self, transport: Transport, endpoint: Endpoint[Any, Any]) -> None:
        self.endpoint = endpoint
        self.api = endpoint.api
        self.method = endpoint.method
        self.in_query = endpoint.method in QUERY_METHODS
        self.codes = endpoint.codes
        self.check = endpoint.check
        self.result_key = endpoint.result_key
        self.empty_reply = endpoint.empty_reply
        self.encode: Callable[[Any], dict[str, Any]] = converter.get_unstructure_hook(
            endpoint.request_type
        )
        self.decode: Callable[[Any, Any], Any] = converter.get_structure_hook(endpoint.result_type)
        self.legacy = endpoint.host is Host.OAPI
        self.base = transport.oapi_base_url if self.legacy else transport.base_url
        self.path_fields = _path_fields(endpoint)
        self.url = None if self.path_fields else URL(self.base + endpoint.path)

    def url_for(self, body: dict[str, Any]) -> URL:
        """The URL of this call: path fields filled in, percent-encoded, and taken out of
        `body` (openConversationIds hold `+`, `/` and `=`)."""
        if self.url is not None:
            return self.url
        path = self.endpoint.path
        for name in self.path_fields:
            path = path.replace("{" + name + "}", quote(str(body.pop(name)), safe=""))
        return URL(self.base + path, encoded=True)

    def result(self, status: int, reply: Any) -> Any:
        """The endpoint's result from a success reply, or `ResponseError` naming the mismatch."""
        source = reply
        if self.result_key is not None and isinstance(reply, dict):
            source = reply.get(self.result_key)
        if not isinstance(source, dict):
            raise ResponseError(
                f"unexpected {self.api} reply (expected a JSON object)",
                status=status,
                excerpt=repr(reply),
            )
        result_type = self.endpoint.result_type
        try:
            result = self.decode(source, result_type)
        except MISMATCHES as error:
            failure = mismatch(self.api, result_type, error, status=status, reply=reply)
            cause = error
        else:
            if self.check is not None:
                self.check(status, result)
            return result
        # Out of the `except`: the reply's values, which cattrs may quote, may hold a secret.
        raise failure from scrubbed(cause)


def _note_sent(holder: list[str | None], token: str) -> None:
    """Register `token` for scrubbing in place of the one `holder` had."""
    register(token)
    _forget_sent(holder)
    holder[0] = token


def _forget_sent(holder: list[str | None]) -> None:
    if holder[0] is not None:
        forget(holder[0])
        holder[0] = None


def _path_fields(endpoint: Endpoint[Any, Any]) -> tuple[str, ...]:
    """The `{placeholders}` of the endpoint's path; each must be a wire field of its request."""
    names = tuple(
        part[1:-1]
        for part in endpoint.path.split("/")
        if part.startswith("{") and part.endswith("}")
    )
    fields = set(wire_names(endpoint.request_type).values())
    missing = [name for name in names if name not in fields]
    if missing:
        raise TypeError(f"{endpoint!r}: no request field is called {missing} on the wire")
    return names

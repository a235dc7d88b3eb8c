"""`GroupService`: the IM group API, one method per endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable

import aiohttp

from ._transport import RetryPolicy, Transport, resolve_base_url
from ._wire import request_body, result_from_body
from .bulk import BulkRun, RateLimitedRetry
from .errors import RequestValidationError
from .models import CreateGroupRequest, CreateGroupResult
from .pacing import Pacer, pacer_for
from .tokens import TokenProvider

__all__ = ["CREATE_GROUP_PATH", "GroupService"]

CREATE_GROUP_PATH = "/v1.0/im/group/create"


class GroupService:
    """Creates DingTalk groups over a caller-owned, shared `aiohttp.ClientSession`.

    One instance serves any number of concurrent calls; keep it for the life
    of the application. `base_url` defaults to `$DINGTALK_BASE_URL`, else
    `https://api.dingtalk.io`; `timeout` is per HTTP request, in seconds.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token_provider: TokenProvider,
        *,
        base_url: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        allow_http: bool = False,
    ) -> None:
        if not isinstance(session, aiohttp.ClientSession):
            raise TypeError("session must be an aiohttp.ClientSession")
        if not callable(getattr(token_provider, "get_token", None)):
            raise TypeError("token_provider must implement the TokenProvider protocol")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.base_url = resolve_base_url(base_url, allow_http=allow_http)
        self._transport = Transport(
            session,
            token_provider,
            base_url=self.base_url,
            timeout=timeout,
            retry=retry if retry is not None else RetryPolicy(),
        )

    def __repr__(self) -> str:
        return f"GroupService(base_url={self.base_url!r})"

    async def create(self, request: CreateGroupRequest) -> CreateGroupResult:
        """Create one group (`POST /v1.0/im/group/create`).

        Not idempotent: a `TransportError` with `may_have_reached_server`
        means the group may exist. Only HTTP 500 `system.error` is retried.
        """
        if not isinstance(request, CreateGroupRequest):
            raise RequestValidationError(
                "request", f"must be a CreateGroupRequest, got {type(request).__name__}"
            )
        status, body = await self._transport.call(CREATE_GROUP_PATH, request_body(request))
        return result_from_body(body, status=status)

    def create_many(
        self,
        requests: Iterable[CreateGroupRequest] | AsyncIterable[CreateGroupRequest],
        *,
        concurrency: int = 10,
        rate_limit: float | Pacer | None = 20.0,
        rate_limited_retries: int = 3,
        rate_limited_backoff: float = 1.0,
    ) -> BulkRun[CreateGroupRequest, CreateGroupResult]:
        """Create a group per request, yielding a `BulkOutcome` for each as it finishes.

        Reads `requests` (sync or async) lazily, keeps at most `concurrency`
        calls in flight, and sends at most `rate_limit` calls per second,
        evenly spaced (DingTalk's standard edition allows 20). `rate_limit`
        may be a `Pacer`, e.g. a `RedisPacer` shared by a fleet of workers,
        or None for no pacing; a number needs the `bulk` extra (aiolimiter),
        else `MissingExtraError`. An input refused with `RateLimitError` is
        put back after `rate_limited_backoff` seconds, at most
        `rate_limited_retries` times; no other error is retried here.

            async with groups.create_many(requests) as outcomes:
                async for outcome in outcomes:
                    print(outcome.index, outcome.result or outcome.error)

        Leaving the `async with` block early cancels the calls in flight.
        """
        return BulkRun(
            self.create,
            requests,
            concurrency=concurrency,
            pacer=pacer_for(rate_limit),
            rate_limited=RateLimitedRetry(
                retries=rate_limited_retries, backoff=rate_limited_backoff
            ),
        )

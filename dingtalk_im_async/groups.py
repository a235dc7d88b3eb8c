"""`GroupService`: the IM group API, one line per endpoint over the shared transport."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable

from ._service import ServiceBase, operation
from .bulk import DEFAULT_PACING, BulkRun, RateLimitedRetry
from .endpoints import CREATE_GROUP
from .models import CreateGroupRequest, CreateGroupResult
from .pacing import Pacer

__all__ = ["CREATE_GROUP_PATH", "GroupService"]

CREATE_GROUP_PATH = CREATE_GROUP.path


class GroupService(ServiceBase):
    """DingTalk's group API over a caller-owned, shared `aiohttp.ClientSession`.

    One instance serves any number of concurrent calls; keep it for the life
    of the application. `base_url` defaults to `$DINGTALK_BASE_URL`, else
    `https://api.dingtalk.io`, and `oapi_base_url` (the legacy host) to
    `$DINGTALK_OAPI_BASE_URL`, else `https://oapi.dingtalk.io`; `timeout` is
    per HTTP request, in seconds; `rate_limit` paces every call per API (20
    per second by default; a `Pacer`, or None for none).
    """

    def __repr__(self) -> str:
        return f"GroupService(base_url={self.base_url!r})"

    @operation(CREATE_GROUP)
    async def create(self, request: CreateGroupRequest) -> CreateGroupResult:
        """Create one group (`POST /v1.0/im/group/create`).

        Not idempotent: an error whose `verdict` is `UNKNOWN` means the group
        may exist. Only HTTP 500 `system.error` is retried.
        """
        return await self._transport.call(CREATE_GROUP, request)

    def create_many(
        self,
        requests: Iterable[CreateGroupRequest] | AsyncIterable[CreateGroupRequest],
        *,
        concurrency: int = 10,
        rate_limit: float | Pacer | object | None = DEFAULT_PACING,
        rate_limited_retries: int = 3,
        rate_limited_backoff: float = 1.0,
    ) -> BulkRun[CreateGroupRequest, CreateGroupResult]:
        """Create a group per request, yielding a `BulkOutcome` for each as it finishes.

        Reads `requests` (sync or async) lazily and keeps at most
        `concurrency` calls in flight. Calls are paced by the service's
        `rate_limit` unless this run's `rate_limit` says otherwise (a number
        of calls per second, a `Pacer` such as a fleet's `RedisPacer`, or
        None). An input refused with `RateLimitError` is put back after
        `rate_limited_backoff` seconds, at most `rate_limited_retries` times;
        no other error is retried here, since creating is not idempotent.

            async with groups.create_many(requests) as outcomes:
                async for outcome in outcomes:
                    print(outcome.index, outcome.result or outcome.error)

        Leaving the `async with` block early cancels the calls in flight.
        """
        return BulkRun(
            self.create,
            requests,
            concurrency=concurrency,
            rate_limit=rate_limit,
            rate_limited=RateLimitedRetry(
                retries=rate_limited_retries, backoff=rate_limited_backoff
            ),
        )

"""What the emulator remembers for inspection: the groups it created and the requests it got."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from attrs import define, field

from .faults import Fault

__all__ = ["ApiCounters", "Counters", "CreatedGroup", "LoggedRequest"]


@define(frozen=True, kw_only=True)
class CreatedGroup:
    """A group the emulator created, with the body of the request that made it.

    `fault` is the fault injected on that call (`SLOW`, `DROPPED_MID_RESPONSE`,
    `TRUNCATED_JSON`, or None for a clean reply): a group whose reply was cut
    off exists although the client never learned its id.
    """

    open_conversation_id: str
    chatid: str
    conversation_tag: int
    request: dict[str, Any]
    fault: Fault | None = None


@define(frozen=True, kw_only=True)
class LoggedRequest:
    """One request as received: never a token, and the app secret is masked.

    - `api`: the API it was routed to (`im.group.create`, `oapi.chat.get`), None
      for a path no route serves;
    - `method`, `path`: as sent (oapi paths with the emulator's `/oapi` prefix);
    - `has_token`: whether a token came with it (the token itself is not kept);
    - `body`: the decoded JSON (None when it was not JSON), `appSecret` masked;
    - `query`: the query parameters, `access_token` left out, secrets masked;
    - `fault`: the fault injected on the call, if any;
    - `status`: the HTTP status answered; None while the call is in flight or
      when the connection was closed without a reply;
    - `received_at` (`time.monotonic()`) and `elapsed` (seconds until answered,
      None while in flight): timing, left out of equality.
    """

    path: str
    has_token: bool
    body: Any
    api: str | None = None
    method: str = "POST"
    query: Mapping[str, str] = field(factory=dict)
    fault: Fault | None = None
    status: int | None = None
    received_at: float = field(factory=time.monotonic, eq=False)
    elapsed: float | None = field(default=None, eq=False)


@define(frozen=True, kw_only=True)
class ApiCounters:
    """What one API received since the last reset, and its faults.

    - `calls`: requests that reached the route, refused ones included;
    - `rate_limited`: calls refused for the QPS limit;
    - `quota_used`: calls counted against `monthly_call_quota`;
    - `qps_limit`: the limit applied to it now (None: none);
    - `injected`: faults injected, by kind; `pending`: scheduled ones not used yet;
    - `rates`: its fault rates now.
    """

    api: str
    calls: int = 0
    rate_limited: int = 0
    quota_used: int = 0
    qps_limit: int | None = None
    injected: Mapping[Fault, int] = field(factory=dict)
    pending: int = 0
    rates: Mapping[Fault, float] = field(factory=dict)


@define(frozen=True, kw_only=True)
class Counters:
    """The emulator's counters: per API (`apis`, by name) and the totals.

    - `groups`: groups in the store; `requests`: journal lines written since the
      last reset (dropped ones included); `failed_requests`: those answered with
      a failure; `quota_used`: calls counted against the monthly quota.
    """

    apis: Mapping[str, ApiCounters]
    groups: int = 0
    requests: int = 0
    failed_requests: int = 0
    quota_used: int = 0

    @property
    def calls(self) -> int:
        """Calls over every API."""
        return sum(api.calls for api in self.apis.values())

    @property
    def rate_limited(self) -> int:
        """QPS refusals over every API."""
        return sum(api.rate_limited for api in self.apis.values())

    def api(self, name: str) -> ApiCounters:
        """The counters of the API `name` (e.g. `im.group.create`); ValueError if no route
        serves it."""
        try:
            return self.apis[name]
        except KeyError:
            known = ", ".join(sorted(self.apis))
            raise ValueError(f"no route serves the API {name!r}; served: {known}") from None

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
    """A group the emulator created, with the body of the request that made it."""

    open_conversation_id: str
    """The group's openConversationId."""
    chatid: str
    """The group's chatid."""
    conversation_tag: int
    """2 internal group, 0 normal group."""
    request: dict[str, Any]
    """The create request's body, as received."""
    fault: Fault | None = None
    """The fault injected on that call (`SLOW`, `DROPPED_MID_RESPONSE`, `TRUNCATED_JSON`), None for
    a clean reply: a group whose reply was cut off exists although the client never learned its
    id."""


@define(frozen=True, kw_only=True)
class LoggedRequest:
    """One request as received: never a token, and the app secret is masked."""

    path: str
    """As sent (oapi paths with the emulator's `/oapi` prefix)."""
    has_token: bool
    """Whether a token came with it (the token itself is not kept)."""
    body: Any
    """The decoded JSON (None when it was not JSON), `appSecret` masked."""
    api: str | None = None
    """The API it was routed to (`im.group.create`, `oapi.chat.get`); None for a path no route
    serves."""
    method: str = "POST"
    """The HTTP method, as sent."""
    query: Mapping[str, str] = field(factory=dict)
    """The query parameters, `access_token` left out, secrets masked."""
    fault: Fault | None = None
    """The fault injected on the call, if any."""
    status: int | None = None
    """The HTTP status answered; None while in flight, or when the connection was closed without a
    reply."""
    received_at: float = field(factory=time.monotonic, eq=False)
    """`time.monotonic()` when it arrived; left out of equality."""
    elapsed: float | None = field(default=None, eq=False)
    """Seconds until it was answered (None while in flight); left out of equality."""
    corp_id: str | None = None
    """The organisation of the corp token it carried; None: the internal app's token (its own
    organisation), or none valid."""
    data_corp_ids: tuple[str | None, ...] = ()
    """The organisations of the data it addressed (None: the internal app's own), each once;
    one that is not `corp_id` makes it a cross-tenant call."""


@define(frozen=True, kw_only=True)
class ApiCounters:
    """What one API received since the last reset, and its faults."""

    api: str
    """The API's name, e.g. `im.group.create`."""
    calls: int = 0
    """Requests that reached the route, refused ones included."""
    rate_limited: int = 0
    """Calls refused for the QPS limit."""
    quota_used: int = 0
    """Calls counted against `monthly_call_quota`."""
    qps_limit: int | None = None
    """The QPS limit applied to it now (None: none)."""
    injected: Mapping[Fault, int] = field(factory=dict)
    """Faults injected, by kind."""
    pending: int = 0
    """Scheduled faults not used yet."""
    rates: Mapping[Fault, float] = field(factory=dict)
    """Its fault rates now."""


@define(frozen=True, kw_only=True)
class Counters:
    """The emulator's counters: per API (`apis`, by name) and the totals."""

    apis: Mapping[str, ApiCounters]
    """Each API's counters, by name."""
    groups: int = 0
    """Groups in the store."""
    requests: int = 0
    """Journal lines written since the last reset (dropped ones included)."""
    failed_requests: int = 0
    """Those answered with a failure."""
    quota_used: int = 0
    """Calls counted against the monthly quota, over every API."""

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

"""The organisations of the multi-organisation mode: suites, their tickets, corp tokens,
authorisations, and what each organisation used.

A third-party (ISV) app is a suite (`suites` setting: key -> secret); the organisations
that installed it are `corp_ids` (plus those `authorise` adds, minus those `relieve`
removes). A corp token belongs to one (suite, organisation) `Tenant`; the internal app's
token belongs to `INTERNAL`, the app's own organisation. Every call through the gateway is
accounted to its token's organisation, with the organisations whose data it addressed: a
call whose token organisation differs from its data's is a cross-tenant call.

Corp tokens follow https://open.dingtalk.com/document/development/obtain-the-access-token-of-the-authorized-enterprise-1:
every fetch returns a new token. That earlier tokens stay valid until they expire (after a
new fetch and after a ticket rotation) is this emulator's reading: the page does not say.
Tickets follow https://open.dingtalk.com/document/development/event-suite-ticket: a new
ticket makes the previous one invalid.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from attrs import define, field

from .. import _ids

if TYPE_CHECKING:
    from ..settings import EmulatorSettings

__all__ = ["INTERNAL", "OrgUsage", "Tenant", "TenantStore", "month_of"]


@define(frozen=True)
class Tenant:
    """Whose token a call carried: a suite in an organisation, or (both None) the internal app
    in its own organisation."""

    suite_key: str | None = None
    """The suite whose corp token it is; None: the internal app's token."""
    corp_id: str | None = None
    """The organisation; None: the internal app's own."""

    @property
    def internal(self) -> bool:
        return self.suite_key is None


#: The internal app's token: its own organisation, today's single-organisation behaviour.
INTERNAL = Tenant()


def month_of(moment: float) -> str:
    """`YYYY-MM` (UTC) of a Unix time: the month the quota counts in."""
    return time.strftime("%Y-%m", time.gmtime(moment))


def month_start(moment: float) -> float:
    """The Unix time `moment`'s month began (UTC)."""
    now = time.gmtime(moment)
    return float(calendar.timegm((now.tm_year, now.tm_mon, 1, 0, 0, 0, 0, 0, 0)))


def next_month_start(moment: float) -> float:
    """The Unix time the month after `moment`'s begins (UTC)."""
    now = time.gmtime(moment)
    year, month = (now.tm_year + 1, 1) if now.tm_mon == 12 else (now.tm_year, now.tm_mon + 1)
    return float(calendar.timegm((year, month, 1, 0, 0, 0, 0, 0, 0)))


@define(kw_only=True)
class OrgUsage:
    """What one organisation's tokens did (the internal app's organisation's key is None)."""

    calls: int = 0
    """Calls through the gateway with its tokens (refused ones included)."""
    token_fetches: int = 0
    """Tokens issued for it."""
    quota_used: int = 0
    """Calls counted against the monthly quota in the emulator's current month."""
    rate_limited: int = 0
    """Calls refused for the per suite x organisation x API QPS limit."""
    quota_refused: int = 0
    """Calls refused because its monthly quota was spent."""
    cross_tenant_calls: int = 0
    """Calls with its token that addressed another organisation's data."""


@define(frozen=True)
class _CorpToken:
    tenant: Tenant
    expires_at: float


@define(kw_only=True)
class _Window:
    second: int = -1
    count: int = 0


@define(kw_only=True)
class TenantStore:
    """Tickets, corp tokens, authorisations, per-organisation usage and the emulator's clock."""

    clock_offset: float = 0.0
    """Seconds added to `time.time()`: the emulator's clock (quota months)."""
    _tickets: dict[str, str] = field(factory=dict)
    _rotations: dict[str, int] = field(factory=dict)
    _tokens: dict[str, _CorpToken] = field(factory=dict, repr=False)
    _added: set[tuple[str, str]] = field(factory=set)
    _relieved: set[tuple[str, str]] = field(factory=set)
    _usage: dict[str | None, OrgUsage] = field(factory=dict)
    _month: str = ""
    _month_starts_at: float = 0.0
    _month_ends_at: float = 0.0
    _windows: dict[tuple[Tenant, str], _Window] = field(factory=dict)
    cross_tenant_calls: int = 0
    """Calls whose token organisation differs from the organisation of the data addressed."""

    def __repr__(self) -> str:
        return f"TenantStore(tokens={len(self._tokens)}, organisations={len(self._usage)})"

    # -- the clock -------------------------------------------------------------------

    def now(self) -> float:
        """The emulator's clock: Unix time plus `clock_offset`."""
        return time.time() + self.clock_offset

    def month(self) -> str:
        """The emulator's current month (`YYYY-MM`); a new month starts every quota afresh.
        Called on every call: the month is worked out again only once it may have ended."""
        now = self.now()
        if self._month_starts_at <= now < self._month_ends_at:
            return self._month
        month = month_of(now)
        self._month_starts_at = month_start(now)
        self._month_ends_at = next_month_start(now)
        if month != self._month:
            self._month = month
            for usage in self._usage.values():
                usage.quota_used = 0
        return month

    # -- suites and tickets --------------------------------------------------------------

    def ticket(self, suite_key: str) -> str:
        """The suite's current ticket (made on first use)."""
        ticket = self._tickets.get(suite_key)
        if ticket is None:
            ticket = self._tickets[suite_key] = _ids.suite_ticket()
        return ticket

    def rotate(self, suite_key: str) -> str:
        """A new ticket for the suite; the previous one stops working."""
        self._tickets[suite_key] = ticket = _ids.suite_ticket()
        self._rotations[suite_key] = self._rotations.get(suite_key, 0) + 1
        return ticket

    def rotations(self, suite_key: str) -> int:
        return self._rotations.get(suite_key, 0)

    # -- authorisations ---------------------------------------------------------------

    def authorised(self, settings: EmulatorSettings, suite_key: str, corp_id: str) -> bool:
        """Whether the organisation has the suite installed: in `corp_ids` or authorised
        since, and not relieved since."""
        pair = (suite_key, corp_id)
        if pair in self._relieved:
            return False
        return corp_id in settings.corp_ids or pair in self._added

    def authorised_corps(self, settings: EmulatorSettings, suite_key: str) -> list[str]:
        """The organisations that have the suite installed, `corp_ids` first."""
        candidates = [*settings.corp_ids, *sorted(corp for suite, corp in self._added)]
        return [
            corp for corp in dict.fromkeys(candidates) if self.authorised(settings, suite_key, corp)
        ]

    def authorise(self, suite_key: str, corp_id: str) -> None:
        self._relieved.discard((suite_key, corp_id))
        self._added.add((suite_key, corp_id))

    def relieve(self, suite_key: str, corp_id: str) -> None:
        """The organisation uninstalls the suite: its tokens stop working."""
        self._added.discard((suite_key, corp_id))
        self._relieved.add((suite_key, corp_id))
        self.revoke(corp_id, suite_key)

    # -- corp tokens --------------------------------------------------------------------

    def issue(self, tenant: Tenant, lifetime: float) -> str:
        """A new token for `tenant`; earlier ones stay valid until they expire."""
        now = time.monotonic()
        for stale in [key for key, held in self._tokens.items() if held.expires_at <= now]:
            del self._tokens[stale]
        token = _ids.access_token()
        self._tokens[token] = _CorpToken(tenant=tenant, expires_at=now + lifetime)
        self.usage(tenant.corp_id).token_fetches += 1
        return token

    def owner(self, token: str) -> Tenant | None:
        """The tenant of a valid corp token, or None."""
        held = self._tokens.get(token)
        if held is None or held.expires_at <= time.monotonic():
            return None
        return held.tenant

    def revoke(self, corp_id: str | None = None, suite_key: str | None = None) -> int:
        """Make the corp tokens of `corp_id` (None: every organisation), of `suite_key` only
        when given, invalid; returns how many."""
        gone = [
            key
            for key, held in self._tokens.items()
            if (corp_id is None or held.tenant.corp_id == corp_id)
            and (suite_key is None or held.tenant.suite_key == suite_key)
        ]
        for key in gone:
            del self._tokens[key]
        return len(gone)

    # -- usage ------------------------------------------------------------------------

    def usage(self, corp_id: str | None) -> OrgUsage:
        """The organisation's usage (None: the internal app's own organisation)."""
        found = self._usage.get(corp_id)
        if found is None:
            found = self._usage[corp_id] = OrgUsage()
        return found

    def organisations(self) -> dict[str | None, OrgUsage]:
        return dict(self._usage)

    def within_qps(self, tenant: Tenant, api: str, limit: int | None) -> bool:
        """Count a corp token's call in its (suite, organisation, API) second; False over
        `limit`."""
        window = self._windows.setdefault((tenant, api), _Window())
        second = int(time.monotonic())
        if window.second != second:
            window.second, window.count = second, 0
        window.count += 1
        return limit is None or window.count <= limit

    def record(self, tenant: Tenant, data_corps: Iterable[str | None]) -> bool:
        """Account a call with `tenant`'s token that addressed data of `data_corps`; True
        when it crossed into another organisation's data."""
        usage = self.usage(tenant.corp_id)
        usage.calls += 1
        crossed = any(corp != tenant.corp_id for corp in data_corps)
        if crossed:
            usage.cross_tenant_calls += 1
            self.cross_tenant_calls += 1
        return crossed

    def clear(self) -> None:
        """Forget tokens, usage, windows, authorisations and relieves made since (back to
        `corp_ids`) and the clock's offset: the emulator's reset. Tickets stay, as the
        suites' clients keep theirs."""
        self._added.clear()
        self._relieved.clear()
        self.clock_offset = 0.0
        self._tokens.clear()
        self._usage.clear()
        self._windows.clear()
        self.cross_tenant_calls = 0

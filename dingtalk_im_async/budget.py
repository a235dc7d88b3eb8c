"""Monthly call budgets: count each organisation's API calls and stop before its quota is spent.

DingTalk's standard edition allows an organisation 5,000 calls a month to
its paid APIs (token APIs are exempt) and answers the excess with
`Forbidden.AccessDenied.ApiCountLimitForOrg` (https://open.dingtalk.com/document/
development/dingtalk-application-development-platform-billing-model). A
`Budget` counts the calls of one scope (an organisation) per natural month
in China time (UTC+8, no daylight saving), so a client can stop sending at a
limit of its choosing before DingTalk refuses.

The transport reserves one unit right before each send (after the pacing
slot), gives it back when the call was not sent or was refused for rate
(DingTalk bills neither), and keeps it otherwise: an unknown outcome counts.
`MemoryBudget` counts in this process; `fleet_budget.RedisBudget` counts across a
fleet through one Redis key per scope and month.

Whether a marketplace (ISV) app's calls count against the customer
organisation's quota is not documented (the quota text names internal apps
and apps custom-built for the organisation): budget them per organisation
anyway, and treat the figure as an upper bound.
"""

from __future__ import annotations

import calendar
import logging
import math
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from .errors import BudgetSpentError

__all__ = [
    "BUDGET_KEY_PREFIX",
    "CHINA_UTC_OFFSET",
    "DEFAULT_WARN_AT",
    "Budget",
    "CallBudget",
    "MemoryBudget",
    "PushCounter",
    "budget_key",
    "budget_scope",
    "month_of",
    "seconds_left_in_month",
]

logger = logging.getLogger("dingtalk_im_async.budget")

#: DingTalk's months are China's: UTC+8 all year round.
CHINA_UTC_OFFSET = 8 * 3600
#: The fraction of a budget whose crossing logs one warning per scope and month.
DEFAULT_WARN_AT = 0.8
#: Webhook and Stream pushes an organisation receives per month on the standard edition.
DEFAULT_PUSH_BUDGET = 3_000
BUDGET_KEY_PREFIX = "dingtalk-im-async:budget"


def month_of(now: float) -> str:
    """The month (`YYYY-MM`, China time) of the Unix time `now`."""
    moment = time.gmtime(now + CHINA_UTC_OFFSET)
    return f"{moment.tm_year:04d}-{moment.tm_mon:02d}"


def seconds_left_in_month(now: float) -> float:
    """Seconds from the Unix time `now` to the start of the next month in China time."""
    moment = time.gmtime(now + CHINA_UTC_OFFSET)
    year, month = moment.tm_year, moment.tm_mon + 1
    if month == 13:
        year, month = year + 1, 1
    start = calendar.timegm((year, month, 1, 0, 0, 0, 0, 0, 0)) - CHINA_UTC_OFFSET
    return max(0.0, start - now)


def budget_scope(app_key: str, corp_id: str | None = None) -> str:
    """What one budget counts: the organisation. An internal app's calls all go to its own
    organisation, so its app key names it; an app acting for another organisation (a
    marketplace app) gives that organisation's corp id."""
    scope = corp_id if corp_id is not None else app_key
    if not isinstance(scope, str) or not scope:
        raise ValueError("a budget scope must be a non-empty string")
    return scope


def budget_key(scope: str, month: str) -> str:
    """The Redis key counting `scope`'s calls in `month`, e.g.
    `dingtalk-im-async:budget:dingxxxx:2026-12`; the only place the key is made."""
    return f"{BUDGET_KEY_PREFIX}:{scope}:{month}"


@runtime_checkable
class Budget(Protocol):
    """A monthly call counter per scope with a limit, shared by every caller that uses it."""

    #: Calls a scope may make per month.
    limit: int

    def month(self) -> str:
        """The current month (`YYYY-MM`, China time) on the budget's clock."""
        ...

    async def reserve(self, scope: str, month: str) -> int:
        """Count one call of `scope` in `month` and return the count after it, or raise
        `BudgetSpentError` (nothing counted) when `limit` calls are counted already."""
        ...

    async def give_back(self, scope: str, month: str) -> None:
        """Uncount one call reserved in `month` that DingTalk did not bill."""
        ...

    async def used(self, scope: str, month: str) -> int:
        """Calls counted for `scope` in `month`."""
        ...


def check_limit(limit: object) -> int:
    """`limit` if it is a whole number of calls, 1 or more; else `TypeError`/`ValueError`."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"a call budget must be a whole number of calls, got {limit!r}")
    if limit < 1:
        raise ValueError(f"a call budget must be at least 1 call, got {limit}")
    return limit


def check_warn_at(warn_at: object) -> float:
    """`warn_at` if it is a fraction in (0, 1]."""
    if isinstance(warn_at, bool) or not isinstance(warn_at, (int, float)):
        raise TypeError("warn_at must be a fraction of the budget")
    if not math.isfinite(warn_at) or not 0 < warn_at <= 1:
        raise ValueError(f"warn_at must be a fraction above 0 and at most 1, got {warn_at!r}")
    return float(warn_at)


class MemoryBudget:
    """Counts calls in this process only (a fleet shares a `fleet_budget.RedisBudget`). `clock`
    (Unix time; tests set their own) says which month it is."""

    def __init__(self, limit: int, *, clock: Callable[[], float] = time.time) -> None:
        self.limit = check_limit(limit)
        self.clock = clock
        self._counts: dict[tuple[str, str], int] = {}

    def __repr__(self) -> str:
        return f"MemoryBudget(limit={self.limit})"

    def month(self) -> str:
        return month_of(self.clock())

    async def reserve(self, scope: str, month: str) -> int:
        used = self._counts.get((scope, month), 0)
        if used >= self.limit:
            raise BudgetSpentError(scope=scope, month=month, used=used, limit=self.limit)
        self._counts[scope, month] = used + 1
        return used + 1

    async def give_back(self, scope: str, month: str) -> None:
        used = self._counts.get((scope, month), 0)
        if used > 0:
            self._counts[scope, month] = used - 1

    async def used(self, scope: str, month: str) -> int:
        return self._counts.get((scope, month), 0)


class CallBudget:
    """One client's use of a `Budget`: its scope, and the warning once per scope and month
    when the use crosses `warn_at` of the limit (in this process; the log line names the
    scope and counts only)."""

    def __init__(self, budget: Budget, scope: str, *, warn_at: float = DEFAULT_WARN_AT) -> None:
        if not isinstance(budget, Budget):
            raise TypeError("budget must be a Budget (MemoryBudget, RedisBudget, ...)")
        self.budget = budget
        self.scope = budget_scope(scope)
        self._warn_count = max(1, math.ceil(check_warn_at(warn_at) * budget.limit))
        self._warned: set[str] = set()

    def __repr__(self) -> str:
        return f"CallBudget({self.budget!r}, scope={self.scope!r})"

    @property
    def limit(self) -> int:
        """Calls the scope may make per month."""
        return self.budget.limit

    async def reserve(self) -> str:
        """One unit of this month; returns the month to give it back to."""
        month = self.budget.month()
        used = await self.budget.reserve(self.scope, month)
        if used >= self._warn_count and month not in self._warned:
            self._warned.add(month)
            logger.warning(
                "call budget of %s for %s: %d of %d calls used", self.scope, month, used, self.limit
            )
        return month

    async def give_back(self, month: str) -> None:
        """Uncount a call DingTalk did not bill (not sent, or refused for rate)."""
        await self.budget.give_back(self.scope, month)

    async def used(self) -> int:
        """Calls counted this month."""
        return await self.budget.used(self.scope, self.budget.month())


class PushCounter:
    """Counts the Stream pushes (bot messages and events) an app receives per
    month, China time, against DingTalk's push quota (3,000 a month on the standard
    edition: https://open.dingtalk.com/document/development/dingtalk-application-development-
    platform-billing-model), and logs one warning per month when the count reaches
    `warn_at` of `limit`. Pushes are received, not sent, so nothing is ever refused;
    redeliveries count too, as DingTalk pushed them again. `clock` is settable (tests)."""

    def __init__(
        self,
        limit: int = DEFAULT_PUSH_BUDGET,
        *,
        warn_at: float = DEFAULT_WARN_AT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = check_limit(limit)
        self.clock = clock
        self._warn_count = max(1, math.ceil(check_warn_at(warn_at) * self.limit))
        self._counts: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"PushCounter(limit={self.limit})"

    def count(self) -> None:
        """One push received now."""
        month = month_of(self.clock())
        received = self._counts.get(month, 0) + 1
        self._counts[month] = received
        if received == self._warn_count:
            logger.warning(
                "Stream pushes for %s: %d received of a push budget of %d a month; DingTalk "
                "stops pushing past its quota",
                month,
                received,
                self.limit,
            )

    def received(self, month: str | None = None) -> int:
        """Pushes received in `month` (`YYYY-MM`; None: this month)."""
        return self._counts.get(month if month is not None else month_of(self.clock()), 0)

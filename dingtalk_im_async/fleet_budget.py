"""`RedisBudget`: a monthly call budget a fleet of processes shares through Redis.

It stands on `fleet.RedisBacked` like the token cache and the pacer: a
`redis.asyncio.Redis` the caller passes (and keeps owning), or one
`from_url()` makes, with timeouts and no retries, so a dead or frozen Redis
costs each call a bounded time and becomes `BudgetError` (not sent): no call
goes out uncounted.
"""

from __future__ import annotations

import calendar
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .budget import CHINA_UTC_OFFSET, budget_key, check_limit, month_of, seconds_left_in_month
from .errors import BudgetError, BudgetSpentError
from .fleet import DEFAULT_TIMEOUT, RedisBacked, redis_client

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["BUDGET_KEPT_AFTER_MONTH", "BUDGET_SCRIPT", "RedisBudget"]

#: KEYS[1]: a scope's count for one month; ARGV[1]: the limit; ARGV[2]: seconds the key
#: lives. Returns {1, count after} when a unit was reserved, {0, count} when none is left.
BUDGET_SCRIPT = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then
    return {0, used}
end
used = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {1, used}
"""
#: KEYS[1] as above: one unit back, never below 0.
_GIVE_BACK_SCRIPT = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then
    return redis.call('DECR', KEYS[1])
end
return 0
"""
#: How long a month's count outlives the month: long enough to read it back after a run
#: that crossed midnight at the month's end.
BUDGET_KEPT_AFTER_MONTH = 7 * 24 * 3600


class RedisBudget(RedisBacked):
    """A monthly call budget a fleet shares through Redis (extra `redis`).

    Each scope's calls in a month (China time) are counted under
    `budget.budget_key(scope, month)`; one script reserves a unit only while
    the count is below `limit`, so processes sharing the key never exceed it
    together. The key expires a week after its month. When Redis cannot
    answer, `reserve()` raises `BudgetError`: the call is not sent, and never
    sent uncounted.
    """

    def __init__(
        self, client: Redis, *, limit: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.limit = check_limit(limit)
        self.clock = clock
        super().__init__(client)
        self._reserve: Any = client.register_script(BUDGET_SCRIPT)
        self._give_back: Any = client.register_script(_GIVE_BACK_SCRIPT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        limit: int,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> RedisBudget:
        """A budget with its own client for `url`; close it after (or use `async with`).
        `clock` (Unix time; tests set their own) says which month it is."""
        check_limit(limit)
        client = redis_client(url, timeout=timeout, feature="a call budget shared through Redis")
        return cls(client, limit=limit, clock=clock)._own()

    def __repr__(self) -> str:
        return f"RedisBudget(limit={self.limit})"

    def month(self) -> str:
        return month_of(self.clock())

    async def reserve(self, scope: str, month: str) -> int:
        # The key lives until a week after the month, counted from the caller's clock (the
        # month comes from it too), so a test clock set in another month works alike.
        ttl = math.ceil(seconds_left_in_month(_month_start(month))) + BUDGET_KEPT_AFTER_MONTH
        try:
            reserved, used = await self._reserve(
                keys=[budget_key(scope, month)], args=[self.limit, ttl]
            )
        except self._failures as error:
            raise self._unavailable("reserve a call", error) from error
        if not int(reserved):
            raise BudgetSpentError(scope=scope, month=month, used=int(used), limit=self.limit)
        return int(used)

    async def give_back(self, scope: str, month: str) -> None:
        try:
            await self._give_back(keys=[budget_key(scope, month)])
        except self._failures as error:
            raise self._unavailable("give a call back", error) from error

    async def used(self, scope: str, month: str) -> int:
        try:
            raw = await self._client.get(budget_key(scope, month))
        except self._failures as error:
            raise self._unavailable("read the count", error) from error
        return int(raw or 0)

    def _unavailable(self, operation: str, error: BaseException) -> BudgetError:
        # Only the type: a driver's message may carry connection details.
        return BudgetError(
            f"{self!r} on {self._where()} could not {operation} ({type(error).__name__}); "
            "the call was not sent"
        )


def _month_start(month: str) -> float:
    """The Unix time a month (`YYYY-MM`, China time) starts."""
    year, number = (int(part) for part in month.split("-"))
    return float(calendar.timegm((year, number, 1, 0, 0, 0, 0, 0, 0)) - CHINA_UTC_OFFSET)

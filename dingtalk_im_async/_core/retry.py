"""When a failed call is tried again, how long to wait, and the switch that makes it instant.

Only what DingTalk documents as "retry" is retried: HTTP 500 with code
`system.error`. Waits are jittered and exponential (tenacity), and end early
with `ClientClosedError` when the session closes. `set_testing(True)`, in
the spirit of stamina's, makes every wait of this package instant: API
retries, token-fetch retries, refresh pauses and bulk put-backs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeGuard, TypeVar

from attrs import define, field, validators
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_none,
    wait_random_exponential,
)

from ..errors import ApiError
from .shutdown import Sleep

__all__ = ["RetryPolicy", "is_retryable", "is_testing", "pause", "set_testing"]

logger = logging.getLogger("dingtalk_im_async")

_P = ParamSpec("_P")
_T = TypeVar("_T")

_testing = False


def set_testing(on: bool) -> None:
    """Make every retry wait and backoff of this package instant (`True`), or real again.

    For test suites: retries still happen, and as often, but never sleep. The
    pytest fixture `dingtalk_emulator` turns it on for its test.
    """
    global _testing
    _testing = bool(on)


def is_testing() -> bool:
    """Whether `set_testing(True)` is in force."""
    return _testing


async def pause(seconds: float) -> None:
    """`asyncio.sleep`, except instant under `set_testing(True)` (it still yields once)."""
    await asyncio.sleep(0 if _testing else seconds)


@define(frozen=True, kw_only=True)
class RetryPolicy:
    """How HTTP 500 `system.error` replies are retried: jittered exponential backoff.

    Tests make waits instant with `set_testing(True)` (or
    `RetryPolicy(initial_wait=0, max_wait=0)` for one client).
    """

    attempts: int = field(default=3, validator=validators.ge(1))
    """Tries in all, the first one included: at least 1 (1 means never retry)."""
    initial_wait: float = field(default=0.5, validator=validators.ge(0))
    """Scale of the first wait, in seconds (0 or more); each later wait may double, with
    full jitter."""
    max_wait: float = field(default=8.0, validator=validators.ge(0))
    """Longest wait between two tries, in seconds (0 or more)."""

    def retrying(self, sleep: Sleep = asyncio.sleep) -> AsyncRetrying:
        """A fresh tenacity controller (they hold per-run state, so one per call)."""
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=(
                wait_none()
                if _testing
                else wait_random_exponential(multiplier=self.initial_wait, max=self.max_wait)
            ),
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
        between tries (one that ends early when the session closes).

        The first try runs outside tenacity, so the usual call, which succeeds
        at once, builds no retry controller.
        """
        try:
            return await attempt(*args, **kwargs)
        except ApiError as error:
            if not is_retryable(error):
                raise
            failure = error
        return await self.retry_after(failure, sleep, attempt, *args, **kwargs)

    async def retry_after(
        self,
        failure: ApiError,
        sleep: Sleep,
        attempt: Callable[_P, Awaitable[_T]],
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T:
        """Carry on after `failure`, a retryable failure of a first try the caller made itself.

        Tenacity takes `failure` as its attempt 1: attempt count, waits and
        logging are all tenacity's, exactly as if it had run the first try.
        """
        unreported = [failure]

        async def attempt_again() -> _T:
            if unreported:  # tenacity's attempt 1: the failure that already happened
                raise unreported.pop()
            return await attempt(*args, **kwargs)

        return await self.retrying(sleep)(attempt_again)


def is_retryable(error: BaseException) -> TypeGuard[ApiError]:
    """Only what DingTalk documents as "retry": HTTP 500 with code `system.error`."""
    return isinstance(error, ApiError) and error.status == 500 and error.code == "system.error"


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.warning("retrying after %s (attempt %d)", error, state.attempt_number)

"""Errors this process decides on its own: before any I/O, or when the exchange itself broke.

None of them carries DingTalk's answer. Those raised before any I/O by
nature (a bad request, a missing extra, no pacing slot, a stopped run) never
reached the wire; a `TransportError` says whether its request did.
"""

from __future__ import annotations

import warnings
from typing import Any

from ._base import DingTalkError, Verdict

__all__ = [
    "BudgetError",
    "BudgetSpentError",
    "ClientClosedError",
    "MissingExtraError",
    "PacingError",
    "RequestValidationError",
    "RunStoppedError",
    "TransportError",
]


class MissingExtraError(DingTalkError, ImportError):
    """An optional feature was used without its extra installed; the message names the fix."""

    reached_wire = False

    def __init__(self, *, feature: str, package: str, extra: str) -> None:
        self.feature = feature
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the {package!r} package: pip install 'dingtalk-im-async[{extra}]'",
            name=package,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_missing_extra, (self.feature, self.package, self.extra))


def _rebuild_missing_extra(feature: str, package: str, extra: str) -> MissingExtraError:
    return MissingExtraError(feature=feature, package=package, extra=extra)


class RequestValidationError(DingTalkError, ValueError):
    """A request was rejected on the client, before any I/O.

    `field` is the Python attribute name of the offending value and `rule`
    the constraint it broke.
    """

    reached_wire = False

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class TransportError(DingTalkError):
    """A timeout or a dropped connection; the aiohttp exception is the `__cause__`.

    `reached_wire` is False only when the connection was never made, so the
    request certainly did nothing (`NOT_SENT`); otherwise the verdict is
    `UNKNOWN`: a create may have made a group.
    """

    def __init__(
        self,
        reason: str,
        *,
        reached_wire: bool | None = None,
        may_have_reached_server: bool | None = None,
    ) -> None:
        if may_have_reached_server is not None:
            warnings.warn(
                "TransportError(may_have_reached_server=...) is deprecated: pass reached_wire=",
                DeprecationWarning,
                stacklevel=2,
            )
            reached_wire = may_have_reached_server
        if reached_wire is None:
            raise TypeError("TransportError needs reached_wire=True or False")
        self.reason = reason
        self.reached_wire = reached_wire
        super().__init__(reason)

    def __str__(self) -> str:
        outcome = {
            Verdict.UNKNOWN: "the request may have reached the server; its outcome is unknown",
            Verdict.NOT_SENT: "the request did not reach the server",
        }.get(self.verdict, "the request was refused")
        return f"{self.reason} ({outcome})"

    @property
    def may_have_reached_server(self) -> bool:
        """Deprecated: `verdict is not Verdict.NOT_SENT` says the same."""
        warnings.warn(
            "may_have_reached_server is deprecated: test `error.verdict is Verdict.NOT_SENT`",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.verdict is not Verdict.NOT_SENT


class ClientClosedError(TransportError):
    """The client, its token provider or its aiohttp session was closed before the call ended.

    Calls in flight when `close()` runs, and calls made afterwards, fail with
    it; its `verdict` says whether a create may have happened.
    """


class PacingError(DingTalkError):
    """The pacer could not give the call a sending slot (e.g. its Redis is down or
    frozen); the request was not sent, and no rate was exceeded to send it."""

    reached_wire = False


class RunStoppedError(DingTalkError):
    """A bulk run stopped before sending this input, because of `cause` (the monthly call
    quota ran out, or the run's call budget): nothing was sent, so a later run (`--resume`)
    sends it. Calls of the run still waiting for their pacing slot when it stopped get it
    too."""

    reached_wire = False

    def __init__(self, cause: DingTalkError) -> None:
        self.cause = cause
        super().__init__(f"not sent: the run stopped after {type(cause).__name__}: {cause}")


class BudgetError(DingTalkError):
    """The call budget could not reserve a unit for the call (e.g. its Redis is down or
    frozen): the request was not sent, so nothing was counted against the month's quota."""

    reached_wire = False


class BudgetSpentError(BudgetError):
    """The organisation's monthly call budget (`ClientSettings.call_budget`) is used up for
    `scope` this month (`month`, China time): the call was not sent. A bulk run stops there
    and reports the rest as not sent; `--resume` next month sends them."""

    def __init__(self, *, scope: str, month: str, used: int, limit: int) -> None:
        self.scope = scope
        self.month = month
        self.used = used
        self.limit = limit
        super().__init__(
            f"the call budget of {scope} for {month} is spent ({used} of {limit} calls used); "
            "the call was not sent"
        )

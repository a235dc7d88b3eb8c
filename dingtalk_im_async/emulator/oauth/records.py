"""What the multi-organisation mode reports: each organisation's usage and each suite's state,
and their admin API shapes both ways (`GET /_emulator/tenants`)."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from attrs import define

__all__ = [
    "OrgReport",
    "SuiteReport",
    "TenantsReport",
    "Ticket",
    "tenants_from_view",
    "tenants_view",
]


class Ticket(str):
    """A suite ticket from an in-process control: a `str` that may also be awaited (so the same
    line works against a `RemoteEmulator`), and whose repr hides it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Ticket(<hidden>)"

    def __await__(self) -> Generator[Any, None, str]:
        yield from ()
        return str(self)


@define(frozen=True, kw_only=True)
class OrgReport:
    """One organisation's usage since the last reset."""

    corp_id: str
    """The organisation (the internal app's own is the Stream gateway's corp id)."""
    internal: bool
    """Whether it is the internal app's own organisation (its tokens are the app's)."""
    calls: int
    """Calls through the gateway with its tokens, refused ones included."""
    token_fetches: int
    """Tokens issued for it (the internal app's: calls to its token endpoint)."""
    quota_used: int
    """Calls counted against its monthly quota in the emulator's current month."""
    quota_limit: int | None
    """`monthly_call_quota` now (None: no limit)."""
    rate_limited: int
    """Calls refused for the per suite x organisation x API QPS limit."""
    quota_refused: int
    """Calls refused because its quota was spent."""
    cross_tenant_calls: int
    """Calls with its token that addressed another organisation's data."""
    suites: tuple[str, ...]
    """The suites it has installed (none for the internal app's organisation)."""


@define(frozen=True, kw_only=True)
class SuiteReport:
    """One suite: the organisations that installed it and how often its ticket rotated."""

    suite_key: str
    """The suite's key."""
    corp_ids: tuple[str, ...]
    """The organisations that have it installed now."""
    ticket_rotations: int
    """How often its ticket was rotated (on command or by the timer)."""


@define(frozen=True, kw_only=True)
class TenantsReport:
    """Every organisation and suite, with the emulator's clock."""

    now: float
    """The emulator's clock, Unix time."""
    month: str
    """Its month (`YYYY-MM`, UTC), the one quotas count in."""
    cross_tenant_calls: int
    """Calls whose token organisation differs from the organisation of the data addressed."""
    organisations: tuple[OrgReport, ...]
    """The internal app's organisation first, then `corp_ids`, then any other that was
    authorised or called."""
    suites: tuple[SuiteReport, ...]
    """Each suite of `suites`."""

    def org(self, corp_id: str) -> OrgReport:
        """The report of `corp_id`; KeyError if the emulator knows no such organisation."""
        for report in self.organisations:
            if report.corp_id == corp_id:
                return report
        raise KeyError(corp_id)


def tenants_view(report: TenantsReport) -> dict[str, Any]:
    return {
        "now": report.now,
        "month": report.month,
        "crossTenantCalls": report.cross_tenant_calls,
        "organisations": [
            {
                "corpId": org.corp_id,
                "internal": org.internal,
                "calls": org.calls,
                "tokenFetches": org.token_fetches,
                "quotaUsed": org.quota_used,
                "quotaLimit": org.quota_limit,
                "rateLimited": org.rate_limited,
                "quotaRefused": org.quota_refused,
                "crossTenantCalls": org.cross_tenant_calls,
                "suites": list(org.suites),
            }
            for org in report.organisations
        ],
        "suites": [
            {
                "suiteKey": suite.suite_key,
                "corpIds": list(suite.corp_ids),
                "ticketRotations": suite.ticket_rotations,
            }
            for suite in report.suites
        ],
    }


def tenants_from_view(view: Mapping[str, Any]) -> TenantsReport:
    return TenantsReport(
        now=view["now"],
        month=view["month"],
        cross_tenant_calls=view["crossTenantCalls"],
        organisations=tuple(
            OrgReport(
                corp_id=org["corpId"],
                internal=org["internal"],
                calls=org["calls"],
                token_fetches=org["tokenFetches"],
                quota_used=org["quotaUsed"],
                quota_limit=org["quotaLimit"],
                rate_limited=org["rateLimited"],
                quota_refused=org["quotaRefused"],
                cross_tenant_calls=org["crossTenantCalls"],
                suites=tuple(org["suites"]),
            )
            for org in view["organisations"]
        ),
        suites=tuple(
            SuiteReport(
                suite_key=suite["suiteKey"],
                corp_ids=tuple(suite["corpIds"]),
                ticket_rotations=suite["ticketRotations"],
            )
            for suite in view["suites"]
        ),
    )

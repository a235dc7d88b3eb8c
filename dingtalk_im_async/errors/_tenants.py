"""The failures of a third-party (ISV) app's calls for its customer organisations: the corp
token endpoint's refusals, and what this process refuses before any I/O."""

from __future__ import annotations

from ._base import DingTalkError
from ._replies import ApiError, InvalidCredentialsError

__all__ = [
    "InternalOnlyError",
    "InvalidAuthInfoError",
    "InvalidSuiteKeyError",
    "InvalidSuiteTicketError",
    "NoSuiteTicketError",
    "OrganisationRelievedError",
    "TicketStoreError",
]


class InvalidSuiteTicketError(ApiError):
    """`invalidSuiteTicket`: the corp token endpoint refused the suite ticket (a newer one was
    pushed, or none ever reached this app's ticket store). Nothing was applied; a call whose
    token it stopped was not sent."""

    refusal = True


class InvalidAuthInfoError(ApiError):
    """`invalidAuthInfo`: the organisation has not installed the app (or no longer has it).
    Nothing was applied; a call whose token it stopped was not sent."""

    refusal = True


class InvalidSuiteKeyError(InvalidCredentialsError):
    """`invalidSuiteKey`: the suite key or suite secret was refused by the corp token
    endpoint. Nothing was applied; a call whose token it stopped was not sent."""


class NoSuiteTicketError(DingTalkError):
    """The suite's ticket store holds no ticket yet, so no corp token can be asked for: feed
    it from the Stream `suite_ticket` event (or by hand). The call was not sent."""

    reached_wire = False


class OrganisationRelievedError(DingTalkError):
    """The organisation removed the app (`org_suite_relieve`): its tokens were dropped and
    its calls are refused before any I/O, until it authorises the app again."""

    reached_wire = False

    def __init__(self, corp_id: str) -> None:
        self.corp_id = corp_id
        super().__init__(f"organisation {corp_id!r} removed the app; the call was not sent")


class InternalOnlyError(DingTalkError):
    """A third-party app asked for an API DingTalk reserves for internal apps
    (`appType-企业内部应用`, e.g. `group/create`, scene-group disband): refused before any
    I/O."""

    reached_wire = False

    def __init__(self, api: str) -> None:
        self.api = api
        super().__init__(
            f"{api} is for internal apps only; a third-party app may not call it (not sent)"
        )


class TicketStoreError(DingTalkError):
    """The suite ticket store could not be used (its Redis is down) and this process has
    read no ticket before: no corp token can be fetched, and a call waiting for one is
    not sent."""

    reached_wire = False

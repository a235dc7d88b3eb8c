"""What the emulator remembers for inspection: the groups it created and the requests it got."""

from __future__ import annotations

from typing import Any

from attrs import define

from .faults import Fault

__all__ = ["CreatedGroup", "LoggedRequest"]


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
    """One request as received: never the token itself, and the app secret is masked.

    `body` is the decoded JSON (None when it was not JSON); `fault` is the
    fault injected on the call, if any.
    """

    path: str
    has_token: bool
    body: Any
    fault: Fault | None = None

"""The root of the tree and its one rule: did the failed call take effect?

Every error records facts, never a verdict: whether its request reached the
wire (`reached_wire`, which only the transport knows for sure) and whether
DingTalk documents the reply as a refusal (`documented_refusal`). `verdict_of`
turns those facts into the verdict, and nothing else does.
"""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import Any

__all__ = ["DingTalkError", "Verdict", "verdict_of"]


class Verdict(str, enum.Enum):
    """Did the failed call take effect? The one question every error answers.

    - `NOT_SENT`: the request never left this process; sending it again is safe.
    - `REJECTED`: DingTalk answered with a documented refusal; nothing was applied.
    - `UNKNOWN`: anything else; it may have been applied. The default.
    """

    NOT_SENT = "not_sent"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


def verdict_of(error: BaseException, *, reached_wire: bool | None = None) -> Verdict:
    """The verdict of a failed call, from the error and one fact: did the request reach
    the wire? (`reached_wire`; None: what the error recorded.)

    - not reached: `NOT_SENT`, whatever the error says of its own request;
    - reached, and DingTalk documents the reply as a refusal: `REJECTED`;
    - anything else, an exception of no class of ours included: `UNKNOWN`.
    """
    if reached_wire is None:
        reached_wire = getattr(error, "reached_wire", True)
    if not reached_wire:
        return Verdict.NOT_SENT
    if isinstance(error, DingTalkError) and error.documented_refusal:
        return Verdict.REJECTED
    return Verdict.UNKNOWN


class DingTalkError(Exception):
    """Base class of every error raised by this package.

    `verdict` says whether the call took effect (`Verdict`, from `verdict_of`).
    `reached_wire` records whether the failed call's request reached the wire:
    True unless the class is raised before any I/O by nature (validation,
    pacing) or the transport recorded otherwise (a token fetch that failed
    before the send).
    """

    #: Whether the failed call's request reached the wire (see the class docstring).
    reached_wire: bool = True

    @property
    def documented_refusal(self) -> bool:
        """True when DingTalk documents the reply as a refusal: nothing was applied."""
        return False

    @property
    def verdict(self) -> Verdict:
        """Whether the call took effect: not sent, rejected, or unknown."""
        return verdict_of(self)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with every attribute (a bulk outcome crosses processes), whatever the
        subclass's constructor takes."""
        state = dict(self.__dict__)
        proxies = [key for key, value in state.items() if isinstance(value, MappingProxyType)]
        for key in proxies:
            state[key] = dict(state[key])
        return (_rebuild, (type(self), self.args, state, proxies))


def _rebuild(
    cls: type[DingTalkError], args: tuple[Any, ...], state: dict[str, Any], proxies: list[str]
) -> DingTalkError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    for key in proxies:
        state[key] = MappingProxyType(state[key])
    error.__dict__.update(state)
    return error

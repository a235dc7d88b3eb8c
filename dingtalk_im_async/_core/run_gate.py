"""`RunGate`: admits the sends of a group of calls (a bulk run) until it is stopped.

Laid over the pacer each call would use (`pacing.PacerLayer`, set as
`RUN_PACER` in the run's tasks), so the transport needs to know nothing of
runs. Once stopped (the monthly quota or the call budget ran out), every call
still waiting for its pacing slot, and every later one, fails with
`RunStoppedError` instead of being sent: its verdict is `NOT_SENT`, so a
later run (`--resume`) sends it. Without the gate, those calls would each go
out and meet the same refusal.
"""

from __future__ import annotations

import asyncio

from ..errors import DingTalkError, RunStoppedError
from ..pacing import SERVICE_PACER, Pacer, PacerLayer, _ServicePacer

__all__ = ["RunGate"]


class RunGate(PacerLayer):
    """Admits sends until `stop(cause)`; paces them with `pacer` (`SERVICE_PACER`: each
    call's service's own; None: not paced)."""

    def __init__(self, pacer: Pacer | _ServicePacer | None = SERVICE_PACER) -> None:
        self._pacer = pacer
        self._gates: dict[int, _Gated] = {}
        self._stopped: asyncio.Future[None] | None = None  # made on the loop when needed
        #: Why the gate stopped (None: it admits sends).
        self.stopped_by: DingTalkError | None = None

    def __repr__(self) -> str:
        state = "open" if self.stopped_by is None else "stopped"
        return f"RunGate({self._pacer!r}, {state})"

    def stop(self, cause: DingTalkError) -> None:
        """Admit nothing more: waiting and later sends raise `RunStoppedError(cause)`."""
        if self.stopped_by is None:
            self.stopped_by = cause
            if self._stopped is not None and not self._stopped.done():
                self._stopped.set_result(None)

    def over(self, pacer: Pacer | None) -> Pacer:
        inner = pacer if isinstance(self._pacer, _ServicePacer) else self._pacer
        gated = self._gates.get(id(inner))
        if gated is None or gated.inner is not inner:
            gated = self._gates[id(inner)] = _Gated(self, inner)
        return gated

    def check(self) -> None:
        """`RunStoppedError` once the gate is stopped."""
        if self.stopped_by is not None:
            raise RunStoppedError(self.stopped_by)

    async def admit(self, api: str, inner: Pacer | None) -> None:
        """Return when `inner` gives a slot of `api`, unless the gate stops first."""
        self.check()
        if inner is None:
            return
        if self._stopped is None:
            self._stopped = asyncio.get_running_loop().create_future()
        slot = asyncio.ensure_future(inner.wait(api))
        try:
            await asyncio.wait((slot, self._stopped), return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not slot.done():
                slot.cancel()
        if self.stopped_by is not None:
            if slot.done() and not slot.cancelled():
                slot.exception()  # retrieved: the stop is the answer, not the pacer's error
            raise RunStoppedError(self.stopped_by)
        slot.result()


class _Gated:
    """The gate over one pacer (a `Pacer`), kept per pacer so a call costs no new object."""

    __slots__ = ("gate", "inner")

    def __init__(self, gate: RunGate, inner: Pacer | None) -> None:
        self.gate = gate
        self.inner = inner

    def __repr__(self) -> str:
        return f"{self.gate!r} over {self.inner!r}"

    async def wait(self, api: str) -> None:
        await self.gate.admit(api, self.inner)

"""The chaos test's emulator, served from a process of its own.

asyncio's debug mode makes the client's loop several times slower; the
server need not pay for that too, and in its own process it has a core to
itself. When the client is done, the process sends back everything the
emulator recorded (pickled attrs objects over a pipe).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import Iterator, Mapping
from multiprocessing.connection import Connection

from attrs import define, field

from dingtalk_im_async.testing import CreatedGroup, Fault, LoggedRequest
from tests.support.secret_scan import TokenRecordingEmulator

__all__ = ["Server", "ServerRecord", "emulator_process"]

#: Bound on starting and stopping the emulator process, in seconds.
STARTUP_SECONDS = 30


@define(frozen=True, kw_only=True)
class Server:
    """Where the emulator process listens, and the app it accepts."""

    base_url: str
    app_key: str
    app_secret: str = field(repr=False)


@define(frozen=True, kw_only=True)
class ServerRecord:
    """What the emulator saw and did, sent back once it has stopped."""

    groups: list[CreatedGroup]
    logged: list[LoggedRequest]
    injected: dict[Fault, int]
    fault_calls: int
    create_calls: int
    token_fetches: int
    issued_tokens: set[str]


@define(frozen=True, kw_only=True)
class FaultPlan:
    """The faults to inject on create calls: seeded rates, a latency, a revocation period."""

    rates: Mapping[Fault, float]
    seed: int
    latency: tuple[float, float]
    revoke_every: int


@contextlib.contextmanager
def emulator_process(
    *, app_secret: str, plan: FaultPlan
) -> Iterator[tuple[Server, list[ServerRecord]]]:
    """Yield where the emulator listens, and a list that holds its record after the block."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(theirs, app_secret, plan), name="emulator")
    process.start()
    theirs.close()
    record: list[ServerRecord] = []
    try:
        if not ours.poll(STARTUP_SECONDS):
            raise RuntimeError(f"the emulator process did not start in {STARTUP_SECONDS}s")
        base_url, app_key = ours.recv()
        yield Server(base_url=base_url, app_key=app_key, app_secret=app_secret), record
        ours.send("stop")
        if not ours.poll(STARTUP_SECONDS):
            raise RuntimeError(f"the emulator process did not stop in {STARTUP_SECONDS}s")
        record.append(ours.recv())
    finally:
        ours.close()
        process.join(STARTUP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()


def _serve(pipe: Connection, app_secret: str, plan: FaultPlan) -> None:
    # The server writes to clients that hung up (timeouts, drops); that is the point here.
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)
    asyncio.run(_serve_until_stopped(pipe, app_secret, plan))
    pipe.close()


async def _serve_until_stopped(pipe: Connection, app_secret: str, plan: FaultPlan) -> None:
    # Every line of the run is checked, so the journal keeps them all.
    emulator = TokenRecordingEmulator(app_secret=app_secret, journal_limit=None)
    emulator.faults_for("im.group.create").set_rates(
        plan.rates, seed=plan.seed, latency=plan.latency
    )
    emulator.faults_for("im.group.create").every(Fault.TOKEN_REVOKED, plan.revoke_every)
    async with emulator:
        pipe.send((emulator.base_url, emulator.app_key))
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        await asyncio.sleep(plan.latency[1])  # slow calls the client gave up on finish
    pipe.send(
        ServerRecord(
            groups=emulator.groups,
            logged=emulator.requests,
            injected=dict(emulator.faults_for("im.group.create").injected),
            fault_calls=emulator.faults_for("im.group.create").calls,
            create_calls=emulator.calls("im.group.create"),
            token_fetches=emulator.token_fetches,
            issued_tokens=emulator.issued,
        )
    )

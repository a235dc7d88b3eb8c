"""The chaos scenario: many creates through `create_many` while the emulator injects every fault.

`run_chaos` runs the client in a fresh event loop (optionally in asyncio's
debug mode) against an emulator in its own process (tests/support/chaos_server.py)
and returns what happened on both sides, plus everything that would show a
leak: calls to the loop's exception handler (unclosed sessions and
connections, task errors never retrieved, tasks destroyed while pending),
ResourceWarnings and never-awaited coroutines, tasks still pending at the
end, and every log record at DEBUG level. tests/core/test_chaos.py checks the
guarantees, tests/core/test_secrets.py that no secret leaked.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from attrs import define

from dingtalk_im_async import (
    AppTokenProvider,
    BulkOutcome,
    CreateGroupRequest,
    CreateGroupResult,
    GroupService,
    RetryPolicy,
    TransportError,
)
from dingtalk_im_async.testing import CreatedGroup, Fault, LoggedRequest
from tests.support.chaos_server import FaultPlan, Server, emulator_process

#: The issue's mix, per create call that reaches the fault injector.
RATES = {
    Fault.SYSTEM_ERROR: 0.10,
    Fault.SYSTEM_BUSY: 0.02,
    Fault.CONNECTION_CLOSED: 0.005,  # "dropped connections": half before any reply ...
    Fault.DROPPED_MID_RESPONSE: 0.005,  # ... half after the group was made, mid-reply
    Fault.SLOW: 0.01,
    Fault.HTML_PAGE: 0.01,
}
REVOKE_EVERY = 1_000
#: The client gives up after this; SLOW replies take longer, so each one is a timeout.
CLIENT_TIMEOUT = 0.5
SLOW_LATENCY = (0.6, 0.8)
CONCURRENCY = 20
SEED = 8
CREATE_PATH = "/v1.0/im/group/create"

Outcome = BulkOutcome[CreateGroupRequest, CreateGroupResult]


#: Creates in the main chaos run: the issue's 10,000 in CI, more with --soak.
CHAOS_CREATES = 10_000
SOAK_CREATES = 100_000
#: The second run: asyncio's debug mode makes the client about six times slower, so it is
#: smaller, with tokens revoked more often to keep as many revocations.
DEBUG_CHAOS_CREATES = 2_000
DEBUG_REVOKE_EVERY = 250
#: An app secret unlike any other string in the run, so finding it anywhere means a leak.
CHAOS_APP_SECRET = "chaos-app-secret-7f3a9c2e"


@define(kw_only=True)
class ChaosRun:
    """What one run produced, client side and server side."""

    debug: bool
    requests: list[CreateGroupRequest]
    outcomes: list[Outcome]
    groups: list[CreatedGroup]
    logged: list[LoggedRequest]
    injected: dict[Fault, int]
    fault_calls: int
    create_calls: int
    token_fetches: int
    revoke_every: int
    seed: int
    duration: float
    app_secret: str
    tokens_sent: set[str]
    issued_tokens: set[str]
    log_records: list[logging.LogRecord]
    loop_errors: list[dict[str, Any]]
    caught_warnings: list[warnings.WarningMessage]
    pending_at_end: list[str]
    reprs: list[str]


@define(kw_only=True)
class _ClientSide:
    outcomes: list[Outcome]
    loop_errors: list[dict[str, Any]]
    pending: list[str]
    reprs: list[str]


def chaos_requests(count: int) -> list[CreateGroupRequest]:
    """One request per input, each with a unique name so the server's record maps back to it."""
    return [
        CreateGroupRequest(name=f"chaos-{index:07d}", owner="manager4220", useridlist=["u1"])
        for index in range(count)
    ]


def run_chaos(
    count: int,
    *,
    app_secret: str,
    seed: int = SEED,
    revoke_every: int = REVOKE_EVERY,
    debug: bool = False,
) -> ChaosRun:
    """Run the scenario once; nothing is asserted here."""
    requests = chaos_requests(count)
    tokens_sent: set[str] = set()
    plan = FaultPlan(rates=RATES, seed=seed, latency=SLOW_LATENCY, revoke_every=revoke_every)
    with (
        warnings.catch_warnings(record=True) as caught,
        _all_logs_at_debug() as log_records,
    ):
        warnings.simplefilter("always")
        with emulator_process(app_secret=app_secret, plan=plan) as (server, record):
            started = time.monotonic()
            client = asyncio.run(_client(server, requests, tokens_sent), debug=debug)
            duration = time.monotonic() - started
        gc.collect()  # an unclosed session or connection warns when it is collected
    emulated = record[0]
    return ChaosRun(
        debug=debug,
        requests=requests,
        outcomes=client.outcomes,
        groups=emulated.groups,
        logged=emulated.logged,
        injected=emulated.injected,
        fault_calls=emulated.fault_calls,
        create_calls=emulated.create_calls,
        token_fetches=emulated.token_fetches,
        revoke_every=revoke_every,
        seed=seed,
        duration=duration,
        app_secret=app_secret,
        tokens_sent=tokens_sent,
        issued_tokens=emulated.issued_tokens,
        log_records=log_records,
        loop_errors=client.loop_errors,
        caught_warnings=[
            warning
            for warning in caught
            if issubclass(warning.category, (ResourceWarning, RuntimeWarning))
        ],
        pending_at_end=client.pending,
        reprs=client.reprs,
    )


async def _client(
    server: Server, requests: list[CreateGroupRequest], tokens_sent: set[str]
) -> _ClientSide:
    loop = asyncio.get_running_loop()
    loop_errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(context))
    outcomes: list[Outcome] = []
    async with aiohttp.ClientSession(trace_configs=[_token_spy(tokens_sent)]) as session:
        tokens = AppTokenProvider(
            session,
            app_key=server.app_key,
            app_secret=server.app_secret,
            base_url=server.base_url,
        )
        groups = GroupService(
            session,
            tokens,
            base_url=server.base_url,
            timeout=CLIENT_TIMEOUT,
            retry=RetryPolicy(initial_wait=0, max_wait=0),
        )
        run = groups.create_many(
            requests, concurrency=CONCURRENCY, rate_limit=None, rate_limited_backoff=0
        )
        async with run:
            outcomes += [outcome async for outcome in run]
        reprs = [repr(tokens), repr(groups), repr(run), repr(session)]
        await tokens.close()
    current = asyncio.current_task()
    pending = [repr(task) for task in asyncio.all_tasks() if task is not current]
    return _ClientSide(outcomes=outcomes, loop_errors=loop_errors, pending=pending, reprs=reprs)


def _token_spy(seen: set[str]) -> aiohttp.TraceConfig:
    """Notes every access token the client sends, through aiohttp's public tracing hooks."""

    async def on_request_start(
        _session: aiohttp.ClientSession,
        _context: Any,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        token = params.headers.get("x-acs-dingtalk-access-token")
        if token:
            seen.add(token)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace


class _Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.format(record)  # fills exc_text, as a real handler would
        self.records.append(record)


@contextmanager
def _all_logs_at_debug() -> Iterator[list[logging.LogRecord]]:
    """Every log record of every logger, DEBUG and up, while the block runs."""
    root = logging.getLogger()
    records: list[logging.LogRecord] = []
    keep = _Keep(records)
    level = root.level
    root.addHandler(keep)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(keep)
        root.setLevel(level)


def calls_by_name(run: ChaosRun) -> dict[str, list[LoggedRequest]]:
    """The create calls the server received for each input, in order."""
    calls: dict[str, list[LoggedRequest]] = defaultdict(list)
    for logged in run.logged:
        if logged.path == CREATE_PATH:
            calls[logged.body["name"]].append(logged)
    return calls


def groups_by_name(run: ChaosRun) -> dict[str, list[CreatedGroup]]:
    """The groups the server made for each input."""
    groups: dict[str, list[CreatedGroup]] = defaultdict(list)
    for group in run.groups:
        groups[group.request["name"]].append(group)
    return groups


def chaos_figures(run: ChaosRun) -> list[str]:
    """The run in numbers, for the terminal summary (and the report of the issue)."""
    kinds = Counter("ok" if o.error is None else type(o.error).__name__ for o in run.outcomes)
    groups = groups_by_name(run)
    unknown = [o for o in run.outcomes if isinstance(o.error, TransportError)]
    made = sum(1 for outcome in unknown if groups.get(outcome.request.name))
    injected = ", ".join(
        f"{fault.value} {run.injected[fault]:,}"
        for fault in sorted(run.injected, key=lambda fault: fault.value)
    )
    mode = "in asyncio debug mode" if run.debug else "not in debug mode"
    return [
        f"{len(run.requests):,} inputs, {len(run.outcomes):,} outcomes: "
        + ", ".join(f"{kind} {count:,}" for kind, count in kinds.most_common()),
        f"  TransportError (outcome unknown) {len(unknown):,}: the group exists for {made:,}, "
        f"not for {len(unknown) - made:,}",
        f"  server: {run.create_calls:,} create calls, {len(run.groups):,} groups, "
        f"{run.token_fetches} token fetches for {run.injected.get(Fault.TOKEN_REVOKED, 0)} "
        f"revocations (every {run.revoke_every:,} calls)",
        f"  injected: {injected}",
        f"  seed {run.seed}, concurrency {CONCURRENCY}, timeout {CLIENT_TIMEOUT}s, "
        f"{run.duration:.1f}s with the client's loop {mode}",
    ]

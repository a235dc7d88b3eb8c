"""Chaos: 10,000 creates through `create_many` while the emulator injects every fault at once.

10% HTTP 500 `system.error`, 2% 429 `system.busy`, 1% dropped connections
(half before any reply, half after the group was made), 1% replies slower
than the client's timeout, 1% HTML pages, and every token revoked on every
1,000th call (tests/support/chaos.py). Each test checks one guarantee against the
emulator's own record, on two runs: the 10,000 creates, and 2,000 with the
client's loop in asyncio's debug mode (see tests/conftest.py; `--soak`
makes the first 100,000, `--chaos-debug` puts it in debug mode too).
"""

from __future__ import annotations

import logging
import math

import pytest

from dingtalk_im_async import (
    ApiError,
    InvalidTokenError,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
    Verdict,
)
from dingtalk_im_async.testing import Fault
from tests.support.chaos import RATES, ChaosRun, calls_by_name, groups_by_name

pytestmark = pytest.mark.slow  # 10,000 creates, then 2,000 in asyncio's debug mode

#: Faults after which DingTalk processed nothing, so sending the call again is safe.
NOTHING_PROCESSED = {Fault.SYSTEM_ERROR, Fault.SYSTEM_BUSY, Fault.TOKEN_REVOKED}
#: Faults whose call made a group the client cannot know about.
GROUP_MADE_UNSEEN = {Fault.SLOW, Fault.DROPPED_MID_RESPONSE}
#: asyncio's debug mode logs callbacks slower than 0.1 s: a matter of speed (and of a
#: shared CI machine), which tests do not judge.
SLOW_CALLBACK = "Executing "
#: Faults the client can only see as a TransportError.
TRANSPORT_FAULTS = {Fault.SLOW, Fault.DROPPED_MID_RESPONSE, Fault.CONNECTION_CLOSED}


@pytest.fixture(scope="module", params=["chaos_run", "debug_chaos_run"])
def chaos(request: pytest.FixtureRequest) -> ChaosRun:
    run: ChaosRun = request.getfixturevalue(request.param)
    return run


def test_every_input_has_exactly_one_outcome(chaos: ChaosRun) -> None:
    assert len(chaos.outcomes) == len(chaos.requests)
    assert sorted(outcome.index for outcome in chaos.outcomes) == list(range(len(chaos.requests)))
    for outcome in chaos.outcomes:
        assert outcome.request is chaos.requests[outcome.index]
        assert (outcome.result is None) != (outcome.error is None)


def test_every_reported_success_exists_on_the_server_with_the_same_ids(chaos: ChaosRun) -> None:
    groups = groups_by_name(chaos)
    successes = 0
    for outcome in chaos.outcomes:
        if outcome.result is None:
            continue
        [group] = groups[outcome.request.name]
        assert group.open_conversation_id == outcome.result.open_conversation_id
        assert group.chatid == outcome.result.chatid
        assert group.fault is None
        successes += 1
    assert successes > 0.8 * len(chaos.requests)


def test_no_group_is_made_twice_and_only_unprocessed_calls_are_sent_again(
    chaos: ChaosRun,
) -> None:
    """Per input, every call but the last is one DingTalk did not process (a 500, a 429, a
    revoked or stale token): never a call after a timeout, a drop or an HTML page."""
    groups = groups_by_name(chaos)
    assert all(len(made) == 1 for made in groups.values())
    assert set(groups) <= {request.name for request in chaos.requests}
    sent_again = 0
    for name, calls in calls_by_name(chaos).items():
        for earlier in calls[:-1]:
            assert earlier.fault in NOTHING_PROCESSED or earlier.fault is None, (name, calls)
        sent_again += len(calls) - 1
    assert sent_again > 0.1 * len(chaos.requests)  # the 500s, 429s and revocations


def test_every_failure_matches_what_the_server_did_with_the_last_call(chaos: ChaosRun) -> None:
    groups = groups_by_name(chaos)
    calls = calls_by_name(chaos)
    for outcome in chaos.outcomes:
        error, name = outcome.error, outcome.request.name
        if error is None:
            continue
        made = groups.get(name, [])
        if isinstance(error, TransportError) and error.verdict is Verdict.NOT_SENT:
            # Never sent: the token fetch or the connection failed first (a loaded machine).
            assert made == [], name
            continue
        if isinstance(error, TransportError) and name not in calls:
            # Timed out before the server read the call (a loaded machine, the loop in debug
            # mode): unknown is the safe answer, and no group was made.
            assert error.verdict is Verdict.UNKNOWN, name
            assert made == [], name
            continue
        last = calls[name][-1].fault
        if isinstance(error, TransportError):
            # A fault of its own, or a timeout (the reply, whatever it was, came too late).
            assert error.verdict is Verdict.UNKNOWN
            if last in GROUP_MADE_UNSEEN:
                assert len(made) == 1, name
            elif last is not None:
                assert made == [], name
            continue
        assert made == [], (name, error)
        assert isinstance(error, (ApiError, ResponseError))
        if isinstance(error, ServerError):
            assert [call.fault for call in calls[name][-3:]] == [Fault.SYSTEM_ERROR] * 3
        elif isinstance(error, RateLimitError):
            assert last is Fault.SYSTEM_BUSY
        elif isinstance(error, ResponseError):
            assert last is Fault.HTML_PAGE
        elif isinstance(error, InvalidTokenError):
            assert last is Fault.TOKEN_REVOKED or last is None  # the replay was refused too
        else:
            raise AssertionError(f"unexpected outcome for {name}: {error!r}")


def test_every_dropped_or_slow_call_is_an_unknown_outcome_never_sent_again(
    chaos: ChaosRun,
) -> None:
    unknown = {o.request.name for o in chaos.outcomes if isinstance(o.error, TransportError)}
    for name, calls in calls_by_name(chaos).items():
        faults = [call.fault for call in calls]
        if any(fault in TRANSPORT_FAULTS for fault in faults):
            assert faults[-1] in TRANSPORT_FAULTS, (name, faults)
            assert name in unknown
    injected = sum(chaos.injected.get(fault, 0) for fault in TRANSPORT_FAULTS)
    assert len(unknown) >= injected > 0


def test_token_fetches_stay_within_revocations_plus_one(chaos: ChaosRun) -> None:
    revocations = chaos.injected[Fault.TOKEN_REVOKED]
    assert revocations == chaos.fault_calls // chaos.revoke_every >= 5
    assert 1 <= chaos.token_fetches <= revocations + 1


def test_the_faults_were_injected_at_their_rates(chaos: ChaosRun) -> None:
    """Within five standard deviations of the binomial mean, whatever the seed."""
    for fault, rate in RATES.items():
        expected = rate * chaos.fault_calls
        spread = 5 * math.sqrt(expected * (1 - rate))
        assert chaos.injected[fault] > 0, fault
        assert abs(chaos.injected[fault] - expected) <= spread, fault


def test_nothing_is_left_open_pending_or_unretrieved(chaos: ChaosRun) -> None:
    """The loop's exception handler saw no unclosed session or connection, no task error
    never retrieved and no task destroyed while pending; no ResourceWarning or
    never-awaited coroutine was warned; asyncio logged no warning; no task outlived
    the run."""
    assert chaos.loop_errors == []
    assert [str(warning.message) for warning in chaos.caught_warnings] == []
    assert chaos.pending_at_end == []
    assert [
        record.getMessage()
        for record in chaos.log_records
        if record.name == "asyncio"
        and record.levelno >= logging.WARNING
        and not record.getMessage().startswith(SLOW_CALLBACK)
    ] == []

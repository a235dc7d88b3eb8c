"""How `FaultInjector` chooses faults: order, periods, seeded rates, and refusals of bad plans."""

from __future__ import annotations

import random

import pytest

from dingtalk_im_async.testing import CannedReply, Fault, FaultInjector, Latency

CHAOS = {
    Fault.SYSTEM_ERROR: 0.10,
    Fault.SYSTEM_BUSY: 0.02,
    Fault.DROPPED_MID_RESPONSE: 0.01,
    Fault.SLOW: 0.01,
    Fault.HTML_PAGE: 0.01,
}


def draws(injector: FaultInjector, calls: int) -> list[Fault | None]:
    return [None if (i := injector.draw()) is None else i.fault for _ in range(calls)]


def test_no_plan_means_no_faults_and_calls_are_counted() -> None:
    injector = FaultInjector()
    assert draws(injector, 5) == [None] * 5
    assert injector.calls == 5
    assert injector.injected == {}


def test_same_seed_gives_the_same_faults_on_the_same_calls() -> None:
    first, second, other = FaultInjector(), FaultInjector(), FaultInjector()
    first.set_rates(CHAOS, seed=42)
    second.set_rates(CHAOS, seed=42)
    other.set_rates(CHAOS, seed=43)
    assert draws(first, 10_000) == draws(second, 10_000)
    assert first.injected == second.injected
    assert draws(first, 1000) != draws(other, 1000)


def test_rates_are_honoured_over_many_calls() -> None:
    injector = FaultInjector()
    injector.set_rates(CHAOS, seed=1)
    draws(injector, 10_000)
    for fault, rate in CHAOS.items():
        assert abs(injector.injected[fault] - rate * 10_000) < 4 * (rate * 10_000) ** 0.5 + 5
    assert set(injector.injected) == set(CHAOS)


def test_scheduled_faults_do_not_shift_the_seeded_sequence() -> None:
    plain, with_schedule = FaultInjector(), FaultInjector()
    plain.set_rates(CHAOS, seed=9)
    with_schedule.set_rates(CHAOS, seed=9)
    with_schedule.schedule(Fault.IP_BLOCKED, count=3)
    expected = draws(plain, 500)
    got = draws(with_schedule, 500)
    assert got[:3] == [Fault.IP_BLOCKED] * 3
    assert got[3:] == expected[3:]


def test_scheduled_then_periodic_then_random() -> None:
    injector = FaultInjector()
    injector.set_rates({Fault.SYSTEM_BUSY: 1.0}, seed=0)
    injector.every(Fault.TOKEN_REVOKED, 3)
    injector.schedule(Fault.HTML_PAGE)
    assert draws(injector, 6) == [
        Fault.HTML_PAGE,
        Fault.SYSTEM_BUSY,
        Fault.TOKEN_REVOKED,
        Fault.SYSTEM_BUSY,
        Fault.SYSTEM_BUSY,
        Fault.TOKEN_REVOKED,
    ]
    assert injector.injected == {
        Fault.HTML_PAGE: 1,
        Fault.SYSTEM_BUSY: 3,
        Fault.TOKEN_REVOKED: 2,
    }


def test_periods_count_from_when_they_were_set() -> None:
    injector = FaultInjector()
    draws(injector, 2)
    injector.every(Fault.TOKEN_REVOKED, 1000)
    result = draws(injector, 3000)
    assert [i for i, fault in enumerate(result, start=3) if fault] == [1002, 2002, 3002]


def test_slow_faults_get_their_delay() -> None:
    injector = FaultInjector()
    injector.schedule(Fault.SLOW, delay=0.25)
    injector.schedule(Fault.SLOW, count=50, delay=(0.1, 0.2))
    injector.schedule(Fault.SYSTEM_ERROR)
    injector.latency = Latency(low=3.0)
    injector.schedule(Fault.SLOW)
    delays = []
    while (injection := injector.draw()) is not None:
        delays.append(injection.delay)
    assert delays[0] == 0.25
    assert all(0.1 <= d <= 0.2 for d in delays[1:51])
    assert len(set(delays[1:51])) > 1
    assert delays[51:] == [0.0, 3.0]


def test_rate_drawn_slow_calls_use_the_latency_given() -> None:
    injector = FaultInjector()
    injector.set_rates({Fault.SLOW: 1.0}, seed=3, latency=0.5)
    injection = injector.draw()
    assert injection is not None
    assert (injection.fault, injection.delay) == (Fault.SLOW, 0.5)


def test_latency_is_fixed_or_uniform() -> None:
    rng = random.Random(0)
    assert Latency.of(0.2).draw(rng) == 0.2
    assert 1.0 <= Latency.of((1.0, 2.0)).draw(rng) <= 2.0
    assert Latency.of(Latency(low=1)) == Latency(low=1)


def test_clear_forgets_everything() -> None:
    injector = FaultInjector()
    injector.set_rates({Fault.SYSTEM_ERROR: 1.0})
    injector.every(Fault.TOKEN_REVOKED, 2)
    injector.schedule(Fault.SLOW)
    draws(injector, 3)
    injector.schedule(Fault.HTML_PAGE)
    injector.clear()
    assert (injector.pending, injector.rates, injector.injected, injector.calls) == (0, {}, {}, 0)
    assert draws(injector, 4) == [None] * 4


@pytest.mark.parametrize(
    ("rates", "match"),
    [
        ({Fault.SYSTEM_ERROR: 0.7, Fault.HTML_PAGE: 0.4}, "add up to 1.1"),
        ({Fault.SYSTEM_ERROR: -0.1}, "between 0 and 1"),
        ({Fault.SYSTEM_ERROR: 1.5}, "between 0 and 1"),
        ({Fault.CANNED_REPLY: 0.1}, "only be scheduled"),
    ],
)
def test_bad_rates_are_refused(rates: dict[Fault, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        FaultInjector().set_rates(rates)


def test_bad_schedules_are_refused() -> None:
    injector = FaultInjector()
    with pytest.raises(ValueError, match="positive integer"):
        injector.schedule(Fault.SYSTEM_ERROR, count=0)
    with pytest.raises(ValueError, match="schedule_reply"):
        injector.schedule(Fault.CANNED_REPLY)
    with pytest.raises(ValueError, match="positive integer"):
        injector.schedule_reply(CannedReply(), count=-1)
    with pytest.raises(ValueError, match="positive integer"):
        injector.every(Fault.TOKEN_REVOKED, 0)
    with pytest.raises(ValueError, match="below low"):
        Latency(low=2.0, high=1.0)
    with pytest.raises(ValueError):
        Latency(low=-1.0)
    assert injector.pending == 0


def test_repr_shows_the_plan_and_counts() -> None:
    injector = FaultInjector()
    injector.schedule(Fault.HTML_PAGE, count=2)
    injector.draw()
    assert "pending=1" in repr(injector)
    assert "HTML_PAGE" in repr(injector)

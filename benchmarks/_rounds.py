"""Order-balanced rounds: each round runs every contender once, the next round in reverse.

A round runs a, b (, c), the next c, b, a, so each contender sits as often
before its neighbour as after it, and a slow spell of the shared machine hits
both sides of a pair alike. Results are compared per round (ratios of
neighbours), then summarised by the median over rounds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import attrs
from _clients import Client, Measurement
from _server import cpu_seconds_of


class Contender:
    """A client, its short key in the output, and what each of its rounds measured."""

    def __init__(self, key: str, client: Client, calls: int) -> None:
        self.key = key
        self.client = client
        self.calls = calls
        self.rounds: list[Measurement] = []


Run = Callable[[Contender], Awaitable[Measurement]]


async def run_rounds(
    contenders: Sequence[Contender],
    rounds: int,
    run: Run,
    *,
    server_pid: int,
    report: Callable[[int, Sequence[Contender]], None],
) -> None:
    """`rounds` rounds of `run(contender)` for every contender, in alternating order."""
    for number in range(rounds):
        order = contenders if number % 2 == 0 else contenders[::-1]
        for contender in order:
            server_before = cpu_seconds_of(server_pid)
            result = await run(contender)
            server_after = cpu_seconds_of(server_pid)
            if server_before is not None and server_after is not None:
                busy = (server_after - server_before) / result.seconds
                result = attrs.evolve(result, server_busy=busy)
            contender.rounds.append(result)
        report(number + 1, contenders)

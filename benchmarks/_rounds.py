"""Order-balanced rounds: the contenders take turns in short blocks, the order flipping each time.

A round is `blocks` short blocks of calls per contender, run in turn: a b,
then b a, then a b, ... (with three contenders: a b c, then c b a). Each
contender sits as often before its neighbour as after it, and the turns are
short (a fraction of a second), so a busy spell of the shared machine hits
both sides of a pair alike. A round's figures are its blocks' sums; results
are compared per round (ratios of neighbours), then summarised by the median
over rounds with their spread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from _clients import Client, Measurement
from _server import cpu_seconds_of


class Contender:
    """A client, its short key in the output, its calls per round, and what each round measured."""

    def __init__(self, key: str, client: Client, calls: int) -> None:
        self.key = key
        self.client = client
        self.calls = calls
        self.rounds: list[Measurement] = []


#: Runs `calls` calls of a contender and measures them.
Run = Callable[[Contender, int], Awaitable[Measurement]]


async def run_rounds(
    contenders: Sequence[Contender],
    rounds: int,
    run: Run,
    *,
    blocks: int,
    server_pid: int,
    report: Callable[[int, Sequence[Contender]], None],
) -> None:
    """`rounds` rounds of every contender's calls, each round in `blocks` alternating turns."""
    turn = 0
    for number in range(rounds):
        parts: dict[str, list[Measurement]] = {c.key: [] for c in contenders}
        server_cpu = dict.fromkeys(parts, 0.0)
        for block in range(blocks):
            order = contenders if turn % 2 == 0 else contenders[::-1]
            turn += 1
            for contender in order:
                calls = contender.calls // blocks + (block < contender.calls % blocks)
                before = cpu_seconds_of(server_pid)
                parts[contender.key].append(await run(contender, calls))
                after = cpu_seconds_of(server_pid)
                if before is not None and after is not None:
                    server_cpu[contender.key] += after - before
        for contender in contenders:
            contender.rounds.append(_combined(parts[contender.key], server_cpu[contender.key]))
        report(number + 1, contenders)


def _combined(blocks: Sequence[Measurement], server_cpu_seconds: float) -> Measurement:
    seconds = sum(m.seconds for m in blocks)
    return Measurement(
        calls=sum(m.calls for m in blocks),
        seconds=seconds,
        cpu_seconds=sum(m.cpu_seconds for m in blocks),
        latencies=[latency for m in blocks for latency in m.latencies],
        server_busy=server_cpu_seconds / seconds if server_cpu_seconds else None,
    )

"""AI cards under load: many answers streaming at once never storm, never stick.

    python benchmarks/cards.py [--rounds 3] [--answers 50] [--rate 40] [--seconds 20]

The emulator runs in a process of its own (`_cards_emulator.py`), enforcing
20 calls per second per API, `card.streaming` included, as DingTalk's
standard edition. Each run: `--answers` concurrent answers
(`client.cards.answer`, one group each), each writing `--rate` text pieces
per second for `--seconds` seconds through one `DingTalkClient` (its default
pacing, 20 per second per API, and its default 0.8 s per card). Two kinds of
run, alternating which goes first, `--rounds` of each:

- all: every answer writes to the end;
- cancelled: a fifth of the answers are cancelled halfway through.

Per run, from the emulator: the streaming calls it accepted and the 403
refusals, the busiest second (as the emulator counts it, and any sliding
1-second window), the cards' states, and the calls made against one call per
piece (the baseline: what calling per piece would cost, in QPS and in the
monthly quota). Figures are medians over rounds with their spread [min-max].
Last, a short baseline run: the same pieces sent one call each, unpaced, as
the official helpers do, for `--storm-seconds`, with the 403s it meets.

Exits non-zero if a target is missed: 0 refusals, every card FINISHED (the
cancelled ones FAILED), none left INPUTING, the busiest second at or under 20.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from attrs import define, field

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cards_emulator import LIMIT, emulator_process
from _machine import MachineLoad, describe_machine, load_average
from _server import cpu_seconds_of

from dingtalk_im_async import (
    CreateAndDeliverRequest,
    DingTalkClient,
    DingTalkError,
    GroupSpace,
    RateLimitError,
    StreamingUpdate,
)
from dingtalk_im_async.emulator import RemoteEmulator

STREAM_API = "card.streaming"
TEMPLATE = "382e4302-551d-4880-bf29-a30acfab2e71.schema"
#: One piece: one CJK character (3 bytes), about what a model's token is in Chinese; 800
#: pieces are 2,400 bytes, inside DingTalk's advised 3 KB per card.
PIECE = "字"


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each kind")
    parser.add_argument("--answers", type=int, default=50, help="concurrent answers")
    parser.add_argument("--rate", type=float, default=40.0, help="pieces per second per answer")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of writing")
    parser.add_argument("--storm-seconds", type=float, default=3.0, help="unpaced baseline")
    parser.add_argument("--storm-answers", type=int, default=10)
    return parser.parse_args()


@define(kw_only=True)
class Run:
    """What one run did, from the emulator's side."""

    kind: str
    pieces: int
    calls: int
    refusals: int
    busiest_second: int
    busiest_window: int
    states: Counter[str]
    cancelled_states: Counter[str]
    frames_per_card: list[int] = field(factory=list)
    finish_seconds: float = 0.0
    quota_used: int = 0

    @property
    def calls_per_piece(self) -> float:
        return self.calls / self.pieces

    def problems(self, cancelled: int, answers: int) -> list[str]:
        """Each target this run missed."""
        missed = []
        if self.refusals:
            missed.append(f"{self.refusals} refusals")
        if self.busiest_second > LIMIT:
            missed.append(f"busiest second {self.busiest_second} > {LIMIT}")
        if self.states.get("INPUTING", 0) or self.states.get("PROCESSING", 0):
            missed.append(f"cards left unfinished: {dict(self.states)}")
        if self.cancelled_states != Counter({"FAILED": cancelled}):
            missed.append(f"cancelled cards: {dict(self.cancelled_states)}")
        if self.states.get("FINISHED", 0) != answers - cancelled:
            missed.append(f"finished cards: {self.states.get('FINISHED', 0)}")
        return missed


async def _answer(
    client: DingTalkClient,
    cid: str,
    rate: float,
    seconds: float,
    tracks: list[str],
    written: list[int],
    finishes: list[float],
) -> None:
    """One answer: `rate` pieces a second for `seconds`; records how long ending it took."""
    loop = asyncio.get_running_loop()
    async with client.cards.answer(
        GroupSpace(open_conversation_id=cid), template_id=TEMPLATE
    ) as answer:
        tracks.append(answer.out_track_id)
        started = loop.time()
        for number in range(round(rate * seconds)):
            await answer.write(PIECE)
            written[0] += 1
            await asyncio.sleep(max(0.0, started + (number + 1) / rate - loop.time()))
        last_piece = loop.time()
    finishes.append(loop.time() - last_piece)


def _busiest(times: Sequence[float]) -> tuple[int, int]:
    """(the most calls in one whole second, as the emulator counts; in any 1 s window)."""
    if not times:
        return 0, 0
    whole = max(Counter(int(moment) for moment in times).values())
    ordered, window, first = sorted(times), 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= 1.0:
            first += 1
        window = max(window, last - first + 1)
    return whole, window


async def one_run(
    url: str, remote: RemoteEmulator, args: argparse.Namespace, *, cancel: bool
) -> Run:
    await remote.reset()
    groups = [
        (await remote.add_group(name=f"group {n}", owner="boss")).open_conversation_id
        for n in range(args.answers)
    ]
    cancelled = args.answers // 5 if cancel else 0
    tracks: list[list[str]] = [[] for _ in groups]
    written = [0]
    finishes: list[float] = []
    async with DingTalkClient(
        app_key=remote.app_key, app_secret=remote.app_secret, base_url=url
    ) as client:
        tasks = [
            asyncio.create_task(
                _answer(client, cid, args.rate, args.seconds, tracks[n], written, finishes)
            )
            for n, cid in enumerate(groups)
        ]
        if cancelled:
            await asyncio.sleep(args.seconds / 2)
            for task in tasks[:cancelled]:
                task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    unexpected = [o for o in outcomes[cancelled:] if isinstance(o, BaseException)]
    if unexpected:
        raise RuntimeError(f"answers failed: {unexpected[:3]}")
    cards = {card.out_track_id: card for card in await remote.list_cards()}
    cancelled_tracks = {track for found in tracks[:cancelled] for track in found}
    journal = [line for line in await remote.read_journal() if line.api == STREAM_API]
    accepted = [line.received_at for line in journal if line.status == 200]
    whole, window = _busiest([line.received_at for line in journal])
    counters = await remote.get_counters()
    return Run(
        kind="cancelled" if cancel else "all",
        pieces=written[0],
        calls=len(accepted),
        refusals=counters.api(STREAM_API).rate_limited,
        busiest_second=whole,
        busiest_window=window,
        states=Counter(card.state for card in cards.values()),
        cancelled_states=Counter(cards[track].state for track in cancelled_tracks),
        frames_per_card=sorted(card.frames for card in cards.values()),
        finish_seconds=max(finishes, default=0.0),
        quota_used=counters.quota_used,
    )


async def storm(url: str, remote: RemoteEmulator, args: argparse.Namespace) -> tuple[int, int, int]:
    """The baseline: one unpaced streaming call per piece. (calls, refusals, busiest second)."""
    await remote.reset()
    cid = (await remote.add_group(name="storm", owner="boss")).open_conversation_id
    refused = [0]
    async with DingTalkClient(
        app_key=remote.app_key, app_secret=remote.app_secret, base_url=url, rate_limit=None
    ) as client:
        request_tracks = []
        for _ in range(args.storm_answers):
            request = CreateAndDeliverRequest(
                card_template_id=TEMPLATE, spaces=[GroupSpace(open_conversation_id=cid)]
            )
            await client.cards.create_and_deliver(request)
            request_tracks.append(request.out_track_id)

        async def naive(track: str) -> None:
            loop = asyncio.get_running_loop()
            started = loop.time()
            for number in range(round(args.rate * args.storm_seconds)):
                frame = StreamingUpdate(out_track_id=track, key="content", content=PIECE)
                try:
                    await client.cards.stream(frame)
                except RateLimitError:
                    refused[0] += 1
                except DingTalkError:
                    pass
                await asyncio.sleep(max(0.0, started + (number + 1) / args.rate - loop.time()))

        await asyncio.gather(*(naive(track) for track in request_tracks))
    journal = [line for line in await remote.read_journal() if line.api == STREAM_API]
    whole, _ = _busiest([line.received_at for line in journal if line.status == 200])
    return len(journal), refused[0], whole


def _spread(values: Sequence[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} [{min(values):{fmt}}-{max(values):{fmt}}]"


def _row(name: str, runs: Sequence[Run], value: Callable[[Run], float], fmt: str) -> str:
    return f"  {name:<44} {_spread([value(run) for run in runs], fmt)}"


def report(runs: list[Run], args: argparse.Namespace) -> list[str]:
    """Print each kind's medians; return the targets missed."""
    missed = []
    for kind in ("all", "cancelled"):
        chosen = [run for run in runs if run.kind == kind]
        cancelled = args.answers // 5 if kind == "cancelled" else 0
        title = "every answer to the end" if kind == "all" else f"{cancelled} cancelled halfway"
        print(f"\n{args.answers} answers, {title} ({len(chosen)} rounds; median [min-max]):")
        print(_row("pieces written", chosen, lambda r: r.pieces, ",.0f"))
        print(_row("card.streaming calls accepted", chosen, lambda r: r.calls, ",.0f"))
        print(_row("403 refusals", chosen, lambda r: r.refusals, ".0f"))
        print(_row("calls per piece (baseline: 1)", chosen, lambda r: r.calls_per_piece, ".4f"))
        print(
            _row("calls saved vs one per piece (x)", chosen, lambda r: 1 / r.calls_per_piece, ".0f")
        )
        print(_row("busiest whole second (limit 20)", chosen, lambda r: r.busiest_second, ".0f"))
        print(_row("busiest sliding 1 s window", chosen, lambda r: r.busiest_window, ".0f"))
        print(
            _row(
                "frames per card, median",
                chosen,
                lambda r: statistics.median(r.frames_per_card),
                ".1f",
            )
        )
        print(_row("monthly quota spent (calls)", chosen, lambda r: r.quota_used, ",.0f"))
        if kind == "all":
            print(
                _row(
                    "seconds from a last piece to its card ended, max",
                    chosen,
                    lambda r: r.finish_seconds,
                    ".2f",
                )
            )
        for number, run in enumerate(chosen, 1):
            print(f"  round {number}: states {dict(sorted(run.states.items()))}", end="")
            if cancelled:
                print(f", cancelled ones {dict(run.cancelled_states)}", end="")
            print()
            missed += [
                f"{kind} round {number}: {problem}"
                for problem in run.problems(cancelled, args.answers)
            ]
    return missed


async def main() -> int:
    args = _parse_args()
    print(describe_machine())
    print(f"load before: {load_average()}")
    load = MachineLoad()
    runs: list[Run] = []
    with emulator_process() as (url, pid):
        async with RemoteEmulator(url) as remote:
            for number in range(args.rounds):
                order = (False, True) if number % 2 == 0 else (True, False)
                for cancel in order:
                    run = await one_run(url, remote, args, cancel=cancel)
                    print(
                        f"round {number + 1} {run.kind:>9}: {run.calls} calls for {run.pieces:,} "
                        f"pieces, {run.refusals} refusals, busiest second {run.busiest_second}, "
                        f"states {dict(run.states)}",
                        flush=True,
                    )
                    runs.append(run)
            calls, refused, busiest = await storm(url, remote, args)
        emulator_cpu = cpu_seconds_of(pid)
    missed = report(runs, args)
    pieces = round(args.storm_answers * args.rate * args.storm_seconds)
    print(
        f"\nbaseline, one unpaced call per piece ({args.storm_answers} answers x "
        f"{args.rate:g} pieces/s x {args.storm_seconds:g} s = {pieces:,} pieces): "
        f"{calls:,} calls, {refused:,} refused with 403 ({refused / max(calls, 1):.0%}), "
        f"busiest second {busiest} accepted"
    )
    print(f"\nload after: {load_average()}; {load.summary()}")
    if emulator_cpu is not None:
        print(f"the emulator process (not counted above) used {emulator_cpu:.1f} CPU seconds")
    if missed:
        print("\nTARGETS MISSED:\n  " + "\n  ".join(missed))
        return 1
    print(
        "\nall targets met: 0 refusals, every card ended (cancelled ones FAILED), none left "
        f"INPUTING, the busiest second at or under {LIMIT}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

"""`dingtalk-im bulk --budget N`: the run stops before the month's calls pass N, says how many
were used and how many inputs were not sent, and `--resume` sends those, no duplicates.
With `--redis-url`, every worker counts against one budget."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

from redis.asyncio import Redis

from dingtalk_im_async.budget import budget_key, month_of
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import finish, run_cli, start_cli
from tests.support.results_file import outcome_records

CREATE = "im.group.create"


def write_csv(path: Path, count: int, prefix: str = "g") -> Path:
    rows = "".join(f"{prefix}{n},m,u\n" for n in range(count))
    path.write_text("name,owner,useridlist\n" + rows, encoding="utf-8")
    return path


def created_names(emulator: DingTalkEmulator) -> Counter[str]:
    return Counter(group.request["name"] for group in emulator.groups)


async def test_budget_stops_the_run_at_n_and_resume_sends_the_rest(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 10)
    first = await run_cli(emulator, ["bulk", str(source), "--budget", "4", "--concurrency", "3"])
    assert first.code == 1, first.output
    assert emulator.calls(CREATE) == 4
    month = month_of(time.time())
    assert f"Call budget: 4 of 4 calls used in {month} (China time)." in first.output
    assert "6 inputs were not sent because the call budget is spent: --resume" in first.output
    statuses = Counter(
        record["status"] for record in outcome_records(tmp_path / "in.csv.results.jsonl")
    )
    assert statuses == {"created": 4, "not_sent": 6}

    # This run's budget was counted in its own process: a new run has a fresh count.
    resumed = await run_cli(emulator, ["bulk", str(source), "--budget", "6", "--resume"])
    assert resumed.code == 0, resumed.output
    assert "Call budget: 6 of 6 calls used" in resumed.output
    assert created_names(emulator) == Counter(f"g{n}" for n in range(10))


async def test_workers_sharing_a_redis_budget_never_exceed_it_together(
    tmp_path: Path, emulator: DingTalkEmulator, redis_url: str
) -> None:
    sources = [write_csv(tmp_path / f"{p}.csv", 5, prefix=p) for p in ("a", "b")]
    key = budget_key(emulator.app_key, month_of(time.time()))
    redis = Redis.from_url(redis_url)
    try:
        await redis.delete(key)
        args = ["--budget", "6", "--redis-url", redis_url, "--concurrency", "2"]
        workers = [await start_cli(emulator, ["bulk", str(s), *args]) for s in sources]
        done = await asyncio.gather(*(finish(worker) for worker in workers))
        assert {worker.code for worker in done} <= {0, 1}, [worker.output for worker in done]
        assert emulator.calls(CREATE) == 6
        records = [
            record
            for source in sources
            for record in outcome_records(source.with_name(source.name + ".results.jsonl"))
        ]
        assert Counter(record["status"] for record in records) == {"created": 6, "not_sent": 4}
        assert int(await redis.get(key)) == 6

        # The same month: the budget is spent, nothing goes out (for a file with inputs left:
        # which worker took more of the budget is a race).
        unfinished = next(
            source
            for source in sources
            if any(
                record["status"] == "not_sent"
                for record in outcome_records(source.with_name(source.name + ".results.jsonl"))
            )
        )
        again = await run_cli(emulator, ["bulk", str(unfinished), "--resume", *args])
        assert again.code == 1
        assert "Call budget: 6 of 6 calls used" in again.output, again.output
        assert emulator.calls(CREATE) == 6

        # Next month the count starts from a new key: here, that key is simply not there.
        await redis.delete(key)
        for source in sources:
            resumed = await run_cli(emulator, ["bulk", str(source), "--resume", *args])
            assert resumed.code == 0, resumed.output
    finally:
        await redis.delete(key)
        await redis.aclose()
    assert created_names(emulator) == Counter(
        [*(f"a{n}" for n in range(5)), *(f"b{n}" for n in range(5))]
    )

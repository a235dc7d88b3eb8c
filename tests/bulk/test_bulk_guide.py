"""The code shown on docs/bulk.md, run against the emulator (and a real redis-server)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import aiohttp

from dingtalk_im_async import (
    AppTokenProvider,
    BulkOutcome,
    BulkRun,
    CreateGroupRequest,
    CreateGroupResult,
    GroupService,
    LocalPacer,
    RedisPacer,
)
from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.support.examples_support import load_example

may_exist = load_example("bulk_script").may_exist


def numbered(count: int) -> list[CreateGroupRequest]:
    return [
        CreateGroupRequest(name=f"群{number:03d}", owner="manager4220", useridlist=["alice"])
        for number in range(count)
    ]


# --8<-- [start:first_failure]
async def first_failure(
    groups: GroupService, requests: Iterable[CreateGroupRequest]
) -> BulkOutcome[CreateGroupRequest, CreateGroupResult] | None:
    """Stop at the first failure; leaving the block cancels the calls still in flight."""
    async with contextlib.aclosing(groups.create_many(requests)) as outcomes:
        async for outcome in outcomes:
            if not outcome.ok:
                return outcome
    return None


# --8<-- [end:first_failure]


async def test_stopping_at_the_first_failure_sends_no_more(
    groups: GroupService, emulator: DingTalkEmulator
) -> None:
    emulator.fail_next(status=400, code="permession.checkFailed", api="im.group.create")
    emulator.delay_next(
        100, seconds=0.5, api="im.group.create"
    )  # the calls after the failure are still in flight
    failure = await first_failure(groups, numbered(100))
    assert failure is not None
    assert failure.index == 0
    calls = emulator.calls("im.group.create")
    assert calls < 100
    await asyncio.sleep(0.2)
    assert emulator.calls("im.group.create") == calls  # nothing was sent after the block was left
    assert await first_failure(groups, numbered(3)) is None


# --8<-- [start:fleet]
async def fleet_worker(
    base_url: str,
    app_key: str,
    app_secret: str,
    redis_url: str,
    requests: Iterable[CreateGroupRequest],
) -> int:
    """What each worker process does: every worker of the app shares one 20/s budget."""
    async with (
        aiohttp.ClientSession() as session,
        AppTokenProvider(
            session, app_key=app_key, app_secret=app_secret, base_url=base_url
        ) as tokens,
        RedisPacer.from_url(redis_url, rate=20, app_key=app_key) as pacer,
    ):
        # Every call of this service, in bulk or not, takes its slot from the fleet's budget.
        groups = GroupService(session, tokens, base_url=base_url, pacer=pacer)
        created = 0
        async with groups.create_many(requests) as outcomes:
            async for outcome in outcomes:
                created += outcome.ok
        return created


# --8<-- [end:fleet]


async def test_fleet_workers_share_one_rate(redis_url: str) -> None:
    async with DingTalkEmulator(app_key=f"ding{uuid.uuid4().hex}", qps_limit=20) as emulator:
        created = await asyncio.gather(
            *(  # each call stands for one process of the fleet
                fleet_worker(
                    emulator.base_url,
                    emulator.app_key,
                    emulator.app_secret,
                    redis_url,
                    numbered(10),
                )
                for _worker in range(3)
            )
        )
    assert created == [10, 10, 10]
    assert emulator.groups_created == 30
    assert emulator.rate_limited == 0  # 3 workers, one budget: never over DingTalk's 20/s


# --8<-- [start:resumable]
def settled(journal: Path) -> set[str]:
    """Keys an earlier run created, or sent without a definite answer: never send them again."""
    last: dict[str, str] = {}
    if journal.exists():
        for line in journal.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):  # a line torn by a crash
                entry = json.loads(line)
                last[entry["key"]] = entry["status"]
    return {key for key, status in last.items() if status != "failed"}


async def create_resumably(
    groups: GroupService, requests: Mapping[str, CreateGroupRequest], journal: Path
) -> None:
    """Create a group per key; after a crash or Ctrl-C, run it again to finish the job."""
    skip = settled(journal)
    with journal.open("a", encoding="utf-8") as log:

        def note(key: str, status: str) -> None:
            log.write(json.dumps({"key": key, "status": status}) + "\n")
            log.flush()

        async def send(key: str) -> CreateGroupResult:
            note(key, "sending")  # before the call: a crash from here on leaves "sending"
            return await groups.create(requests[key])

        todo = (key for key in requests if key not in skip)
        async with BulkRun(send, todo, concurrency=10, pacer=LocalPacer(20)) as outcomes:
            async for outcome in outcomes:
                if outcome.error is None:
                    note(outcome.request, "created")
                else:
                    note(outcome.request, "unknown" if may_exist(outcome.error) else "failed")


# --8<-- [end:resumable]


def last_statuses(journal: Path) -> dict[str, str]:
    last = {}
    for line in journal.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            last[entry["key"]] = entry["status"]
    return last


async def test_a_resumable_job_never_sends_a_group_twice(
    groups: GroupService, emulator: DingTalkEmulator, tmp_path: Path
) -> None:
    requests = {f"team-{number}": request for number, request in enumerate(numbered(6))}
    journal = tmp_path / "groups.journal"
    # An earlier run died while team-5 was in flight, mid-write of another line.
    journal.write_text('{"key": "team-5", "status": "sending"}\n{"key": "te', encoding="utf-8")
    emulator.faults_for("im.group.create").schedule(
        Fault.DROPPED_MID_RESPONSE
    )  # made, but the reply was lost
    emulator.fail_next(
        status=400, code="parameter.invalid", api="im.group.create"
    )  # refused: safe to send again

    await create_resumably(groups, requests, journal)
    assert emulator.calls("im.group.create") == 5  # team-5 was not sent again
    assert emulator.groups_created == 4  # 3 created, 1 whose reply was lost
    statuses = list(last_statuses(journal).values())
    assert statuses.count("created") == 3
    assert statuses.count("unknown") == 1
    assert statuses.count("failed") == 1
    assert statuses.count("sending") == 1  # team-5, still unknown

    await create_resumably(groups, requests, journal)  # the rerun sends only the refused one
    assert emulator.calls("im.group.create") == 6
    names = [group.request["name"] for group in emulator.groups]
    assert len(names) == len(set(names)) == 5
    assert settled(journal) == set(requests)

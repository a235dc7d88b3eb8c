"""Create many groups with `create_many`: on DingTalk when credentials are set, else the emulator.

python examples/bulk_script.py               # no credentials: 30 groups on the emulator
python examples/bulk_script.py --count 200   # more of them, still at 20 per second
DINGTALK_APP_KEY=... DINGTALK_APP_SECRET=... DINGTALK_OWNER=... DINGTALK_USER=... \
    python examples/bulk_script.py --count 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from collections.abc import Iterable, Iterator

import aiohttp
from attrs import define

from dingtalk_im_async import (
    AppTokenProvider,
    CreateGroupRequest,
    DingTalkError,
    GroupService,
    Verdict,
)
from dingtalk_im_async.testing import DingTalkEmulator

#: DingTalk's standard edition allows 20 creates per second per app; the emulator enforces it.
RATE = 20


# --8<-- [start:requests]
def project_groups(count: int, owner: str, members: list[str]) -> Iterator[CreateGroupRequest]:
    """The requests, made one at a time as `create_many` asks for them (a file or a
    database cursor works the same way: memory does not grow with `count`)."""
    for number in range(1, count + 1):
        yield CreateGroupRequest(name=f"项目群-{number:04d}", owner=owner, useridlist=members)


# --8<-- [end:requests]


# --8<-- [start:create_all]
@define(kw_only=True)
class Tally:
    created: int = 0
    failed: int = 0
    unknown: int = 0  # the call may have reached DingTalk: check before creating again
    put_back: int = 0  # rate-limit replies that were sent again after a pause


def may_exist(error: Exception) -> bool:
    """Whether a failed create may still have made its group (creating is not idempotent):
    its verdict is unknown (anything that is not one of our errors is unknown too)."""
    return not isinstance(error, DingTalkError) or error.verdict is Verdict.UNKNOWN


async def create_all(groups: GroupService, requests: Iterable[CreateGroupRequest]) -> Tally:
    tally = Tally()
    async with groups.create_many(requests, concurrency=10, rate_limit=RATE) as outcomes:
        async for outcome in outcomes:
            tally.put_back += outcome.rate_limited_retries
            if outcome.result is not None:
                tally.created += 1
            elif outcome.error is not None and may_exist(outcome.error):
                tally.unknown += 1
                print(f"#{outcome.index} {outcome.request.name}: unknown: {outcome.error}")
            else:
                tally.failed += 1
                print(f"#{outcome.index} {outcome.request.name}: failed: {outcome.error}")
    return tally


# --8<-- [end:create_all]


async def main(count: int) -> int:
    app_key = os.environ.get("DINGTALK_APP_KEY")
    app_secret = os.environ.get("DINGTALK_APP_SECRET")
    owner = os.environ.get("DINGTALK_OWNER", "manager4220")
    members = [os.environ.get("DINGTALK_USER", "userId")]
    async with contextlib.AsyncExitStack() as stack:
        base_url = None
        if not (app_key and app_secret):
            emulator = await stack.enter_async_context(DingTalkEmulator(qps_limit=RATE))
            app_key, app_secret, base_url = emulator.app_key, emulator.app_secret, emulator.base_url
            print(f"No DINGTALK_APP_KEY/DINGTALK_APP_SECRET: using the emulator at {base_url}")
        session = await stack.enter_async_context(aiohttp.ClientSession())
        tokens = await stack.enter_async_context(
            AppTokenProvider(session, app_key=app_key, app_secret=app_secret, base_url=base_url)
        )
        groups = GroupService(session, tokens, base_url=base_url)
        started = time.monotonic()
        try:
            tally = await create_all(groups, project_groups(count, owner, members))
        except DingTalkError as error:  # e.g. wrong credentials
            print(f"failed: {error}")
            return 2
        elapsed = time.monotonic() - started
    print(
        f"created {tally.created} of {count} groups in {elapsed:.1f} s "
        f"({tally.failed} failed, {tally.unknown} unknown, {tally.put_back} put back)"
    )
    return 0 if tally.created == count else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Create many groups with create_many.")
    parser.add_argument("--count", type=int, default=30, help="how many groups (default 30)")
    raise SystemExit(asyncio.run(main(parser.parse_args().count)))

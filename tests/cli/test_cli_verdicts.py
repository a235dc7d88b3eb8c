"""`dingtalk-im bulk` then `--resume` against servers that misbehave: every input is created
exactly once, counted on the server side (issue 11's data-loss scenarios)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from dingtalk_im_async.testing import DingTalkEmulator, Fault
from tests.support.cli_subprocess import run_cli
from tests.support.results_file import outcome_records

COUNT = 6
NAMES = [f"g{n}" for n in range(COUNT)]


def write_csv(path: Path) -> Path:
    path.write_text(
        "name,owner,useridlist\n" + "".join(f"{name},m,u\n" for name in NAMES), encoding="utf-8"
    )
    return path


def statuses(results: Path) -> dict[str, str]:
    records: list[dict[str, Any]] = outcome_records(results)
    return {record["name"]: record["status"] for record in records}


def creates_per_input(emulator: DingTalkEmulator) -> Counter[str]:
    return Counter(group.request["name"] for group in emulator.groups)


async def bulk(emulator: DingTalkEmulator, source: Path, *extra: str) -> int:
    finished = await run_cli(
        emulator, ["bulk", str(source), "--concurrency", "1", "--rate", "0", *extra]
    )
    return finished.code


async def test_a_header_too_long_after_the_create_is_unknown_and_never_resent(
    tmp_path: Path,
) -> None:
    source = write_csv(tmp_path / "groups.csv")
    async with DingTalkEmulator() as emulator:
        # Created, then a reply whose header line is over aiohttp's 8,190 bytes.
        emulator.reply_next(
            body=b"{}", headers={"X-Trace": "t" * 9000}, applied=True, api="im.group.create"
        )
        assert await bulk(emulator, source) == 1
        results = source.with_name("groups.csv.results.jsonl")
        assert statuses(results)["g0"] == "unknown"
        assert await bulk(emulator, source, "--resume") == 1  # still unknown: exit 1
        assert creates_per_input(emulator) == Counter(NAMES)


async def test_a_gateway_504_with_a_json_code_after_the_create_is_unknown(
    tmp_path: Path,
) -> None:
    source = write_csv(tmp_path / "groups.csv")
    async with DingTalkEmulator() as emulator:
        emulator.reply_next(
            status=504,
            body=b'{"code": "GatewayTimeout", "message": "upstream timed out"}',
            applied=True,
            api="im.group.create",
        )
        assert await bulk(emulator, source) == 1
        results = source.with_name("groups.csv.results.jsonl")
        assert statuses(results)["g0"] == "unknown"
        await bulk(emulator, source, "--resume")
        assert creates_per_input(emulator) == Counter(NAMES)


async def test_a_token_fetch_lost_on_the_network_is_not_sent_and_resume_sends_it(
    tmp_path: Path,
) -> None:
    """The first token is refused at the first create; the fetch for a fresh one is dropped:
    nothing was created for that input, so it is `not_sent`, and `--resume` creates it (it
    used to be `unknown`, skipped by --resume and never created)."""
    source = write_csv(tmp_path / "groups.csv")
    async with DingTalkEmulator() as emulator:
        emulator.reply_token_next(body=b'{"accessToken": "revoked-by-now", "expireIn": 7200}')
        emulator.faults_for("oauth2.accessToken").schedule(Fault.CONNECTION_CLOSED)
        assert await bulk(emulator, source) == 1
        results = source.with_name("groups.csv.results.jsonl")
        assert statuses(results)["g0"] == "not_sent"
        assert "g0" not in creates_per_input(emulator)
        assert await bulk(emulator, source, "--resume") == 0
        assert creates_per_input(emulator) == Counter(NAMES)

"""`dingtalk-im bulk` when the API's connects stall after the token came: every input is
`not_sent` (the request never left), and `--resume` sends each of them, once."""

from __future__ import annotations

import secrets
from collections import Counter
from pathlib import Path

import pytest

from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import run_cli
from tests.support.results_file import outcome_records
from tests.support.stalled_socket import TokenThenStall

NAMES = [f"g{n}" for n in range(4)]


@pytest.mark.parametrize(
    "bound",
    [["--timeout", "1"], ["--timeout", "3", "--connect-timeout", "0.3"]],
    ids=["default, capped at half the timeout", "--connect-timeout"],
)
async def test_inputs_whose_connect_stalled_are_not_sent_and_resume_sends_them(
    tmp_path: Path, bound: list[str]
) -> None:
    source = tmp_path / "groups.csv"
    source.write_text(
        "name,owner,useridlist\n" + "".join(f"{name},m,u\n" for name in NAMES), encoding="utf-8"
    )
    results = source.with_name("groups.csv.results.jsonl")
    args = ["bulk", str(source), "--concurrency", "2", "--rate", "0", *bound]
    async with DingTalkEmulator() as emulator:
        async with TokenThenStall(secrets.token_hex(16)) as stalled:
            first = await run_cli(emulator, args, DINGTALK_BASE_URL=stalled.base_url)
        assert stalled.served == 1, first.output
        assert first.code == 1, first.output
        records = outcome_records(results)
        assert {record["status"] for record in records} == {"not_sent"}, first.output
        assert sorted(record["name"] for record in records) == NAMES
        assert emulator.groups == []

    # DingTalk answers again at the same address (the results file's target): the resume
    # sends every input, once.
    async with DingTalkEmulator(port=stalled.port) as back:
        resumed = await run_cli(back, [*args, "--resume"])
        assert resumed.code == 0, resumed.output
        assert Counter(group.request["name"] for group in back.groups) == Counter(NAMES)

"""A results file records its target (API hosts, app key, never the secret); `--resume` against
another target is refused (exit 2, both named), an older file without one resumes with a warning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dingtalk_im_async.cli._run_header import read_run
from dingtalk_im_async.testing import DingTalkEmulator
from tests.cli.test_cli_resume import created_names, write_csv
from tests.support.cli_subprocess import run_cli
from tests.support.examples_support import EXAMPLES
from tests.support.results_file import outcome_records


def readme_input(tmp_path: Path) -> Path:
    source = tmp_path / "groups.csv"
    shutil.copy(EXAMPLES / "groups.csv", source)
    return source


async def test_the_readme_emulator_run_does_not_resume_against_another_emulator(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = readme_input(tmp_path)
    results = tmp_path / "groups.csv.results.jsonl"
    demo = await run_cli(emulator, ["bulk", str(source), "--emulator"])  # the README's command
    assert demo.code == 0, demo.output
    assert read_run(results)["target"] == {"emulator": "in-process"}  # type: ignore[index]
    before = results.read_bytes()

    # The same command aimed at a lasting emulator (another port, its own app key).
    resumed = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert resumed.code == 2, resumed.output
    assert "in-process emulator" in resumed.output
    assert emulator.base_url in resumed.output
    assert emulator.app_key in resumed.output
    assert emulator.app_secret not in resumed.output
    assert "Traceback" not in resumed.output
    assert not emulator.groups, "nothing sent"
    assert results.read_bytes() == before, "the results file is left as it was"

    # ... or at the real DingTalk: refused before any I/O.
    real = await run_cli(
        emulator,
        ["bulk", str(source), "--resume"],
        DINGTALK_BASE_URL="https://api.dingtalk.com",
        DINGTALK_APP_KEY="dingrealappkey",
    )
    assert real.code == 2, real.output
    assert "https://api.dingtalk.com" in real.output
    assert "dingrealappkey" in real.output
    assert results.read_bytes() == before


async def test_a_run_against_one_emulator_server_does_not_resume_against_another(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 6)
    results = tmp_path / "in.csv.results.jsonl"
    first = await run_cli(emulator, ["bulk", str(source)])
    assert first.code == 0, first.output
    target = read_run(results)["target"]  # type: ignore[index]
    assert target["baseUrl"] == emulator.base_url
    assert target["appKey"] == emulator.app_key
    assert emulator.app_secret not in results.read_text(encoding="utf-8")
    write_csv(source, 10)  # four more inputs

    async with DingTalkEmulator() as other:  # same app key, another port
        refused = await run_cli(other, ["bulk", str(source), "--resume"])
        assert refused.code == 2, refused.output
        assert emulator.base_url in refused.output
        assert other.base_url in refused.output
        assert not other.groups

    resumed = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert resumed.code == 0, resumed.output
    assert sorted(created_names(emulator)) == [f"g{n}" for n in range(10)]


async def test_a_results_file_without_a_target_resumes_with_a_warning(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 6)
    results = tmp_path / "in.csv.results.jsonl"
    first = await run_cli(emulator, ["bulk", str(source)])
    assert first.code == 0, first.output
    header, *records = results.read_text(encoding="utf-8").splitlines(keepends=True)
    run = json.loads(header)["run"]
    del run["target"]  # as written before targets were recorded
    results.write_text(json.dumps({"run": run}) + "\n" + "".join(records), encoding="utf-8")
    write_csv(source, 8)

    resumed = await run_cli(emulator, ["bulk", str(source), "--resume"])
    assert resumed.code == 0, resumed.output
    assert "warning:" in resumed.output
    assert "does not say which DingTalk" in resumed.output
    assert sorted(created_names(emulator)) == [f"g{n}" for n in range(8)]
    after = read_run(results)
    assert after is not None
    assert after["id"] == run["id"], "the same run goes on"
    assert after["target"]["baseUrl"] == emulator.base_url, "and records its target now"
    assert after["target"]["appKey"] == emulator.app_key
    assert len(outcome_records(results)) == 8


async def test_an_emulator_run_does_not_replace_real_results(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = write_csv(tmp_path / "in.csv", 3)
    results = tmp_path / "in.csv.results.jsonl"
    first = await run_cli(emulator, ["bulk", str(source)])
    assert first.code == 0, first.output
    before = results.read_bytes()
    demo = await run_cli(emulator, ["bulk", str(source), "--emulator"])
    assert demo.code == 2, demo.output
    assert "--overwrite" in demo.output
    assert results.read_bytes() == before
    again = await run_cli(emulator, ["bulk", str(source), "--emulator", "--overwrite"])
    assert again.code == 0, again.output
    twice = await run_cli(emulator, ["bulk", str(source), "--emulator"])  # a demo run twice
    assert twice.code == 0, twice.output

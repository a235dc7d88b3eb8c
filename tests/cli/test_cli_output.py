"""What `dingtalk-im bulk` prints and where: diagnostics on stderr, one line each and never
wrapped (a pipe is not a terminal of 80 columns); the summary on stdout, counting invalid
inputs apart from failed calls; an empty input said to be empty; and refusals that name the
command's own flags."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from click.testing import CliRunner

from dingtalk_im_async.cli import main
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import ENTRY, cli_env

LONG_FIELD = "a_field_name_long_enough_that_any_eighty_column_wrap_would_split_it_" + "x" * 40


async def run_piped(emulator: DingTalkEmulator, *args: str) -> tuple[int, str, str]:
    """Run the command with stdout and stderr on pipes of their own and no COLUMNS set."""
    env = cli_env(emulator)
    env.pop("COLUMNS", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ENTRY,
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_diagnostics_go_to_stderr_one_line_each_never_wrapped(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"name": "ok", "owner": "m", "useridlist": ["u"]},
        {"name": "odd", "owner": "m", "useridlist": ["u"], LONG_FIELD: 1},
        {"name": "refused", "owner": "m", "useridlist": ["u"]},
    ]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    emulator.fail_next(
        1,
        status=400,
        code="permession.checkFailed",
        message="群主不在应用可见性内",
        api="im.group.create",
    )
    code, stdout, stderr = await run_piped(emulator, "bulk", str(source), "--concurrency", "1")
    assert code == 1, stdout + stderr
    diagnostics = [text for text in stderr.splitlines() if text.startswith("line ")]
    assert any(text.startswith("line 2:") and LONG_FIELD in text for text in diagnostics), stderr
    assert any(
        text.startswith("line 1:") and "permession.checkFailed" in text for text in diagnostics
    )
    assert LONG_FIELD not in stdout
    assert "permession.checkFailed" not in stdout
    assert "Created 1 group" in stdout


async def test_the_summary_counts_invalid_inputs_apart_from_failed_calls(
    tmp_path: Path, emulator: DingTalkEmulator
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "name,owner,useridlist\n"
        "refused,m,u\n"  # line 2: refused by DingTalk
        "a name far too long for dingtalk,m,u\n"  # line 3: invalid
        ",m,u\n"  # line 4: invalid
        "fine,m,u\n",
        encoding="utf-8",
    )
    emulator.fail_next(
        1, status=400, code="permession.checkFailed", message="no", api="im.group.create"
    )
    code, stdout, stderr = await run_piped(emulator, "bulk", str(source), "--concurrency", "1")
    assert code == 1, stdout + stderr
    assert "1 failed" in stdout
    assert "2 invalid" in stdout
    assert "Created 1 group" in stdout


def test_an_empty_input_says_so(tmp_path: Path) -> None:
    for name, text in (("empty.csv", ""), ("header.csv", "name,owner,useridlist\n"),
                       ("empty.jsonl", "\n\n")):  # fmt: skip
        source = tmp_path / name
        source.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["bulk", str(source), "--emulator"])
        assert result.exit_code == 0, result.output
        assert "no inputs" in result.stderr, result.output
        assert "Created" not in result.output
        assert not (tmp_path / f"{name}.results.jsonl").exists()


def test_the_plain_http_refusal_names_the_flag(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("name,owner,useridlist\ng,m,u\n", encoding="utf-8")
    env = {"DINGTALK_APP_KEY": "k", "DINGTALK_APP_SECRET": "s", "DINGTALK_BASE_URL": None}
    for args in (
        ["bulk", str(source), "--base-url", "http://dingtalk.example"],
        ["create-group", "--name", "g", "--owner", "m", "--user", "u",
         "--base-url", "http://dingtalk.example"],
    ):  # fmt: skip
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 2, result.output
        assert "--allow-http" in result.output
        assert "allow_http" not in result.output
    assert not (tmp_path / "in.csv.results.jsonl").exists()


def test_allow_http_is_an_option_of_every_calling_command() -> None:
    for command in ("bulk", "create-group"):
        result = CliRunner().invoke(main, [command, "--help"], env={"COLUMNS": "200"})
        assert "--allow-http" in result.output, result.output
    assert os.environ.get("DINGTALK_ALLOW_HTTP") is None


def test_the_group_commands_name_the_flag_for_either_host() -> None:
    env = {
        "DINGTALK_APP_KEY": "k",
        "DINGTALK_APP_SECRET": "s",
        "DINGTALK_BASE_URL": None,
        "DINGTALK_OAPI_BASE_URL": None,
    }
    for host in (["--base-url", "http://dingtalk.example"],
                 ["--oapi-base-url", "http://oapi.dingtalk.example"]):  # fmt: skip
        result = CliRunner().invoke(main, ["group", "info", "chat1", *host], env=env)
        assert result.exit_code == 2, result.output
        assert "--allow-http" in result.output
        assert "allow_http" not in result.output


def test_send_and_listen_take_allow_http_and_name_it() -> None:
    env = {"DINGTALK_APP_KEY": "k", "DINGTALK_APP_SECRET": "s", "DINGTALK_BASE_URL": None}
    for args in (
        ["send", "--group", "cid1", "--text", "hi", "--base-url", "http://dingtalk.example"],
        ["listen", "--base-url", "http://dingtalk.example"],
    ):
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 2, result.output
        assert "--allow-http" in result.output
        assert "allow_http" not in result.output
        assert "--allow-http" in CliRunner().invoke(main, [args[0], "--help"]).output

"""`dingtalk-im card send | update | end` and `bulk --operation card`: a card to groups, its
data changed, a card left typing ended, and many cards from a file, resumable without a
second card anywhere."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dingtalk_im_async.cli import main
from dingtalk_im_async.emulator import DingTalkEmulator
from tests.support.card_support import SEND_API
from tests.support.cli_subprocess import finish, run_cli, start_cli
from tests.support.stream_support import eventually

NO_CREDENTIALS = {"DINGTALK_APP_KEY": None, "DINGTALK_APP_SECRET": None, "DINGTALK_BASE_URL": None}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=NO_CREDENTIALS)
    return result.exit_code, result.output


def records(path: Path) -> list[dict[str, Any]]:
    """The outcome records of a results file (its run header left out)."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if "run" not in line]


def run_header(path: Path) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(path.read_text(encoding="utf-8").splitlines()[0])["run"]
    return header


def test_card_send_against_the_built_in_emulator() -> None:
    code, output = invoke(
        "card", "send", "--emulator", "--group", "cidA==", "--group", "cidB==",
        "--template", "t.schema", "--param", "title=构建", "--data-json", '{"n": 3}',
    )  # fmt: skip
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith("outTrackId  ")
    assert [line.split("  ")[0] for line in lines[1:]] == ["IM_GROUP.cidA==", "IM_GROUP.cidB=="]
    code, output = invoke(
        "card", "send", "--emulator", "--group", "cidA==", "--template", "t", "--json",
        "--out-track-id", "mine-1",
    )  # fmt: skip
    assert code == 0, output
    assert json.loads(output)["outTrackId"] == "mine-1"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--param", "novalue"], "--param takes KEY=VALUE"),
        (["--data-json", "{"], "--data-json is not JSON"),
        (["--data-json", "[1]"], "must be a JSON object"),
        (["--param", "k=" + "v" * 1025], "at most 1024 bytes"),
        (["--out-track-id", "x" * 65], "at most 64 characters"),
    ],
)
def test_bad_cards_are_usage_errors(args: list[str], expected: str) -> None:
    code, output = invoke("card", "send", "--emulator", "--group", "c", "--template", "t", *args)
    assert code == 2
    assert expected in output


async def test_send_update_and_end_against_a_running_emulator(emulator: DingTalkEmulator) -> None:
    group = await emulator.add_group(name="g", owner="boss")
    bare = await emulator.add_group(name="bare", owner="boss", robots=[])
    sent = await run_cli(
        emulator,
        ["card", "send", "--group", group.open_conversation_id, "--template", "t",
         "--param", "status=running", "--out-track-id", "ops-1"],
    )  # fmt: skip
    assert sent.code == 0, sent.output
    again = await run_cli(
        emulator,
        ["card", "send", "--group", group.open_conversation_id, "--template", "t",
         "--out-track-id", "ops-1"],
    )  # fmt: skip
    assert again.code == 0, again.output
    assert "it existed: delivered again" in again.output
    failed = await run_cli(
        emulator,
        ["card", "send", "--group", bare.open_conversation_id, "--template", "t"],
    )
    assert failed.code == 1
    assert f"not delivered to IM_GROUP.{bare.open_conversation_id}: 机器人不在群内" in failed.output
    updated = await run_cli(emulator, ["card", "update", "ops-1", "--param", "a=1", "--merge"])
    assert updated.code == 0, updated.output
    assert (await emulator.get_card("ops-1")).card_data == {"status": "running", "a": "1"}
    ended = await run_cli(emulator, ["card", "end", "ops-1", "nope", "--key", "status"])
    assert ended.code == 1
    assert "ended ops-1 (failed)" in ended.output
    assert "nope: HTTP 400 param.stream.outTrackId" in ended.output
    card = await emulator.get_card("ops-1")
    assert (card.state, card.card_data["status"]) == ("FAILED", "running（已中断）")
    refused = await run_cli(emulator, ["card", "update", "nope", "--param", "a=1"])
    assert refused.code == 1
    assert "DingTalk refused it" in refused.output


async def test_bulk_cards_killed_and_resumed_make_one_card_per_group(tmp_path: Path) -> None:
    """SIGKILL with cards in flight, then `--resume`: the records whose outcome was unknown
    are sent again with the outTrackId the run derived for them (from the run id in the
    results file and their line), and every group has its card once."""
    async with DingTalkEmulator() as emulator:
        groups = [await emulator.add_group(name=f"g{n}", owner="boss") for n in range(30)]
        source = tmp_path / "cards.jsonl"
        source.write_text(
            "".join(
                json.dumps(
                    {
                        "openConversationId": group.open_conversation_id,
                        "cardTemplateId": "notice.schema",
                        "cardData": {"title": "今晚 22:00 维护"},
                    }
                )
                + "\n"
                for group in groups
            ),
            encoding="utf-8",
        )
        process = await start_cli(
            emulator, ["bulk", str(source), "--operation", "card", "--concurrency", "5"]
        )
        await eventually(lambda: emulator.calls(SEND_API) >= 10)
        emulator.delay_next(5, seconds=2, api=SEND_API)  # the next calls are in flight...
        calls = emulator.calls(SEND_API)
        await eventually(lambda: emulator.calls(SEND_API) >= calls + 5)
        process.send_signal(signal.SIGKILL)  # ...when the process dies
        assert (await finish(process)).code == -signal.SIGKILL
        await asyncio.sleep(2.2)  # the held calls finish on the server: their cards exist
        resumed = await run_cli(emulator, ["bulk", str(source), "--operation", "card", "--resume"])
        results = records(source.with_name("cards.jsonl.results.jsonl"))
        run = run_header(source.with_name("cards.jsonl.results.jsonl"))
        cards = await emulator.list_cards()
    assert resumed.code == 0, resumed.output
    assert {card.out_track_id for card in cards} == {
        f"dt-{run['id']}-{line}" for line in range(1, 31)
    }
    latest = {record["name"]: record["status"] for record in results}
    assert Counter(latest.values()) == Counter({"ok": 30})
    assert len(cards) == 30
    per_group = Counter(d.space_id for card in cards for d in card.deliveries)
    assert set(per_group.values()) == {1}
    assert len(per_group) == 30


async def test_bulk_cards_keep_the_out_track_ids_they_are_given(tmp_path: Path) -> None:
    async with DingTalkEmulator() as emulator:
        group = await emulator.add_group(name="g", owner="boss")
        source = tmp_path / "cards.csv"
        source.write_text(
            "openConversationId,cardTemplateId,cardData,outTrackId\n"
            f'{group.open_conversation_id},t,"{{""title"": ""x""}}",mine-1\n',
            encoding="utf-8",
        )
        done = await run_cli(emulator, ["bulk", str(source), "--operation", "card"])
        again = await run_cli(emulator, ["bulk", str(source), "--operation", "card", "--overwrite"])
        [card] = await emulator.list_cards()
    assert done.code == again.code == 0, done.output + again.output
    assert (card.out_track_id, card.card_data) == ("mine-1", {"title": "x"})
    assert len(card.deliveries) == 1  # sent twice, delivered once


@contextlib.contextmanager
def emulator_in_a_thread() -> Iterator[tuple[DingTalkEmulator, asyncio.AbstractEventLoop]]:
    """An emulator serving from a loop of its own, so that `CliRunner` (whose command runs
    its own `asyncio.run`) can call it from the test's thread."""
    loop = asyncio.new_event_loop()
    emulator = DingTalkEmulator()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(emulator.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield emulator, loop
    finally:
        asyncio.run_coroutine_threadsafe(emulator.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_the_card_commands_in_process() -> None:
    """The same commands through `CliRunner`: what each prints and exits with."""
    with emulator_in_a_thread() as (emulator, loop):

        def on_emulator(coroutine: Any) -> Any:
            return asyncio.run_coroutine_threadsafe(coroutine, loop).result(10)

        group = on_emulator(emulator.add_group(name="g", owner="boss"))
        bare = on_emulator(emulator.add_group(name="bare", owner="boss", robots=[]))
        env = {
            "DINGTALK_APP_KEY": emulator.app_key,
            "DINGTALK_APP_SECRET": emulator.app_secret,
            "DINGTALK_BASE_URL": emulator.base_url,
        }

        def run(*args: str) -> tuple[int, str]:
            result = CliRunner().invoke(main, ["card", *args], env=env)
            return result.exit_code, result.output

        cid = group.open_conversation_id
        assert run("send", "--group", cid, "--template", "t", "--out-track-id", "c1")[0] == 0
        code, output = run("send", "--group", cid, "--template", "t", "--out-track-id", "c1")
        assert (code, "(it existed: delivered again)" in output) == (0, True)
        code, output = run("send", "--group", bare.open_conversation_id, "--template", "t")
        assert code == 1
        assert "not delivered to IM_GROUP." in output
        assert "exists; sending it again is safe" in output
        assert run("update", "c1", "--param", "s=1", "--data-json", '{"n": 2}') == (
            0,
            "updated c1\n",
        )
        assert on_emulator(emulator.get_card("c1")).card_data == {"n": "2", "s": "1"}
        code, output = run("update", "nope", "--param", "a=b")
        assert (code, "DingTalk refused it" in output) == (1, True)
        assert run("update", "c1", "--param", "k=" + "v" * 1025)[0] == 2
        code, output = run("end", "c1", "--finished", "--text", "。")
        assert (code, output) == (0, "ended c1 (finished)\n")
        assert on_emulator(emulator.get_card("c1")).state == "FINISHED"
        code, output = run("end", "nope", "--key", "")
        assert code == 2

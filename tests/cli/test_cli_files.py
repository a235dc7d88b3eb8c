"""`dingtalk-im bulk` and the files it is given: a results path it cannot write, input it
cannot read as it stands. Each problem is one line on stderr (exit 2) before anything is
sent, or, for a single bad record, one reported line while the rest run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from dingtalk_im_async.cli import main
from tests.support.results_file import outcome_records

NO_CREDENTIALS = {"DINGTALK_APP_KEY": None, "DINGTALK_APP_SECRET": None, "DINGTALK_BASE_URL": None}
HEADER = "name,owner,useridlist\n"


def invoke(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one in-process run."""
    result = CliRunner().invoke(main, list(args), env=NO_CREDENTIALS)
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, count: int) -> Path:
    path.write_text(HEADER + "".join(f"g{n},m,u\n" for n in range(count)), encoding="utf-8")
    return path


def results_of(path: Path) -> list[dict[str, Any]]:
    return outcome_records(path)


def test_results_in_a_missing_folder_is_one_line_before_anything_is_sent(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 3)
    results = tmp_path / "no such folder" / "out.jsonl"
    code, stdout, stderr = invoke("bulk", str(source), "--emulator", "--results", str(results))
    assert code == 2, stdout + stderr
    assert stdout == ""
    assert len(stderr.splitlines()) == 1, stderr
    assert "--results" in stderr
    assert "no such folder" in stderr
    assert "Traceback" not in stderr
    assert not results.parent.exists()


def test_results_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", 3)
    for results in (tmp_path, Path("/proc/out.jsonl")):  # a folder; a place no one may write
        code, stdout, stderr = invoke("bulk", str(source), "--emulator", "--results", str(results))
        assert code == 2, stdout + stderr
        assert len(stderr.splitlines()) == 1, stderr
        assert "--results" in stderr


def test_a_lone_surrogate_is_recorded_escaped_and_the_run_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"name": "first", "owner": "m", "useridlist": ["u"]}\n'
        '{"name": "bad\\ud800", "owner": "m", "useridlist": ["u"]}\n'
        '{"name": "third", "owner": "m", "useridlist": ["u"]}\n',
        encoding="utf-8",
    )
    code, stdout, stderr = invoke("bulk", str(source), "--emulator")
    assert code == 1, stdout + stderr
    results = tmp_path / "in.jsonl.results.jsonl"
    raw = results.read_bytes()
    raw.decode("utf-8")  # the file stays valid UTF-8
    assert b"\\ud800" in raw  # the unencodable name, escaped
    records = {record["line"]: record for record in results_of(results)}
    assert {line: record["status"] for line, record in records.items()} == {
        1: "created",
        2: "invalid",
        3: "created",
    }
    assert records[2]["name"] == "bad\ud800"
    assert "line 2:" in stdout + stderr
    resumed = CliRunner().invoke(main, ["bulk", str(source), "--emulator", "--resume"])
    assert resumed.exit_code == 1, resumed.output
    assert "Skipped 2 inputs" in resumed.output


def test_an_unclosed_quote_refuses_the_file_naming_the_line_it_opened_on(tmp_path: Path) -> None:
    rows = [f"g{n},m,u\n" for n in range(50)]
    rows[10] = '"g10,m,u\n'  # line 12: its quote never closes
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "".join(rows), encoding="utf-8")
    code, stdout, stderr = invoke("bulk", str(source), "--emulator")
    assert code == 2, stdout + stderr
    assert len(stderr.splitlines()) == 1, stderr
    assert "line 12" in stderr
    assert "quote" in stderr
    assert not (tmp_path / "in.csv.results.jsonl").exists()


def test_a_quote_closed_lines_later_accounts_for_every_line(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        HEADER + 'g2,m,u\n"g3,m,u\ng4,m,u\ng5",m,u\ng6,m,u\n',  # lines 3-5 are one record
        encoding="utf-8",
    )
    code, stdout, stderr = invoke("bulk", str(source), "--emulator")
    assert code == 1, stdout + stderr
    records = {record["line"]: record for record in results_of(tmp_path / "in.csv.results.jsonl")}
    assert {line: record["status"] for line, record in records.items()} == {
        2: "created",
        3: "invalid",
        6: "created",
    }
    assert "line 3 to line 5" in records[3]["message"]


CHINESE_ROWS = "测试群,经理4220,用户1;用户2\n项目群,经理4221,用户3\n"


def test_gbk_and_utf16_files_get_one_clear_error_then_run_with_encoding(tmp_path: Path) -> None:
    for encoding, named in (("gbk", "GBK"), ("utf-16", "UTF-16")):
        source = tmp_path / f"{encoding}.csv"
        source.write_bytes((HEADER + CHINESE_ROWS).encode(encoding))
        code, stdout, stderr = invoke("bulk", str(source), "--emulator")
        assert code == 2, stdout + stderr
        assert len(stderr.splitlines()) == 1, stderr
        assert "UTF-8" in stderr
        assert named in stderr
        assert "--encoding" in stderr
        assert "Traceback" not in stderr
        assert not (tmp_path / f"{encoding}.csv.results.jsonl").exists()

        code, stdout, stderr = invoke("bulk", str(source), "--emulator", "--encoding", encoding)
        assert code == 0, stdout + stderr
        names = {
            record["name"] for record in results_of(tmp_path / f"{encoding}.csv.results.jsonl")
        }
        assert names == {"测试群", "项目群"}


def test_a_gbk_error_names_the_first_line_that_is_not_utf8(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes((HEADER + "plain,m,u\n").encode() + CHINESE_ROWS.encode("gbk"))
    code, _stdout, stderr = invoke("bulk", str(source), "--emulator")
    assert code == 2
    assert "line 3" in stderr


def test_utf8_with_or_without_a_byte_order_mark_runs(tmp_path: Path) -> None:
    for name, prefix in (("plain.csv", b""), ("bom.csv", b"\xef\xbb\xbf")):
        source = tmp_path / name
        source.write_bytes(prefix + (HEADER + CHINESE_ROWS).encode("utf-8"))
        code, stdout, stderr = invoke("bulk", str(source), "--emulator")
        assert code == 0, stdout + stderr
        names = {record["name"] for record in results_of(tmp_path / f"{name}.results.jsonl")}
        assert names == {"测试群", "项目群"}


def test_an_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    code, _stdout, stderr = invoke(
        "bulk", str(write_csv(tmp_path / "in.csv", 1)), "--emulator", "--encoding", "klingon"
    )
    assert code == 2
    assert "klingon" in stderr


def test_a_missing_required_column_is_one_error_from_the_header(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "name,useridlist\n" + "".join(f"g{n},u\n" for n in range(20_000)), encoding="utf-8"
    )
    code, stdout, stderr = invoke("bulk", str(source), "--emulator")
    assert code == 2, stdout[-500:] + stderr[-500:]
    assert stdout == ""
    assert len(stderr.splitlines()) == 1, stderr[:500]
    assert "owner" in stderr
    assert not (tmp_path / "in.csv.results.jsonl").exists()

"""docs/cli.md keeps up with the `dingtalk-im` command.

The options themselves are generated from the click commands by mkdocs-click;
these tests check the hand-written parts: the flags the prose names, the
environment variables, the input fields, the results records and the exit
statuses.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import click
import pytest

from dingtalk_im_async import (
    ApiError,
    CreateGroupRequest,
    CreateGroupResult,
    ManagementOptions,
    TransportError,
)
from dingtalk_im_async._core.wire import wire_name
from dingtalk_im_async.cli import _inputs, _problems, _results, _rows, _tally, main

DOCS = Path(__file__).resolve().parents[2] / "docs"
CLI_PAGE = (DOCS / "cli.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under `heading` (a whole heading line), up to the next heading of any level."""
    body = text.split(f"\n{heading}\n", 1)[1]
    return re.split(r"\n#+ ", body, maxsplit=1)[0]


def table_rows(text: str) -> list[list[str]]:
    """The cells of every row of the first Markdown table in `text`, header and rule left out."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def every_command(command: click.Command = main) -> list[click.Command]:
    """`dingtalk-im` and its subcommands, those of command groups (`group update`) too."""
    found = [command]
    for child in getattr(command, "commands", {}).values():
        found += every_command(child)
    return found


def every_option() -> list[click.Option]:
    """Every option of `dingtalk-im` and of its subcommands, at any depth."""
    options = []
    for command in every_command():
        context = click.Context(command, info_name=command.name, **main.context_settings)
        options += [
            param for param in command.get_params(context) if isinstance(param, click.Option)
        ]
    return options


def test_the_page_generates_the_options_of_every_command() -> None:
    block = re.search(r"::: mkdocs-click\n((?:    .*\n)+)", CLI_PAGE)
    assert block is not None
    settings = dict(re.findall(r":(\w+): (\S+)", block.group(1)))
    assert settings["module"] == "dingtalk_im_async.cli"
    assert settings["command"] == "main"  # recursively: every subcommand
    assert settings["prog_name"] == "dingtalk-im"


def test_each_command_has_its_own_section() -> None:
    for name in main.commands:
        # An id of its own: the generated options take `#dingtalk-im-{name}`.
        assert f"\n## `dingtalk-im {name}` {{ #{name} }}\n" in CLI_PAGE, name


@pytest.mark.parametrize("page", ["cli.md", "bulk.md"])
def test_every_flag_the_prose_names_exists(page: str) -> None:
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if "examples/bulk_script.py --" not in line)
    flags = {flag for option in every_option() for flag in [*option.opts, *option.secondary_opts]}
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-h)\b", text))
    assert named
    assert named <= flags, sorted(named - flags)


def test_the_credentials_table_lists_every_environment_variable() -> None:
    rows = table_rows(section(CLI_PAGE, "## Credentials and where calls go"))
    documented = {code_spans(row[0])[0]: code_spans(row[1])[0] for row in rows}
    envvars = {
        option.envvar: option.opts[0] for option in every_option() if isinstance(option.envvar, str)
    }
    assert documented == envvars


def test_the_input_table_lists_every_field_under_both_names() -> None:
    rows = table_rows(section(CLI_PAGE, "### Input"))
    documented = {(code_spans(row[0])[0], code_spans(row[1])[0]) for row in rows}
    fields = [*attrs.fields(CreateGroupRequest), *attrs.fields(ManagementOptions)]
    accepted = {
        (wire_name(field), field.name) for field in fields if field.name != "management_options"
    }
    assert documented == accepted
    required = {code_spans(row[0])[0] for row in rows if row[2] == "yes"}
    assert required == set(_rows.required_columns(CreateGroupRequest))


def test_the_suffixes_named_are_the_ones_read() -> None:
    text = section(CLI_PAGE, "### Input")
    for suffix in _inputs.FORMATS:
        assert f"`{suffix}`" in text, suffix


RECORDS = {
    _results.CREATED: _results.created_record(
        2, "n", CreateGroupResult(open_conversation_id="cid", chatid="chat", conversation_tag=2)
    ),
    _results.FAILED: _results.error_record(
        3, "n", ApiError(status=400, code="permession.checkFailed", message="m", request_id="r")
    ),
    _results.INVALID: _results.invalid_record(4, "n", "useridlist: missing"),
    _results.UNKNOWN: _results.error_record(5, "n", TransportError("dropped", reached_wire=True)),
}


def test_the_results_table_describes_each_status_and_its_fields() -> None:
    rows = table_rows(section(CLI_PAGE, "### Results file"))
    assert {code_spans(row[0])[0] for row in rows} == set(RECORDS)
    for row in rows:
        status = code_spans(row[0])[0]
        fields = set(RECORDS[status]) - {"line", "name", "status"}
        assert fields <= set(code_spans(row[2])), status


def test_the_results_example_has_the_fields_the_cli_writes() -> None:
    text = section(CLI_PAGE, "### Results file")
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    examples = [json.loads(line) for line in block.splitlines()]
    assert {example["status"] for example in examples} == set(RECORDS)
    for example in examples:
        expected = set(RECORDS[example["status"]])
        assert set(example) - {"rateLimitedRetries"} == expected, example


def test_the_exit_status_table_matches_the_cli() -> None:
    rows = table_rows(section(CLI_PAGE, "### Exit status"))
    statuses = {int(code_spans(row[0])[0]) for row in rows}
    assert statuses == {0, 1, 2, _problems.EXIT_RESULTS_UNWRITABLE, _tally.EXIT_INTERRUPTED}

"""The docs keep up with the code: the errors page has a row per exception and code."""

from __future__ import annotations

import re
from pathlib import Path

import dingtalk_im_async
from dingtalk_im_async import emulator, errors, stream, testing
from tests.project.test_readme import readme_commands

ERRORS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def errors_table_rows() -> dict[str, str]:
    """The "Every exception" table, keyed by the exception named in its first cell."""
    text = ERRORS_PAGE.read_text(encoding="utf-8")
    section = text.split("## Every exception", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `(\w+)`", line)
        if match:
            rows[match.group(1)] = line
    return rows


def test_errors_page_has_a_row_for_every_exported_exception() -> None:
    exported = {
        name
        for name in dingtalk_im_async.__all__
        if isinstance(value := getattr(dingtalk_im_async, name), type)
        and issubclass(value, errors.DingTalkError)
    }
    assert set(errors_table_rows()) == exported


def test_errors_page_names_every_code_next_to_the_exception_it_raises() -> None:
    rows = errors_table_rows()
    for code, cls in errors._CODE_CLASSES.items():
        assert f"`{code}`" in rows[cls.__name__], code
    for prefix in errors._RATE_LIMIT_PREFIXES:
        assert f"`{prefix}" in rows["RateLimitError"], prefix
    for errcode, cls in errors._LEGACY_CODE_CLASSES.items():
        assert errcode in rows[cls.__name__], errcode
    for errcode in errors.LEGACY_REFUSALS:
        assert errcode in rows["LegacyRefusalError"], errcode
    for code in errors.DOCUMENTED_REFUSALS:
        assert f"`{code}`" in rows["ApiError"], code
    assert "`AuthenticationFailed.*`" in rows["InvalidTokenError"]


def test_snippet_lines_on_every_page_are_well_formed() -> None:
    """A formatter that rewrites `--8<-- "file"` would silently show garbage instead of code."""
    pages = sorted((ERRORS_PAGE.parent).rglob("*.md"))
    snippet_lines = [
        (page.name, line)
        for page in pages
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("--8")
    ]
    assert len(snippet_lines) >= 9
    for page, line in snippet_lines:
        assert re.fullmatch(r'--8<-- "[\w/.]+(:\w+)?"', line), (page, line)


def test_every_public_name_has_an_api_reference_entry() -> None:
    reference = "".join(
        page.read_text(encoding="utf-8") for page in (ERRORS_PAGE.parent / "reference").glob("*.md")
    )
    documented = set(re.findall(r"^::: ([\w.]+)$", reference, flags=re.MULTILINE))
    public = {f"dingtalk_im_async.{name}" for name in dingtalk_im_async.__all__}
    public |= {f"dingtalk_im_async.emulator.{name}" for name in emulator.__all__}
    public |= {
        f"dingtalk_im_async.testing.{name}"
        for name in testing.__all__
        if name not in emulator.__all__
    }
    public |= {f"dingtalk_im_async.stream.{name}" for name in stream.__all__}
    assert public <= documented, sorted(public - documented)


def test_the_readme_first_command_opens_the_docs_too() -> None:
    """README line 1 is the first command people run; the home page and the guides show it."""
    first_command = readme_commands()[0]
    for page in ("index.md", "getting-started.md", "bulk.md"):
        assert first_command in (ERRORS_PAGE.parent / page).read_text(encoding="utf-8"), page

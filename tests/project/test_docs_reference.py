"""Every row of every API reference table says what it is.

The site is built as a reader gets it (`mkdocs build --strict`), and each table on
each page under docs/reference/ (every page there, so a family's new page is held
to it from its first commit) is read: a row whose Description cell is empty, or only
repeats the docstring of a builtin used as a default factory (`dict() -> new empty
dictionary`), fails. Rows come from the docstring under each attrs field (or its
`description` metadata, as the settings do) and from the `Args:` of docstrings.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"
#: Docstrings a field's row shows when griffe-fieldz falls back on its default factory.
FACTORY_DOCS = tuple(
    inspect.cleandoc(factory.__doc__ or "").splitlines()[0]
    for factory in (dict, list, set, frozenset, tuple, time.monotonic, time.time)
)


@attrs.define
class Table:
    """One table of a page: the `id` of the heading above it, its header and its rows."""

    under: str
    header: list[str] = attrs.field(factory=list)
    rows: list[list[str]] = attrs.field(factory=list)


class TableReader(HTMLParser):
    """The tables of a built page, each with the anchor of the heading it sits under."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self._open: list[Table] = []
        self._under = ""
        self._row: list[tuple[str, str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        anchor = dict(attributes).get("id")
        if tag in {"h1", "h2", "h3", "h4", "h5"} and anchor:
            self._under = anchor
        elif tag == "table":
            self._open.append(Table(under=self._under))
        elif tag == "tr" and self._open:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._open:
            self.tables.append(self._open.pop())
        elif tag in {"td", "th"} and self._row is not None and self._cell is not None:
            self._row.append((tag, " ".join("".join(self._cell).split())))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._open:
            if self._row and all(kind == "th" for kind, _ in self._row):
                self._open[-1].header = [text for _, text in self._row]
            else:
                self._open[-1].rows.append([text for _, text in self._row])
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def described_rows(html: str) -> Iterator[tuple[str, str, str]]:
    """(heading anchor, row name, description) of each row of a table with a Description."""
    reader = TableReader()
    reader.feed(html)
    for table in reader.tables:
        if "Description" not in table.header:
            continue
        column = table.header.index("Description")
        for row in table.rows:
            yield table.under, row[0], row[column] if column < len(row) else ""


def says_nothing(description: str) -> bool:
    return not description.strip() or description.startswith(FACTORY_DOCS)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs site, built with --strict (a broken reference fails here too)."""
    site_dir = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    return site_dir


REFERENCE_PAGES = sorted(page.stem for page in REFERENCE.glob("*.md"))


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_no_row_of_a_reference_page_is_empty(site: Path, page: str) -> None:
    html = (site / "reference" / page / "index.html").read_text(encoding="utf-8")
    empty = [
        f"{under}: {name}"
        for under, name, description in described_rows(html)
        if says_nothing(description)
    ]
    assert not empty, f"reference/{page}.md: rows without a description:\n" + "\n".join(empty)


def test_the_reference_pages_have_rows_to_check(site: Path) -> None:
    """The reader finds the tables: the classes with fields are there, row by row."""
    rows = {
        (under, name)
        for page in REFERENCE_PAGES
        for under, name, _ in described_rows(
            (site / "reference" / page / "index.html").read_text(encoding="utf-8")
        )
    }
    assert ("dingtalk_im_async.CreateGroupRequest", "useridlist") in rows
    assert ("dingtalk_im_async.stream.BotMessage", "sender_staff_id") in rows
    assert ("dingtalk_im_async.emulator.EmulatorSettings", "qps_limit") in rows
    assert len(rows) > 300


def test_an_empty_or_factory_row_is_found() -> None:
    """The check itself: an empty cell and a builtin factory's docstring both fail."""
    page = """
    <h2 id="pkg.Thing">Thing</h2>
    <table><thead><tr><th>Name</th><th>Type</th><th>Description</th><th>Default</th></tr>
    </thead><tbody>
    <tr><td><code>good</code></td><td>int</td><td><p>What it is.</p></td><td>1</td></tr>
    <tr><td><code>blank</code></td><td>int</td><td> </td><td>1</td></tr>
    <tr><td><code>made</code></td><td>dict</td><td>dict() -&gt; new empty dictionary
    dict(mapping) -&gt; ...</td><td></td></tr>
    </tbody></table>"""
    flagged = [name for _, name, text in described_rows(page) if says_nothing(text)]
    assert flagged == ["blank", "made"]


def nav_pages(entries: list[object]) -> Iterator[str]:
    """Each page the site's navigation links, in order, as often as it is linked."""
    for entry in entries:
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, dict):
            for value in entry.values():
                yield from nav_pages(value if isinstance(value, list) else [value])


def test_the_navigation_lists_each_page_once() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    pages = list(nav_pages(nav))
    assert "guides/bot.md" in pages
    assert sorted({page for page in pages if pages.count(page) > 1}) == []


def test_each_name_has_one_reference_entry() -> None:
    """A name documented twice is rendered twice, both under one anchor."""
    entries = [
        line
        for page in sorted(REFERENCE.glob("*.md"))
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("::: ")
    ]
    assert sorted({entry for entry in entries if entries.count(entry) > 1}) == []

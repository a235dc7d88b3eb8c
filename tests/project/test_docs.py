"""The docs keep up with the code: the errors page has a row per exception and code."""

from __future__ import annotations

import re
from pathlib import Path

import dingtalk_im_async
from dingtalk_im_async import emulator, errors, stream, testing
from dingtalk_im_async._core.endpoint import declared_endpoints
from dingtalk_im_async.stream.reply import WEBHOOK_CODES
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


def declared_codes() -> errors.ErrorCodes:
    """Every code table there is: the common codes, each endpoint's, the sessionWebhook's."""
    codes = errors.COMMON_CODES | WEBHOOK_CODES
    for endpoint in declared_endpoints():
        codes = codes | endpoint.codes
    return codes


def test_errors_page_names_every_code_next_to_the_exception_it_raises() -> None:
    rows = errors_table_rows()
    codes = declared_codes()
    for code, cls in codes.classes.items():
        assert (f"`{code}`" if not code.lstrip("-").isdigit() else code) in rows[cls.__name__], code
    for prefix, cls in codes.prefixes:
        assert f"`{prefix}" in rows[cls.__name__], prefix
    for code in codes.refusals:
        legacy = code.isdigit()
        row = rows["LegacyRefusalError" if legacy else "ApiError"]
        assert (code if legacy else f"`{code}`") in row, code
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


def test_the_docs_say_once_which_hosts_each_doc_set_shows_and_how_to_switch() -> None:
    """The defaults (DingTalk's international docs) beside the hosts its Chinese docs show,
    the two variables that switch them, and that which tenant is on which is unconfirmed."""
    page = (ERRORS_PAGE.parent / "getting-started.md").read_text(encoding="utf-8")
    section = page.split("### Which host", 1)[1].split("\n## ", 1)[0]
    for host in (
        dingtalk_im_async.DEFAULT_BASE_URL,
        dingtalk_im_async.DEFAULT_OAPI_BASE_URL,
        "https://api.dingtalk.com",
        "https://oapi.dingtalk.com",
    ):
        assert host in section, host
    for name in (dingtalk_im_async.BASE_URL_ENV, dingtalk_im_async.OAPI_BASE_URL_ENV):
        assert f"export {name}=" in section, name
    assert "not\nconfirmed" in section or "not confirmed" in section
    others = [
        path.name
        for path in ERRORS_PAGE.parent.rglob("*.md")
        if path.name != "getting-started.md"
        and "https://api.dingtalk.com" in path.read_text(encoding="utf-8")
    ]
    assert others == [], "said once: link to getting-started.md#which-host instead"

"""The files a package owes its users: the licence pyproject.toml declares, and a changelog
with an entry for the version it ships."""

from __future__ import annotations

import re
from pathlib import Path

import dingtalk_im_async

ROOT = Path(__file__).resolve().parents[2]


def pyproject_value(key: str) -> str:
    text = ROOT.joinpath("pyproject.toml").read_text(encoding="utf-8")
    found = re.search(rf'^{key} = "([^"]*)"', text, flags=re.MULTILINE)
    assert found is not None, key
    return found[1]


def test_the_license_file_is_the_mit_license_pyproject_declares() -> None:
    assert pyproject_value("license") == "MIT"
    text = ROOT.joinpath("LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert re.search(r"^Copyright \(c\) \d{4} dingtalk-im-async developers$", text, re.MULTILINE)
    assert "Permission is hereby granted, free of charge, to any person obtaining a copy" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def test_the_changelog_has_an_entry_for_the_shipped_version() -> None:
    version = pyproject_value("version")
    assert version == dingtalk_im_async.__version__
    text = ROOT.joinpath("CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    headings = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert headings[0] == "Unreleased"
    assert version in headings

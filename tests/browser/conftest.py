"""Headless Chromium (Debian's `chromium` + `chromium-driver`) and a `dingtalk-im emulator` process.

Selenium Manager never runs: the driver and the browser binary are given
explicitly, so nothing is downloaded. The emulator runs as its own process
(the page's polling must not wait on a test that blocks in Selenium) and is
reset over its admin API before each test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
COMMAND = Path(sys.executable).with_name("dingtalk-im")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.browser)


class EmulatorProcess:
    """`dingtalk-im emulator --port 0` and its banner's credentials."""

    def __init__(self, process: subprocess.Popen[str], banner: dict[str, str]) -> None:
        self.process = process
        self.base_url = banner["DINGTALK_BASE_URL"]
        self.app_key = banner["DINGTALK_APP_KEY"]
        self.app_secret = banner["DINGTALK_APP_SECRET"]

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base_url}/_emulator{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    process = subprocess.Popen(
        [str(COMMAND), "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner: dict[str, str] = {}
        for line in process.stdout:
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                banner[name] = value
            if "Ctrl-C" in line:
                break
        yield EmulatorProcess(process, banner)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def emulator(emulator_process: EmulatorProcess) -> EmulatorProcess:
    emulator_process.admin("POST", "/reset")
    emulator_process.admin("PUT", "/qps", {"limit": None, "perApi": {}})
    return emulator_process


@pytest.fixture(scope="session")
def driver() -> Iterator[webdriver.Chrome]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(
            "the browser tests need Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver)",
            pytrace=False,
        )
    profile = tempfile.mkdtemp(prefix="dashboard-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        browser.set_window_size(1440, 1000)
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)

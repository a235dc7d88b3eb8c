"""The dashboard's "Organisations" panel in headless Chromium: a suite installed in two
organisations, a corp token fetched and used by one of them, and the panel shows that
organisation's calls, token fetches and quota used, and no cross-tenant call."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from .conftest import EmulatorProcess
from .test_dashboard import open_dashboard, text_of, wait_for

SUITE, CORP_A, CORP_B = "suite-key-1", "ding-corp-a", "ding-corp-b"


@pytest.fixture
def tenants(emulator: EmulatorProcess) -> Iterator[EmulatorProcess]:
    emulator.admin(
        "PATCH",
        "/settings",
        {"suites": {SUITE: "suite-secret-1"}, "corpIds": [CORP_A, CORP_B], "monthlyCallQuota": 50},
    )
    try:
        yield emulator
    finally:
        emulator.admin(
            "PATCH", "/settings", {"suites": {}, "corpIds": [], "monthlyCallQuota": None}
        )


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def test_an_organisations_use_shows_in_its_panel(
    driver: webdriver.Chrome, tenants: EmulatorProcess
) -> None:
    ticket = tenants.admin("GET", f"/suite-ticket?suiteKey={SUITE}")["suiteTicket"]
    body = {
        "suiteKey": SUITE,
        "suiteSecret": "suite-secret-1",
        "authCorpId": CORP_A,
        "suiteTicket": ticket,
    }
    token = post(tenants.base_url + "/v1.0/oauth2/corpAccessToken", body)["accessToken"]
    query = {"openConversationId": "cid0"}
    headers = {"x-acs-dingtalk-access-token": token}
    for _ in range(2):
        post(tenants.base_url + "/v1.0/im/sceneGroups/query", query, headers)

    open_dashboard(driver, tenants)
    row = f'#organisations tr[data-corp="{CORP_A}"]'
    wait_for(
        driver,
        lambda d: d.find_elements(By.CSS_SELECTOR, row) and text_of(d, f"{row} .calls") == "2",
        "ding-corp-a's calls never showed",
    )
    shown = {
        name: text_of(driver, f"{row} .{name}")
        for name in ("calls", "token-fetches", "quota", "cross")
    }
    assert shown == {"calls": "2", "token-fetches": "1", "quota": "2 / 50", "cross": "0"}
    assert text_of(driver, f'#organisations tr[data-corp="{CORP_B}"] .calls') == "0"
    assert f"{SUITE} ({CORP_A}, {CORP_B})" in text_of(driver, "#organisations-month")

"""The dashboard in headless Chromium: live groups and counts during a bulk run, the fault
control making the next call fail, the QPS control, reset, and both widths."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from dingtalk_im_async import CreateGroupResult, RateLimitError, TransportError

from .client_actions import bulk_create, create_one, post_message
from .conftest import EmulatorProcess

DOCS = Path(__file__).resolve().parents[2] / "docs"
WAIT_SECONDS = 15


def text_of(driver: webdriver.Chrome, selector: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, selector).text)


def wait_for(driver: webdriver.Chrome, condition: object, message: str) -> None:
    WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.1).until(
        lambda d: condition(d),  # type: ignore[operator]
        message,
    )


def open_dashboard(driver: webdriver.Chrome, emulator: EmulatorProcess) -> None:
    driver.set_window_size(1440, 1000)
    driver.get(emulator.base_url + "/")
    wait_for(driver, lambda d: "live" in text_of(d, "#live"), "the page never went live")


def test_groups_and_counts_appear_live_during_a_bulk_run(
    driver: webdriver.Chrome, emulator: EmulatorProcess
) -> None:
    open_dashboard(driver, emulator)
    assert text_of(driver, "#total-groups") == "0"
    seen: set[str] = set()
    run = threading.Thread(target=bulk_create, args=(emulator, 40, 10.0))
    run.start()
    while run.is_alive():
        seen.add(text_of(driver, "#total-groups"))
        run.join(0.2)
    wait_for(driver, lambda d: text_of(d, "#total-groups") == "40", "40 groups never showed")
    assert {value for value in seen if value not in {"0", "40"}}, f"no live update: {seen}"
    wait_for(
        driver,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#groups li.group")) == 40,
        "the group list does not hold 40 groups",
    )
    create_row = driver.find_element(By.CSS_SELECTOR, '#counters tr[data-api="im.group.create"]')
    assert create_row.find_elements(By.TAG_NAME, "td")[1].text == "40"
    assert text_of(driver, "#total-failed") == "0"

    first = driver.find_element(By.CSS_SELECTOR, "#groups details")
    first.find_element(By.TAG_NAME, "summary").click()
    assert first.find_element(By.CSS_SELECTOR, ".members").text == "manager4220, u1, u2"


def test_fault_control_makes_the_next_call_fail(
    driver: webdriver.Chrome, emulator: EmulatorProcess
) -> None:
    open_dashboard(driver, emulator)
    Select(driver.find_element(By.ID, "fault-api")).select_by_value("im.group.create")
    Select(driver.find_element(By.ID, "fault-kind")).select_by_value("connection-closed")
    driver.find_element(By.ID, "inject-fault").click()
    wait_for(driver, lambda d: "Scheduled" in text_of(d, "#status"), "no confirmation")
    assert emulator.admin("GET", "/counters")["apis"][0] is not None

    failed = create_one(emulator)
    assert isinstance(failed, TransportError), failed
    wait_for(driver, lambda d: text_of(d, "#total-failed") == "1", "the failure never showed")
    row = driver.find_element(By.CSS_SELECTOR, "#journal tbody tr.failed")
    assert "connection-closed" in row.text
    assert "/v1.0/im/group/create" in row.text

    assert isinstance(create_one(emulator), CreateGroupResult)  # only the next call failed
    wait_for(driver, lambda d: text_of(d, "#total-groups") == "1", "the retry's group is missing")


def test_qps_control_limits_calls(driver: webdriver.Chrome, emulator: EmulatorProcess) -> None:
    open_dashboard(driver, emulator)
    field = driver.find_element(By.ID, "qps-limit")
    field.clear()
    field.send_keys("1")
    driver.find_element(By.ID, "set-qps").click()
    wait_for(driver, lambda d: "QPS limit: 1" in text_of(d, "#status"), "no confirmation")
    assert emulator.admin("GET", "/qps")["limit"] == 1
    outcomes = bulk_create(emulator, 6)
    refused = [outcome for outcome in outcomes if isinstance(outcome, RateLimitError)]
    assert refused
    wait_for(
        driver,
        lambda d: text_of(d, "#total-rate-limited") != "0",
        "rate-limited calls never showed",
    )


def test_reset_clears_the_page(driver: webdriver.Chrome, emulator: EmulatorProcess) -> None:
    open_dashboard(driver, emulator)
    bulk_create(emulator, 3)
    wait_for(driver, lambda d: text_of(d, "#total-groups") == "3", "groups never showed")
    driver.find_element(By.ID, "reset").click()
    wait_for(driver, lambda d: text_of(d, "#total-groups") == "0", "reset did not clear groups")
    wait_for(
        driver, lambda d: "No requests yet." in text_of(d, "#journal tbody"), "journal not cleared"
    )
    assert emulator.admin("GET", "/groups") == {"groups": []}


@pytest.mark.parametrize("width", [375, 1440])
def test_the_page_fits_the_width_and_is_screenshotted(
    driver: webdriver.Chrome, emulator: EmulatorProcess, width: int, tmp_path: Path
) -> None:
    """No horizontal scrolling of the page at either width. With DASHBOARD_SCREENSHOTS=1
    the screenshots go to docs/ (dashboard-375.png, dashboard-1440.png)."""
    bulk_create(emulator, 6)
    [group] = [g for g in emulator.admin("GET", "/groups")["groups"] if g["name"] == "team-00"]
    key = post_message(emulator, group["openConversationId"], "Release 2.4 is out")
    emulator.admin("POST", f"/messages/{quote(key, safe='')}/read", {"userIds": ["u1"]})
    emulator.admin("POST", "/faults", {"api": "im.group.create", "fault": "html-page"})
    assert not isinstance(create_one(emulator), CreateGroupResult)

    open_dashboard(driver, emulator)
    driver.set_window_size(width, 1100)
    wait_for(driver, lambda d: text_of(d, "#total-groups") == "6", "groups never showed")
    first = driver.find_element(
        By.CSS_SELECTOR, f'#groups details[data-id="{group["openConversationId"]}"]'
    )
    first.find_element(By.TAG_NAME, "summary").click()
    wait_for(driver, lambda d: "read by: u1" in first.text, "read status not shown")
    assert first.find_element(By.CSS_SELECTOR, ".admins").text == "u1"
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 120, 2600))  # the whole page, in one shot
    driver.execute_script("window.scrollTo(0, 0)")
    target = DOCS if os.environ.get("DASHBOARD_SCREENSHOTS") == "1" else tmp_path
    assert driver.save_screenshot(str(target / f"dashboard-{width}.png"))

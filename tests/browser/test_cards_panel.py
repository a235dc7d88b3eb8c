"""The dashboard's cards panel in headless Chromium: an AI answer shows while it is typed
(state, data, deliveries, counts), and the panel's button presses the card, which reaches
the app's Stream handler and stops the answer."""

from __future__ import annotations

import os
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

from .card_actions import ANSWER, TypedAnswer
from .conftest import EmulatorProcess
from .test_dashboard import DOCS, open_dashboard, text_of, wait_for


def card_text(driver: webdriver.Chrome, out_track_id: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, f'#cards li[data-id="{out_track_id}"]').text)


def test_an_answer_is_seen_typed_and_the_stop_button_stops_it(
    driver: webdriver.Chrome, emulator: EmulatorProcess, tmp_path: Path
) -> None:
    group = emulator.admin("POST", "/groups", {"name": "Q&A", "owner": "boss"})
    cid = group["openConversationId"]
    open_dashboard(driver, emulator)
    typed = TypedAnswer(emulator, cid, pause=0.05).start()
    assert typed.started.wait(15), "the answer never started"
    track = typed.out_track_id
    wait_for(driver, lambda d: "INPUTING" in card_text(d, track), "the card never showed typing")
    seen = {card_text(driver, track)}
    wait_for(
        driver,
        lambda d: seen.add(card_text(d, track)) or len(seen) >= 3,
        "the card's text never grew on the page",
    )
    shown = card_text(driver, track)
    assert "AI assistant" in shown  # its other data
    assert f"IM_GROUP.{cid}" in shown  # where it was delivered
    assert "streaming frames" in shown

    driver.set_window_size(1440, 1100)
    driver.execute_script("document.querySelector('#cards').scrollIntoView({block: 'center'})")
    target = DOCS if os.environ.get("DASHBOARD_SCREENSHOTS") == "1" else tmp_path
    assert driver.save_screenshot(str(target / "dashboard-cards.png"))  # mid-answer

    item = driver.find_element(By.CSS_SELECTOR, f'#cards li[data-id="{track}"]')
    assert item.find_element(By.CSS_SELECTOR, "input.action-id").get_attribute("value") == "stop"
    item.find_element(By.CSS_SELECTOR, "button.press-button").click()
    wait_for(driver, lambda d: "Pressed stop" in text_of(d, "#status"), "no confirmation")
    assert typed.done.wait(15), "the answer never ended"
    assert typed.stopped
    wait_for(driver, lambda d: "FINISHED" in card_text(d, track), "the card never showed finished")
    wait_for(driver, lambda d: "by the button" in card_text(d, track), "the reply never showed")
    card = emulator.admin("GET", f"/cards/{track}")
    assert card["state"] == "FINISHED"
    assert card["actions"][0]["actionIds"] == ["stop"]
    assert card["cardData"]["stopped"] == "by the button"
    assert len(card["cardData"]["content"]) < len(ANSWER)  # stopped part way

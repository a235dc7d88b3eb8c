"""A page on another origin, open in the developer's browser, cannot steer the emulator.

A real page, served by a second server on another port, makes the requests a
page may make without a CORS preflight (`fetch` in `no-cors` mode, with and
without a body, and form POSTs of every encoding) to the emulator's reset,
fault, token and Stream-push routes; the emulator's state must not change.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

from .conftest import EmulatorProcess

WAIT_SECONDS = 20
FAULT = {"api": "im.group.create", "fault": "system-error", "count": 5}
TARGETS = {
    "/_emulator/reset": {},
    "/_emulator/tokens/revoke": {},
    "/_emulator/faults": FAULT,
    "/_emulator/stream/messages": {"text": "injected"},
}

PAGE = """<!doctype html><html><head><title>cats</title></head><body>
<script>
const EMULATOR = %(emulator)s;
const TARGETS = %(targets)s;
function framed(name) {
  const frame = document.createElement("iframe");
  frame.name = name;
  document.body.appendChild(frame);
  return new Promise((done) => { frame.onload = done; setTimeout(done, 5000); });
}
async function formPost(path, body, enctype, n) {
  const name = "f" + n;
  const loaded = framed(name);
  const form = document.createElement("form");
  form.method = "POST";
  form.action = EMULATOR + path;
  form.enctype = enctype;
  form.target = name;
  const input = document.createElement("input");
  input.type = "hidden";
  // text/plain sends `name=value`: the classic way to forge a JSON body with a form
  const text = JSON.stringify(body);
  input.name = text.slice(0, -1) + ',"pad":"';
  input.value = '"}';
  form.appendChild(input);
  document.body.appendChild(form);
  form.submit();
  await loaded;
}
async function attack() {
  let n = 0;
  for (const [path, body] of Object.entries(TARGETS)) {
    const text = JSON.stringify(body);
    for (const init of [
      {method: "POST", mode: "no-cors"},
      {method: "POST", mode: "no-cors", body: text},
      {method: "POST", mode: "no-cors", body: text, headers: {"Content-Type": "text/plain"}},
      {method: "POST", mode: "no-cors", body: new URLSearchParams(body)},
      {method: "POST", mode: "no-cors", credentials: "include", body: text},
    ]) {
      try { await fetch(EMULATOR + path, init); } catch (error) {}
    }
    for (const enctype of ["text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data"]) {
      await formPost(path, body, enctype, n++);
    }
  }
  document.title = "done " + n;
}
attack();
</script></body></html>
"""


@pytest.fixture
def hostile_origin(emulator: EmulatorProcess) -> Iterator[str]:
    """A second web server, on another port (another origin), serving the page."""
    page = PAGE % {"emulator": json.dumps(emulator.base_url), "targets": json.dumps(TARGETS)}

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def state_of(emulator: EmulatorProcess) -> dict[str, Any]:
    counters = emulator.admin("GET", "/counters")
    return {
        "groups": [group["chatid"] for group in emulator.admin("GET", "/groups")["groups"]],
        "pending": sum(item["pending"] for item in counters["apis"]),
        "pushes": emulator.admin("GET", "/stream/stats")["pushes"],
        "tokenFetches": counters["totals"]["calls"],
    }


def test_a_page_on_another_origin_cannot_reset_fault_or_push(
    driver: webdriver.Chrome, emulator: EmulatorProcess, hostile_origin: str
) -> None:
    emulator.admin("POST", "/groups", {"name": "kept", "owner": "boss"})
    before = state_of(emulator)
    assert len(before["groups"]) == 1
    driver.get(hostile_origin + "/")
    WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.2).until(
        lambda d: d.title.startswith("done"), "the page never finished its attacks"
    )
    assert driver.title == f"done {3 * len(TARGETS)}"
    assert state_of(emulator) == before
    # the emulator still obeys a tool (no Origin, JSON)
    emulator.admin("POST", "/faults", FAULT)
    assert state_of(emulator)["pending"] == before["pending"] + 5

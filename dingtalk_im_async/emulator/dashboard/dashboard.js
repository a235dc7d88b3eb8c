// The emulator's dashboard: polls the admin API once a second and renders what it answers.
// The families add panels of their own (emulator/<family>/panel.js, loaded after this file)
// with emulatorDashboard.registerPanel({id, title, path, render}): each refresh fetches
// `path` from the admin API and calls render(answer, element).
"use strict";

const API = "/_emulator";
const POLL_MS = 1000;
const JOURNAL_ROWS = 200;
let journal = [];
let journalTotal = 0;

const $ = (selector) => document.querySelector(selector);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child === null || child === undefined ? "" : child);
  return node;
}

async function call(path, options) {
  const reply = await fetch(API + path, options);
  const body = await reply.json();
  if (!reply.ok) throw new Error(body.message || reply.statusText);
  return body;
}

function send(method, path, body) {
  return call(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function say(text) {
  $("#status").textContent = text;
}

function renderCounters(counters) {
  const totals = counters.totals;
  $("#total-calls").textContent = totals.calls;
  $("#total-groups").textContent = totals.groups;
  $("#total-failed").textContent = totals.failedRequests;
  $("#total-rate-limited").textContent = totals.rateLimited;
  const rows = counters.apis
    .filter((api) => api.calls > 0 || api.pending > 0)
    .map((api) => {
      const injected = Object.entries(api.injected).map(([k, v]) => `${k}×${v}`).join(", ");
      return el("tr", { "data-api": api.api }, el("td", {}, api.api), el("td", {}, api.calls),
        el("td", {}, api.rateLimited), el("td", {}, api.qpsLimit ?? "none"),
        el("td", {}, injected || "–"), el("td", {}, api.pending));
    });
  $("#counters tbody").replaceChildren(
    ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No calls yet."))]));
  const select = $("#fault-api");
  if (!select.options.length) {
    for (const api of counters.apis) select.append(el("option", { value: api.api }, api.api));
    select.value = "im.group.create";
  }
}

function list(values) {
  return values.length ? values.join(", ") : "–";
}

const panels = [];

function registerPanel(panel) {
  const body = el("div", { class: "panel-body" });
  const section = el("section", { class: "panel", "aria-label": panel.title }, el("h2", {}, panel.title), body);
  $("#family-panels").append(section);
  panels.push({ ...panel, body });
}

async function refreshPanels() {
  const answers = await Promise.all(panels.map((panel) => call(panel.path)));
  panels.forEach((panel, index) => panel.render(answers[index], panel.body));
}

window.emulatorDashboard = { registerPanel, el, list };

function renderJournal() {
  const rows = journal.slice(-JOURNAL_ROWS).reverse().map((line) =>
    el("tr", { class: line.failed ? "failed" : "" }, el("td", {}, line.index), el("td", {}, line.method),
      el("td", { class: "path" }, line.path), el("td", {}, line.api ?? "–"),
      el("td", {}, line.status ?? "no reply"), el("td", {}, line.fault ?? ""),
      el("td", {}, line.elapsedMs === null ? "…" : line.elapsedMs.toFixed(1))));
  $("#journal tbody").replaceChildren(
    ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 7, class: "empty" }, "No requests yet."))]));
}

async function pollJournal() {
  // Lines still in flight are fetched again; a reset (fewer lines) starts over.
  const pending = journal.findIndex((line) => line.elapsedMs === null);
  const since = pending >= 0 ? journal[pending].index : journalTotal;
  const page = await call(`/requests?since=${since}&limit=${JOURNAL_ROWS}`);
  if (page.total < journalTotal) journal = [];
  journal = journal.filter((line) => line.index < (page.requests[0]?.index ?? page.total)).concat(page.requests).slice(-JOURNAL_ROWS);
  journalTotal = page.total;
  renderJournal();
}

async function refresh() {
  try {
    renderCounters(await call("/counters"));
    await refreshPanels();
    await pollJournal();
    $("#live").textContent = `live · updated ${new Date().toLocaleTimeString()}`;
    $("#live").className = "live ok";
  } catch (error) {
    $("#live").textContent = `cannot reach the emulator (${error.message})`;
    $("#live").className = "live down";
  }
}

async function act(action, done) {
  try {
    await action();
    say(done);
  } catch (error) {
    say(`Failed: ${error.message}`);
  }
  await refresh();
}

$("#fault-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const api = $("#fault-api").value;
  const fault = $("#fault-kind").value;
  const count = Number($("#fault-count").value || 1);
  act(() => send("POST", "/faults", { api, fault, count }), `Scheduled ${fault} for the next ${count} call(s) to ${api}.`);
});

$("#qps-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const raw = $("#qps-limit").value;
  const limit = raw === "" ? null : Number(raw);
  act(() => send("PUT", "/qps", { limit }), `QPS limit: ${limit ?? "none"}.`);
});

$("#reset").addEventListener("click", () => {
  act(async () => {
    await send("POST", "/reset");
    journal = [];
    journalTotal = 0;
  }, "Reset: groups, journal, counters and faults forgotten.");
});

async function start() {
  try {
    const creds = await call("/credentials");
    $("#credentials").textContent = `${creds.baseUrl} · app key ${creds.appKey} · app secret ${creds.appSecret} (test credentials)`;
    const qps = await call("/qps");
    $("#qps-limit").value = qps.limit ?? "";
  } catch (error) {
    $("#credentials").textContent = `cannot reach the emulator (${error.message})`;
  }
  await refresh();
  setInterval(refresh, POLL_MS);
}

// Family panels register as their scripts load; the page starts once all are in.
window.addEventListener("load", start);

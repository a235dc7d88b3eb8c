// The multi-organisation mode's dashboard panel, "Organisations": per organisation, the calls
// its tokens made, the tokens fetched for it, its quota used this month (of the emulator's
// clock) and the calls that reached into another organisation's data; per suite, the
// organisations that installed it. Loaded after dashboard.js.
"use strict";

(() => {
  const { registerPanel, el, list } = window.emulatorDashboard;

  function renderOrg(org) {
    const quota = org.quotaLimit === null ? `${org.quotaUsed}` : `${org.quotaUsed} / ${org.quotaLimit}`;
    const name = org.internal ? `${org.corpId} (the app's own)` : org.corpId;
    return el("tr", { "data-corp": org.corpId, class: org.crossTenantCalls ? "failed" : "" },
      el("td", {}, name), el("td", { class: "calls" }, org.calls),
      el("td", { class: "token-fetches" }, org.tokenFetches), el("td", { class: "quota" }, quota),
      el("td", {}, org.rateLimited + org.quotaRefused), el("td", { class: "cross" }, org.crossTenantCalls),
      el("td", {}, list(org.suites)));
  }

  registerPanel({
    id: "organisations",
    title: "Organisations",
    path: "/tenants",
    render(answer, body) {
      let table = body.querySelector("#organisations");
      if (!table) {
        const head = ["organisation", "calls", "token fetches", "quota used", "refused", "cross-tenant", "suites"];
        table = el("table", { id: "organisations" },
          el("thead", {}, el("tr", {}, ...head.map((title) => el("th", {}, title)))), el("tbody", {}));
        // In a scrolling box, as the other tables: a narrow screen scrolls the table, not the page.
        body.append(
          el("p", { class: "muted", id: "organisations-month" }), el("div", { class: "scroll" }, table));
      }
      body.querySelector("#organisations-month").textContent =
        `Month ${answer.month} · cross-tenant calls: ${answer.crossTenantCalls} · suites: ` +
        (answer.suites.map((suite) => `${suite.suiteKey} (${list(suite.corpIds)})`).join("; ") || "none");
      table.querySelector("tbody").replaceChildren(...answer.organisations.map(renderOrg));
    },
  });
})();

// The cards family's dashboard panel: each card with its template, state, current data (an AI
// answer shows as it is typed), deliveries and counts; a STREAM card has a button that presses
// it (POST /_emulator/cards/{outTrackId}/actions), reaching Stream subscribers. Loaded after
// dashboard.js.
"use strict";

(() => {
  const { registerPanel, el, list } = window.emulatorDashboard;
  const actionIds = new Map(); // what was typed into each card's action box, kept across refreshes
  const STATE_CLASS = { PROCESSING: "processing", INPUTING: "typing", FINISHED: "finished", FAILED: "failed" };

  document.head.append(el("style", {}, `
    .cards { list-style: none; margin: 0; padding: 0; }
    .cards > li { border-bottom: 1px solid var(--line); padding: 8px 0; }
    .cards .head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; overflow-wrap: anywhere; }
    .cards .state { font-size: 12px; padding: 1px 8px; border-radius: 10px; background: var(--bg); color: var(--muted); }
    .cards .state.typing { background: #e8f0fe; color: var(--accent); }
    .cards .state.typing::after { content: " ▍"; animation: blink 1s steps(1) infinite; }
    .cards .state.finished { background: #ecfdf3; color: #067647; }
    .cards .state.failed { background: var(--bad-bg); color: var(--bad); }
    @keyframes blink { 50% { opacity: 0; } }
    .cards dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 6px 0 0 14px; }
    .cards dt { color: var(--muted); }
    .cards dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
    .cards form { margin: 6px 0 0 14px; }
  `));

  function pressForm(card) {
    const id = card.outTrackId;
    const input = el("input", { type: "text", "aria-label": `action id for ${id}`, placeholder: "action id", class: "action-id" });
    input.value = actionIds.get(id) ?? "stop";
    input.addEventListener("input", () => actionIds.set(id, input.value));
    const form = el("form", { class: "press" }, input, el("button", { type: "submit", class: "press-button" }, "Press"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const actionId = input.value.trim();
      const reply = await fetch(`/_emulator/cards/${encodeURIComponent(id)}/actions`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ actionIds: actionId ? [actionId] : [] }),
      });
      const body = await reply.json();
      document.querySelector("#status").textContent = reply.ok
        ? `Pressed ${actionId || "(no action)"} on card ${id}.`
        : `Failed: ${body.message}`;
    });
    return form;
  }

  function renderCard(card) {
    const data = Object.entries(card.cardData).flatMap(([key, value]) =>
      [el("dt", {}, key), el("dd", { class: "value", "data-key": key }, value === "" ? "–" : value)]);
    const spaces = card.deliveries.map((delivery) => delivery.space);
    const item = el("li", { class: "card-item", "data-id": card.outTrackId },
      el("div", { class: "head" },
        el("strong", {}, card.outTrackId),
        el("span", { class: `state ${STATE_CLASS[card.state] ?? ""}` }, card.state),
        el("span", { class: "muted" }, `${card.updates} updates · ${card.frames} streaming frames`)),
      el("dl", {},
        el("dt", {}, "template"), el("dd", {}, card.cardTemplateId),
        el("dt", {}, "delivered to"), el("dd", { class: "deliveries" }, list(spaces)),
        ...data));
    if (card.callbackType === "STREAM") item.append(pressForm(card));
    return item;
  }

  registerPanel({
    id: "cards",
    title: "Cards",
    path: "/cards",
    render(answer, body) {
      let cards = body.querySelector("#cards");
      if (!cards) {
        cards = el("ul", { id: "cards", class: "cards" });
        body.append(cards);
      }
      // An action id being typed keeps its box: only the other cards are redrawn then.
      const typing = document.activeElement?.closest?.("#cards li");
      const items = answer.cards.map((card) =>
        typing && typing.dataset.id === card.outTrackId ? typing : renderCard(card));
      cards.replaceChildren(...(items.length ? items : [el("li", { class: "empty" }, "No cards yet.")]));
    },
  });
})();

// The groups family's dashboard panel: each group, opened to show its owner, admins,
// members, robots and messages with who read them. Loaded after dashboard.js.
"use strict";

(() => {
  const { registerPanel, el, list } = window.emulatorDashboard;
  const openGroups = new Set();

  function renderMessage(message) {
    const text = message.msgParam.content || message.msgParam.title || message.msgKey;
    return el("div", { class: "msg" }, el("div", {}, `${text} `, el("span", { class: "muted" }, `(${message.status})`)),
      el("div", { class: "muted" }, `read by: ${list(message.readBy)} · unread: ${list(message.unreadBy)}`));
  }

  function renderGroup(group) {
    const id = group.openConversationId;
    const details = el("details", { "data-id": id },
      el("summary", {}, `${group.name} `, el("span", { class: "muted" }, `(${group.members.length} members${group.status === 2 ? ", disbanded" : ""})`)),
      el("dl", {},
        el("dt", {}, "openConversationId"), el("dd", {}, id),
        el("dt", {}, "chatid"), el("dd", {}, group.chatid),
        el("dt", {}, "owner"), el("dd", {}, group.owner),
        el("dt", {}, "admins"), el("dd", { class: "admins" }, list(group.subAdmins)),
        el("dt", {}, "members"), el("dd", { class: "members" }, list(group.members)),
        el("dt", {}, "robots"), el("dd", {}, list(group.robots)),
        el("dt", {}, "messages"), el("dd", { class: "messages" }, ...(group.messages.length ? group.messages.map(renderMessage) : ["–"]))));
    details.open = openGroups.has(id);
    details.addEventListener("toggle", () => (details.open ? openGroups.add(id) : openGroups.delete(id)));
    return el("li", { class: "group" }, details);
  }

  registerPanel({
    id: "groups",
    title: "Groups",
    path: "/groups",
    render(answer, body) {
      let groups = body.querySelector("#groups");
      if (!groups) {
        groups = el("ul", { id: "groups", class: "groups" });
        body.append(groups);
      }
      const items = answer.groups.map(renderGroup);
      groups.replaceChildren(...(items.length ? items : [el("li", { class: "empty" }, "No groups yet.")]));
    },
  });
})();

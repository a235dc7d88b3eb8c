// The scene-groups family's dashboard panel: each group made from a template, opened to
// show its template, dedup key, owner, admins, members, mutes and status. Loaded after
// dashboard.js.
"use strict";

(() => {
  const { registerPanel, el, list } = window.emulatorDashboard;
  const openGroups = new Set();

  function mutedNow(mutes) {
    const now = Date.now();
    return Object.entries(mutes).filter(([, span]) => span.start <= now && now < span.end).map(([user]) => user);
  }

  function renderSceneGroup(scene) {
    const id = scene.openConversationId;
    const state = scene.status === 2 ? ", disbanded" : "";
    const details = el("details", { "data-id": id },
      el("summary", {}, `${scene.name} `, el("span", { class: "muted" }, `(${scene.members.length + scene.extMembers.length} members${state})`)),
      el("dl", {},
        el("dt", {}, "openConversationId"), el("dd", {}, id),
        el("dt", {}, "chatid"), el("dd", {}, scene.chatid),
        el("dt", {}, "template"), el("dd", { class: "template" }, scene.templateId),
        el("dt", {}, "uuid"), el("dd", { class: "uuid" }, scene.uuid ?? "–"),
        el("dt", {}, "owner"), el("dd", {}, scene.owner),
        el("dt", {}, "admins"), el("dd", { class: "admins" }, list(scene.subAdmins)),
        el("dt", {}, "members"), el("dd", { class: "members" }, list([...scene.members, ...scene.extMembers])),
        el("dt", {}, "muted"), el("dd", { class: "muted-members" }, list(mutedNow(scene.mutes))),
        el("dt", {}, "robots"), el("dd", {}, list(scene.robots))));
    details.open = openGroups.has(id);
    details.addEventListener("toggle", () => (details.open ? openGroups.add(id) : openGroups.delete(id)));
    return el("li", { class: "group" }, details);
  }

  registerPanel({
    id: "scene-groups",
    title: "Scene groups",
    path: "/scene-groups",
    render(answer, body) {
      let groups = body.querySelector("#scene-groups");
      if (!groups) {
        groups = el("ul", { id: "scene-groups", class: "groups" });
        body.append(groups);
      }
      const items = answer.sceneGroups.map(renderSceneGroup);
      groups.replaceChildren(...(items.length ? items : [el("li", { class: "empty" }, "No scene groups yet.")]));
    },
  });
})();

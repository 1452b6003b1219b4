// The projects the caller may see: where to label, and (for owners) their dashboards.
import { api, formatTokens } from "../api.js";
import { hasRole, session } from "../app.js";
import { empty, h, richText } from "../dom.js";

function projectCard(project) {
  const mine = session.me && (project.owner === session.me.address || session.me.roles.includes("admin"));
  const canLabel = project.status === "active" && session.me.roles.includes("annotator");
  const kind = project.schema.kind;
  return h("article", { class: "card project", dataset: { project: project.name } },
    h("header", {},
      h("h2", {}, project.name),
      h("span", { class: `badge status-${project.status}` }, project.status)),
    h("p", { class: "meta" }, h("span", { class: "kind" }, kind),
      project.domain ? ` · domain ${project.domain}` : "",
      ` · ${formatTokens(project.reward_per_label)} per label`),
    h("p", { class: "instructions" }, project.instructions ? richText(project.instructions.slice(0, 180)) : "No instructions."),
    h("div", { class: "actions" },
      canLabel ? h("a", { class: "button primary", href: `#/projects/${project.id}/work` }, "Start labelling") : null,
      canLabel && project.domain && !session.me.domains.includes(project.domain)
        ? h("a", { class: "button", href: `#/projects/${project.id}/exam` }, "Take the exam") : null,
      mine ? h("a", { class: "button", href: `#/projects/${project.id}/dashboard` }, "Dashboard") : null));
}

export async function render(main) {
  const items = [];
  let after = 0;
  for (;;) {
    const page = await api.get(`/projects?limit=100&after=${after}`);
    items.push(...page.items);
    if (page.next_after === null) break;
    after = page.next_after;
  }
  const heading = h("div", { class: "page-head" }, h("h1", {}, "Projects"),
    hasRole("requester") ? h("a", { class: "button primary", href: "#/projects/new" }, "New project") : null);
  if (!items.length) {
    main.replaceChildren(heading, empty("No projects yet",
      hasRole("requester")
        ? "Create your first project: name it, pick a label kind, then upload items."
        : "No project is open for labelling right now. Come back later."));
    return;
  }
  main.replaceChildren(heading, h("div", { class: "grid cards" }, items.map(projectCard)));
}

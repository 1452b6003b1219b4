// The requester's dashboard: status, uploads, progress, agreement, label distribution,
// spend against budget, epochs, licence revenue, exports.
import { api, ApiError, formatTokens } from "../api.js";
import { session } from "../app.js";
import { barChart, meter } from "../charts.js";
import { clearErrors, empty, errorBox, field, h, loading, showFieldError, unavailable } from "../dom.js";

const EXPORTS = { jsonl: "JSON Lines", csv: "CSV", labelstudio: "Label Studio", coco: "COCO (boxes)" };
const NEXT_STATUS = { draft: ["active"], active: ["paused", "closed"], paused: ["active", "closed"], closed: [] };
const STATUS_VERB = { active: "Activate", paused: "Pause", closed: "Close" };

function section(title, ...children) {
  return h("section", { class: "card panel", "aria-label": title }, h("h2", {}, title), ...children);
}

// A panel that fills itself from one request and shows loading, empty, missing states.
function lazyPanel(title, load) {
  const body = h("div", {}, loading());
  load().then((node) => body.replaceChildren(node)).catch((error) => body.replaceChildren(errorBox(error)));
  return section(title, body);
}

async function missingOr(promise, what, endpoint) {
  try {
    return { value: await promise };
  } catch (error) {
    if (error instanceof ApiError && error.isMissingEndpoint) return { node: unavailable(what, endpoint) };
    throw error;
  }
}

function statusBar(project, rerender) {
  const slot = h("div", { class: "error-slot" });
  const buttons = NEXT_STATUS[project.status].map((status) => h("button", {
    type: "button", class: status === "active" ? "primary" : status === "closed" ? "danger" : "",
    onclick: async () => {
      if (status === "closed" && !confirm(`Close ${project.name}? Annotators will get no more of its items.`)) return;
      try {
        await api.post(`/projects/${project.id}/status`, { status });
        rerender();
      } catch (error) { slot.replaceChildren(errorBox(error)); }
    },
  }, STATUS_VERB[status]));
  return h("div", { class: "status-bar" },
    h("span", { class: `badge status-${project.status}`, "data-testid": "status" }, project.status),
    h("span", { class: "meta" }, `${project.schema.kind} · ${describeSchema(project.schema)}`),
    h("div", { class: "actions" }, buttons), slot);
}

function describeSchema(schema) {
  if (schema.classes) return schema.classes.join(", ");
  if (schema.tags) return schema.tags.join(", ");
  if (schema.max_rating) return `1..${schema.max_rating}`;
  return `up to ${schema.max_length} characters`;
}

function uploadForm(project, rerender) {
  const files = h("input", { type: "file", name: "files", multiple: true, accept: ".jsonl,.csv,.json,image/*" });
  const format = h("select", { name: "format" }, h("option", { value: "" }, "from the file name"),
    ["jsonl", "csv", "labelstudio", "images"].map((f) => h("option", { value: f }, f)));
  const result = h("p", { class: "result", role: "status" });
  const form = h("form", { class: "form", "aria-label": "Upload items" },
    field("Items file(s)", files, "One JSONL, CSV or Label Studio file, or any number of images. All or nothing."),
    field("Format", format),
    h("button", { type: "submit", class: "primary" }, "Upload items"), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    result.textContent = "";
    if (!files.files.length) { showFieldError(form, { error: "InvalidInput", detail: "files: choose a file to upload", field: "files" }); return; }
    const body = new FormData();
    for (const file of files.files) body.append("files", file);
    const query = format.value ? `?format=${format.value}` : "";
    result.textContent = "Uploading…";
    try {
      const summary = await api.upload(`/projects/${project.id}/items${query}`, body);
      rerender({ notice: `Stored ${summary.items} items${summary.annotations ? ` and ${summary.annotations} labels` : ""}.` });
    } catch (error) {
      result.textContent = "";
      showFieldError(form, { ...error, error: error.error, detail: error.detail, field: error.field || "files" });
    }
  });
  return form;
}

function goldForm(project) {
  const file = h("input", { type: "file", name: "gold", accept: ".json,application/json" });
  const result = h("p", { class: "result", role: "status" });
  const form = h("form", { class: "form", "aria-label": "Upload gold answers" },
    field("Gold answers (JSON)", file, 'An object from item external id to answer, e.g. {"review-001": "pos"}.'),
    h("button", { type: "submit" }, "Upload gold"), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    result.textContent = "";
    let gold;
    try {
      gold = JSON.parse(await file.files[0].text());
    } catch (error) {
      showFieldError(form, { error: "InvalidInput", detail: `gold: choose a JSON file (${error.message})`, field: "gold" });
      return;
    }
    try {
      const out = await api.post(`/projects/${project.id}/gold`, { gold });
      result.textContent = `${out.items} items are gold now.`;
    } catch (error) {
      showFieldError(form, { ...error, error: error.error, detail: error.detail, field: "gold" });
    }
  });
  return form;
}

async function progressPanel(project) {
  const stats = await api.get(`/projects/${project.id}/stats`);
  if (!stats.items) return empty("No items yet", "Upload items above; progress appears here as they are labelled.");
  const perItem = Object.entries(stats.labels_per_item).sort(([a], [b]) => Number(a) - Number(b))
    .map(([count, items]) => [`${count} label${count === "1" ? "" : "s"}`, items]);
  const alpha = stats.agreement_alpha;
  return h("div", {},
    meter(stats.fraction_done, `${stats.items_done} of ${stats.items} items done`),
    h("dl", { class: "figures", "data-testid": "figures" },
      h("div", {}, h("dt", {}, "Items"), h("dd", {}, stats.items)),
      h("div", {}, h("dt", {}, "Gold items"), h("dd", {}, stats.gold_items)),
      h("div", {}, h("dt", {}, "Labels"), h("dd", { "data-testid": "labels" }, stats.labels)),
      h("div", {}, h("dt", {}, "Annotators"), h("dd", {}, stats.annotators)),
      h("div", {}, h("dt", { title: "Krippendorff's alpha (nominal) over items with two or more labels" }, "Agreement α"),
        h("dd", {}, alpha === null ? "—" : alpha.toFixed(2)))),
    barChart(perItem, { label: "Items by number of labels" }));
}

async function distributionPanel(project) {
  const rows = [];
  let after = 0;
  for (let page = 0; page < 20; page += 1) {
    const items = await api.get(`/projects/${project.id}/items?limit=500&after=${after}`);
    rows.push(...items.items);
    if (items.next_after === null) break;
    after = items.next_after;
  }
  if (!rows.length) return empty("No items yet", "The distribution of inferred labels appears once items are labelled.");
  const counts = new Map();
  for (const item of rows) {
    const key = item.inferred === null || item.inferred === undefined ? "not yet inferred"
      : typeof item.inferred === "object" ? `${Array.isArray(item.inferred) ? item.inferred.length : 1} value(s)` : String(item.inferred);
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  const table = h("table", { class: "table" },
    h("thead", {}, h("tr", {}, h("th", {}, "item"), h("th", {}, "labels"), h("th", {}, "inferred"), h("th", {}, "gold"))),
    h("tbody", {}, rows.slice(0, 12).map((item) => h("tr", {},
      h("td", {}, item.external_id), h("td", {}, `${item.n_labels} / ${item.label_target}`),
      h("td", {}, item.inferred === null ? "—" : JSON.stringify(item.inferred)),
      h("td", {}, item.is_gold ? "yes" : "")))));
  return h("div", {}, barChart([...counts.entries()], { label: "Items by inferred label" }),
    h("details", {}, h("summary", {}, `First items (${rows.length} in all)`), table));
}

async function spendPanel(project) {
  const stats = await api.get(`/projects/${project.id}/stats`);
  const budget = BigInt(project.budget);
  const atBase = BigInt(project.reward_per_label) * BigInt(stats.labels);
  const fraction = budget > 0n ? Number((atBase * 10000n) / budget) / 10000 : 0;
  const panel = h("div", {},
    meter(fraction, "of the budget at the base rate"),
    h("dl", { class: "figures" },
      h("div", {}, h("dt", {}, "Budget"), h("dd", {}, formatTokens(project.budget))),
      h("div", {}, h("dt", {}, "Labels × base rate"), h("dd", {}, formatTokens(atBase.toString())))),
    h("p", { class: "hint" }, "Rewards scale with each label's quality; what an epoch paid shows when you close it."));
  if (session.me.roles.includes("admin")) panel.append(fundForm(project));
  return panel;
}

// With the local backend an admin records a deposit once the tokens have arrived.
function fundForm(project) {
  const amount = h("input", { name: "amount", inputmode: "decimal", placeholder: "100" });
  const result = h("p", { class: "result", role: "status" });
  const form = h("form", { class: "form", "aria-label": "Fund the escrow" },
    field("Deposit into escrow (tokens)", amount), h("button", { type: "submit" }, "Record deposit"), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      const out = await api.post(`/projects/${project.id}/fund`, { amount: amount.value.trim() });
      result.textContent = `Escrow now ${formatTokens(out.escrow)}.`;
    } catch (error) { showFieldError(form, error); }
  });
  return form;
}

async function epochsPanel(project, rerender, closed) {
  const slot = h("div", { class: "error-slot" });
  const close = h("button", { type: "button", class: "primary", "data-testid": "close-epoch" }, "Close epoch and settle");
  close.addEventListener("click", async () => {
    close.disabled = true;
    slot.replaceChildren(loading("Settling…"));
    try {
      const epoch = await api.post(`/projects/${project.id}/epochs`, {});
      rerender({ epoch });
    } catch (error) {
      slot.replaceChildren(error instanceof ApiError && error.isMissingEndpoint
        ? unavailable("Closing an epoch", "POST /api/v1/projects/{id}/epochs") : errorBox(error));
      close.disabled = false;
    }
  });
  const listed = await missingOr(api.get(`/projects/${project.id}/epochs`), "The list of epochs", "GET /api/v1/projects/{id}/epochs");
  const body = listed.node ?? (listed.value.length
    ? h("table", { class: "table", "data-testid": "epochs" },
      h("thead", {}, h("tr", {}, ["epoch", "closed", "Merkle root"].map((t) => h("th", {}, t)))),
      h("tbody", {}, listed.value.map((epoch) => h("tr", {},
        h("td", {}, epoch.number),
        h("td", {}, epoch.closed_at ? new Date(epoch.closed_at).toLocaleDateString() : "open"),
        h("td", {}, h("code", { title: epoch.merkle_root || "" }, epoch.merkle_root ? `${epoch.merkle_root.slice(0, 12)}…` : "—"))))))
    : empty("No epochs yet", "Close an epoch to settle the labels so far: rewards, slashes, shares and a Merkle root."));
  const news = closed
    ? h("p", { class: "success", role: "status", "data-testid": "epoch-closed" },
      closed.is_new
        ? `Epoch ${closed.number} settled: ${formatTokens(closed.rewards_paid)} paid in rewards, ${formatTokens(closed.slashed)} slashed, escrow left ${formatTokens(closed.escrow_after)}.`
        : `Nothing new to settle; epoch ${closed.number} stands.`)
    : null;
  return h("div", {}, news, body, h("div", { class: "actions" }, close), slot);
}

async function annotatorsPanel(project) {
  const listed = await missingOr(api.get(`/projects/${project.id}/annotators`), "Annotators with their reliability", "GET /api/v1/projects/{id}/annotators");
  if (listed.node) return listed.node;
  if (!listed.value.length) return empty("No annotators yet", "Annotators appear here with their reliability once they label.");
  const rows = listed.value.map((a) => [`${a.address.slice(0, 6)}…${a.address.slice(-4)}`, Math.round((a.reliability ?? 0) * 100)]);
  return h("div", {}, barChart(rows, { label: "Reliability", unit: "%" }),
    h("table", { class: "table" }, h("thead", {}, h("tr", {}, ["annotator", "labels", "reliability", "gold accuracy"].map((t) => h("th", {}, t)))),
      h("tbody", {}, listed.value.map((a) => h("tr", {}, h("td", {}, h("code", {}, a.address)), h("td", {}, a.labels ?? "—"),
        h("td", {}, a.reliability === null || a.reliability === undefined ? "—" : a.reliability.toFixed(2)),
        h("td", {}, a.gold_accuracy === null || a.gold_accuracy === undefined ? "—" : a.gold_accuracy.toFixed(2)))))));
}

async function revenuePanel(project) {
  const listed = await missingOr(api.get(`/projects/${project.id}/licences`), "The list of licence payments", "GET /api/v1/projects/{id}/licences");
  if (listed.node) return listed.node;
  if (!listed.value.length) return empty("No licence revenue yet", "Revenue from licences of this dataset is split among its shareholders.");
  return h("ul", {}, listed.value.map((p) => h("li", {}, `${formatTokens(p.amount)} from ${p.buyer}`)));
}

function exportButtons(project) {
  const slot = h("div", { class: "error-slot" });
  return h("div", {}, h("div", { class: "actions" }, Object.entries(EXPORTS).map(([format, text]) =>
    h("button", {
      type: "button", dataset: { format },
      onclick: async () => {
        slot.replaceChildren();
        try {
          const response = await api.raw(`/projects/${project.id}/export?format=${format}`);
          const name = (response.headers.get("content-disposition") || "").match(/filename="([^"]+)"/)?.[1] || `export.${format}`;
          const link = h("a", { href: URL.createObjectURL(await response.blob()), download: name });
          document.body.append(link);
          link.click();
          link.remove();
        } catch (error) { slot.replaceChildren(errorBox(error)); }
      },
    }, `Export ${text}`))), slot);
}

export async function render(main, projectId) {
  const here = location.hash;
  const draw = async ({ epoch: closed, notice } = {}) => {
    const project = await api.get(`/projects/${projectId}`);
    if (location.hash !== here) return; // the user went elsewhere meanwhile
    const rerender = (options) => draw(options).catch((error) => main.replaceChildren(errorBox(error)));
    main.replaceChildren(...[
      h("div", { class: "page-head" }, h("h1", {}, project.name), h("a", { class: "button", href: "#/projects" }, "All projects")),
      statusBar(project, rerender),
      notice ? h("p", { class: "success", role: "status", "data-testid": "notice" }, notice) : null,
      h("div", { class: "grid dash" },
        lazyPanel("Progress", () => progressPanel(project)),
        lazyPanel("Label distribution", () => distributionPanel(project)),
        section("Upload", uploadForm(project, rerender), goldForm(project)),
        lazyPanel("Spend against budget", () => spendPanel(project)),
        lazyPanel("Epochs", () => epochsPanel(project, rerender, closed)),
        lazyPanel("Annotators", () => annotatorsPanel(project)),
        lazyPanel("Licence revenue", () => revenuePanel(project)),
        section("Export", exportButtons(project)))].filter(Boolean));
  };
  await draw();
}

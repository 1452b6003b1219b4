// The annotator's workspace: instructions beside the item, the control for the
// project's label kind, submit (Enter), skip (s), undo (u or Ctrl+Z). The next item
// loads without a page reload; the time spent is sent as lead time.
import { api, ApiError } from "../api.js";
import { empty, errorBox, h, isTyping, loading, richText, unavailable } from "../dom.js";
import { imageUrl } from "../media.js";
import { itemView } from "./item.js";

const CONTROLS = {
  classification: () => import("../controls/classification.js"),
  multilabel: () => import("../controls/multilabel.js"),
  rating: () => import("../controls/rating.js"),
  spans: () => import("../controls/spans.js"),
  bbox: () => import("../controls/bbox.js"),
  text: () => import("../controls/text.js"),
  pairwise: () => import("../controls/pairwise.js"),
  ranking: () => import("../controls/ranking.js"),
  rubric: () => import("../controls/rubric.js"),
};

export async function render(main, projectId) {
  const project = await api.get(`/projects/${projectId}`);
  const counter = h("span", { class: "counter", "data-testid": "done-count" }, "0");
  const stage = h("section", { class: "stage", "aria-live": "polite" }, loading("Fetching the next item…"));
  const instructions = h("aside", { class: "instructions card" },
    h("h2", {}, "Instructions"),
    h("p", { class: "prewrap" }, project.instructions ? richText(project.instructions) : "No instructions."),
    h("h3", {}, "Keys"),
    h("ul", { class: "keys", id: "keys" }));
  main.replaceChildren(
    h("div", { class: "page-head" },
      h("h1", {}, project.name),
      h("p", { class: "meta" }, `${project.schema.kind} · labelled this session: `, counter)),
    h("div", { class: "workspace" }, instructions, stage));

  let task = null;
  let ctrl = null;
  let state = null;
  let history = [];
  let startedAt = 0;
  let busy = false;
  let done = 0;
  let idempotencyKey = null;

  const change = (mutate, { snapshot = true, render = true } = {}) => {
    if (snapshot) history.push(structuredClone(state));
    mutate(state);
    if (render) ctrl.update(state);
    refreshButtons();
  };
  const submitButton = h("button", { type: "button", class: "primary", onclick: () => submit() }, h("kbd", {}, "Enter"), " Submit");
  const undoButton = h("button", { type: "button", onclick: () => undo() }, h("kbd", {}, "U"), " Undo");
  const skipButton = h("button", { type: "button", onclick: () => skip() }, h("kbd", {}, "S"), " Skip");
  const errorSlot = h("div", { class: "error-slot" });
  const refreshButtons = () => {
    submitButton.disabled = busy || !ctrl || !ctrl.isReady(state);
    undoButton.disabled = busy || history.length === 0;
    skipButton.disabled = busy || !task;
  };

  async function next() {
    task = null;
    ctrl = null;
    refreshButtons();
    stage.replaceChildren(loading("Fetching the next item…"));
    try {
      task = await api.get(`/projects/${projectId}/next`);
    } catch (error) {
      if (error instanceof ApiError && error.error === "NoWorkAvailable") {
        stage.replaceChildren(empty("Nothing left to label", `${error.detail.replace(/^[\w.]+: /, "")}. Thank you! Your labels count toward the next epoch.`,
          h("a", { class: "button", href: "#/earnings" }, "See your earnings"),
          h("a", { class: "button", href: "#/projects" }, "Other projects")));
        return;
      }
      if (error instanceof ApiError && error.error === "MissingDomain") {
        stage.replaceChildren(empty("Qualify first", error.detail,
          h("a", { class: "button primary", href: `#/projects/${projectId}/exam` }, "Take the exam")));
        return;
      }
      stage.replaceChildren(errorBox(error));
      return;
    }
    const schema = task.schema;
    const load = CONTROLS[schema.kind];
    if (!load) {
      stage.replaceChildren(unavailable(`Labelling ${schema.kind} items`, "a control for this label kind"));
      return;
    }
    const module = await load();
    ctrl = module.control(schema, task.payload);
    state = structuredClone(ctrl.initial);
    ctrl.state = () => state;
    history = [];
    idempotencyKey = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
    const host = h("div", { class: `control control-${schema.kind}`, "data-testid": "control" });
    document.getElementById("keys").replaceChildren(
      h("li", {}, ctrl.help), h("li", {}, "Enter submits, S skips, U or Ctrl+Z undoes the last change."));
    stage.replaceChildren(
      h("article", { class: "card task", dataset: { item: task.item_id } },
        h("p", { class: "meta" }, `Item ${task.item_id}`),
        itemView(task.payload, schema.kind, schema.text_field),
        host,
        errorSlot,
        h("div", { class: "actions" }, submitButton, undoButton, skipButton)));
    errorSlot.replaceChildren();
    await ctrl.mount(host, { change, imageSource: () => imageUrl(task.payload.image) });
    ctrl.update(state);
    startedAt = performance.now();
    refreshButtons();
  }

  function undo() {
    if (!history.length || busy) return;
    state = history.pop();
    ctrl.update(state);
    refreshButtons();
  }

  async function submit() {
    if (busy || !ctrl || !ctrl.isReady(state)) return;
    busy = true;
    refreshButtons();
    errorSlot.replaceChildren();
    try {
      await api.post("/annotations", {
        project_id: task.project_id,
        item_id: task.item_id,
        value: ctrl.value(state),
        lead_time_ms: Math.round(performance.now() - startedAt),
      }, { "Idempotency-Key": idempotencyKey });
      done += 1;
      counter.textContent = String(done);
      busy = false;
      await next();
    } catch (error) {
      busy = false;
      errorSlot.replaceChildren(h("div", { class: "error", role: "alert" },
        h("strong", {}, error.error || "Error"), error.field ? ` (${error.field})` : "", ": ", error.detail));
      refreshButtons();
    }
  }

  async function skip() {
    if (busy || !task) return;
    busy = true;
    try {
      await api.post(`/projects/${projectId}/items/${task.item_id}/skip`);
      busy = false;
      await next();
    } catch (error) {
      busy = false;
      errorSlot.replaceChildren(errorBox(error));
      refreshButtons();
    }
  }

  const onKey = (event) => {
    if (!ctrl) return;
    // Enter submits from anywhere but a text box (there Ctrl+Enter); Space still
    // presses the focused button.
    if (event.key === "Enter" && (!isTyping(event) || event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
      return;
    }
    if (isTyping(event) || event.altKey || event.metaKey) return;
    if ((event.key === "z" && event.ctrlKey) || (event.key === "u" && !event.ctrlKey)) {
      event.preventDefault();
      undo();
    } else if (event.key === "s" && !event.ctrlKey) {
      event.preventDefault();
      skip();
    } else if (!event.ctrlKey && ctrl.onKey(event, state)) {
      event.preventDefault();
    }
  };
  document.addEventListener("keydown", onKey);
  await next();
  return () => document.removeEventListener("keydown", onKey);
}

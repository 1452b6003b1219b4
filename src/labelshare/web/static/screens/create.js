// A requester creates a project: its terms and its label schema.
import { api } from "../api.js";
import { clearErrors, field, h, showFieldError } from "../dom.js";

const KINDS = {
  classification: "Classification (one class)",
  multilabel: "Multi-label (any classes)",
  rating: "Rating 1..K",
  spans: "Spans over text (NER)",
  bbox: "Boxes on images",
  text: "Free text",
};

function input(name, attrs = {}) {
  return h("input", { name, ...attrs });
}

function schemaOf(form) {
  const kind = form.elements.kind.value;
  const names = form.elements.classes.value.split(",").map((s) => s.trim()).filter(Boolean);
  if (kind === "classification" || kind === "multilabel" || kind === "bbox") return { kind, classes: names };
  if (kind === "spans") return { kind, tags: names };
  if (kind === "rating") return { kind, max_rating: Number(form.elements.max_rating.value) };
  return { kind, max_length: Number(form.elements.max_length.value) };
}

export async function render(main) {
  const kind = h("select", { name: "kind" },
    Object.entries(KINDS).map(([value, text]) => h("option", { value }, text)));
  const classes = input("classes", { value: "pos, neg, neu", placeholder: "cat, dog" });
  const classesField = field("Classes (comma separated)", classes, "Keys 1–9 pick them in the workspace, in this order.");
  const maxRating = input("max_rating", { type: "number", min: 2, max: 100, value: 5 });
  const ratingField = field("Highest rating (K)", maxRating);
  const maxLength = input("max_length", { type: "number", min: 1, value: 280 });
  const lengthField = field("Longest answer (characters)", maxLength);
  const form = h("form", { class: "card form", novalidate: true },
    h("fieldset", {}, h("legend", {}, "Project"),
      field("Name", input("name", { required: true, maxlength: 100, placeholder: "street-signs" })),
      field("Instructions", h("textarea", { name: "instructions", rows: 4, placeholder: "What should annotators do? Markdown is shown as text." })),
      field("Domain (optional)", input("domain", { placeholder: "sentiment" }), "Only annotators qualified in this domain get its items.")),
    h("fieldset", {}, h("legend", {}, "Labels"),
      field("Label kind", kind), classesField, ratingField, lengthField),
    h("fieldset", {}, h("legend", {}, "Quality and money"),
      h("div", { class: "grid two" },
        field("Labels per item, at least", input("redundancy_min", { type: "number", min: 1, max: 100, value: 3 })),
        field("Labels per item, at most", input("redundancy_max", { type: "number", min: 1, max: 100, value: 5 })),
        field("Gold rate", input("gold_rate", { type: "number", min: 0, max: 0.99, step: 0.01, value: 0.1 }), "Share of items with known answers, to measure annotators."),
        field("Reward per label (tokens)", input("reward_per_label", { value: "0.05", inputmode: "decimal" })),
        field("Budget (tokens)", input("budget", { value: "100", inputmode: "decimal" })),
        field("Annotators' royalty share (%)", input("royalty_share", { type: "number", min: 0, max: 100, step: 0.01, value: 70 }), "Of later licence revenue, paid to the dataset's shareholders."))),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create project"),
      h("a", { class: "button", href: "#/projects" }, "Cancel")));

  const showKind = () => {
    const value = kind.value;
    classesField.hidden = !["classification", "multilabel", "bbox", "spans"].includes(value);
    classesField.querySelector("label").textContent = value === "spans" ? "Tags (comma separated)" : "Classes (comma separated)";
    ratingField.hidden = value !== "rating";
    lengthField.hidden = value !== "text";
  };
  kind.addEventListener("change", showKind);
  showKind();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const e = form.elements;
    const body = {
      name: e.name.value.trim(),
      instructions: e.instructions.value,
      schema: schemaOf(form),
      redundancy_min: Number(e.redundancy_min.value),
      redundancy_max: Number(e.redundancy_max.value),
      gold_rate: Number(e.gold_rate.value),
      reward_per_label: e.reward_per_label.value.trim(),
      budget: e.budget.value.trim(),
      royalty_share_bps: Math.round(Number(e.royalty_share.value) * 100),
    };
    if (e.domain.value.trim()) body.domain = e.domain.value.trim();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const project = await api.post("/projects", body);
      location.hash = `#/projects/${project.id}/dashboard`;
    } catch (error) {
      // The API names schema fields "schema.classes" etc.; the form's inputs are flat.
      const fieldName = { royalty_share_bps: "royalty_share", schema: kind.value === "rating" ? "max_rating" : kind.value === "text" ? "max_length" : "classes" };
      const head = error.field ? error.field.split(".")[0] : null;
      showFieldError(form, { ...error, error: error.error, detail: error.detail, field: fieldName[head] || error.field });
    } finally {
      submit.disabled = false;
    }
  });
  main.replaceChildren(h("div", { class: "page-head" }, h("h1", {}, "New project")), form);
  form.elements.name.focus();
}

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
  pairwise: "Pairwise preference (A or B)",
  ranking: "Ranking of responses",
  rubric: "Rubric scores per criterion",
};

// The input a schema error goes to when the API's message names no option of the form.
const SCHEMA_INPUT = { rating: "max_rating", text: "max_length", pairwise: "max_strength", ranking: "kind", rubric: "criteria" };

function names(text) {
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}

function input(name, attrs = {}) {
  return h("input", { name, ...attrs });
}

function schemaOf(form) {
  const e = form.elements;
  const kind = e.kind.value;
  const classes = names(e.classes.value);
  if (kind === "classification" || kind === "multilabel" || kind === "bbox") return { kind, classes };
  if (kind === "spans") return { kind, tags: classes };
  if (kind === "rating") return { kind, max_rating: Number(e.max_rating.value) };
  if (kind === "pairwise") return { kind, allow_ties: e.allow_ties.checked, max_strength: Number(e.max_strength.value) };
  if (kind === "ranking") return { kind };
  if (kind === "rubric") {
    return { kind, criteria: names(e.criteria.value), min_score: Number(e.min_score.value), max_score: Number(e.max_score.value) };
  }
  return { kind, max_length: Number(e.max_length.value) };
}

// The schema option a validation message names first ("schema: criteria: needs ...",
// "schema: schema: max_score 1 must be above ..."), when the form has an input of that
// name; else the kind's main input.
function schemaInput(form, detail) {
  const option = /^(?:schema: )+([a-z_]+)/.exec(detail || "")?.[1];
  return option && form.elements[option] ? option : SCHEMA_INPUT[form.elements.kind.value] || "classes";
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
  const allowTies = input("allow_ties", { type: "checkbox", checked: true });
  const maxStrength = input("max_strength", { type: "number", min: 1, max: 10, value: 3 });
  const pairwiseFields = h("div", { class: "grid two" },
    h("div", { class: "field" }, h("label", { class: "check" }, allowTies, "Allow ties"),
      h("p", { class: "hint" }, "Annotators may say neither response is better (key T).")),
    field("Strongest preference", maxStrength, "Annotators may rate how clear their preference is, from 1 to this."));
  const criteria = input("criteria", { value: "helpfulness, harmlessness, honesty", placeholder: "helpfulness, honesty" });
  const minScore = input("min_score", { type: "number", min: -100, max: 100, value: 1 });
  const maxScore = input("max_score", { type: "number", min: -100, max: 100, value: 5 });
  const rubricFields = h("div", {},
    field("Criteria (comma separated)", criteria, "Each response is scored on every criterion, in this order."),
    h("div", { class: "grid two" }, field("Lowest score", minScore), field("Highest score", maxScore)));
  const rankingNote = h("p", { class: "hint" },
    "Items carry a prompt and its responses; annotators order them best first (number keys or drag).");
  const form = h("form", { class: "card form", novalidate: true },
    h("fieldset", {}, h("legend", {}, "Project"),
      field("Name", input("name", { required: true, maxlength: 100, placeholder: "street-signs" })),
      field("Instructions", h("textarea", { name: "instructions", rows: 4, placeholder: "What should annotators do? Markdown is shown as text." })),
      field("Domain (optional)", input("domain", { placeholder: "sentiment" }), "Only annotators qualified in this domain get its items.")),
    h("fieldset", {}, h("legend", {}, "Labels"),
      field("Label kind", kind), classesField, ratingField, lengthField, pairwiseFields, rubricFields, rankingNote),
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
    pairwiseFields.hidden = value !== "pairwise";
    rubricFields.hidden = value !== "rubric";
    rankingNote.hidden = value !== "ranking";
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
      const fieldName = { royalty_share_bps: "royalty_share", schema: schemaInput(form, error.detail) };
      const head = error.field ? error.field.split(".")[0] : null;
      showFieldError(form, { ...error, error: error.error, detail: error.detail, field: fieldName[head] || error.field });
    } finally {
      submit.disabled = false;
    }
  });
  main.replaceChildren(h("div", { class: "page-head" }, h("h1", {}, "New project")), form);
  form.elements.name.focus();
}

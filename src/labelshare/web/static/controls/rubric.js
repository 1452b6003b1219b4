// Scores per criterion: one row per criterion, ↑/↓ move between rows, number keys score
// the current row and move on. Key k gives the k-th level of the scale (so on a 1..5
// scale the key is the score).
import { h } from "../dom.js";
import { responseText } from "./pairwise.js";

export function control(schema, payload) {
  const criteria = schema.criteria;
  const min = schema.min_score ?? 1;
  const max = schema.max_score ?? 5;
  const levels = [];
  for (let score = min; score <= max; score += 1) levels.push(score);
  let host;

  const score = (criterion, value) => (s) => {
    s.scores[criterion] = value;
    const next = criteria.findIndex((name) => s.scores[name] === undefined);
    s.row = next === -1 ? s.row : next;
  };

  return {
    initial: { scores: {}, row: 0 },
    help: `↑/↓ pick a criterion; keys 1–${Math.min(levels.length, 9)} score it (${min}–${max}).`,
    mount(node, { change }) {
      host = node;
      this.change = change;
    },
    update(state) {
      const context = [];
      if (payload && typeof payload.prompt === "string") {
        context.push(h("div", { class: "prompt card" }, h("h3", {}, "Prompt"), h("p", { class: "prewrap" }, payload.prompt)));
      }
      const shown = payload?.response !== undefined ? [payload.response]
        : Array.isArray(payload?.responses) ? payload.responses : [];
      for (const response of shown) context.push(h("div", { class: "response-text prewrap card" }, responseText(response)));
      host.replaceChildren(...context, h("table", { class: "rubric" }, h("tbody", {},
        criteria.map((criterion, row) => h("tr", {
          class: row === state.row ? "current" : "",
          "aria-current": row === state.row ? "true" : null,
          dataset: { criterion },
        },
        h("th", { scope: "row" }, criterion),
        h("td", {}, h("div", { class: "choices scale", role: "radiogroup", "aria-label": criterion },
          levels.map((value) => h("button", {
            type: "button",
            role: "radio",
            class: "choice rating",
            "aria-checked": state.scores[criterion] === value ? "true" : "false",
            "aria-label": `${criterion} ${value}`,
            onclick: () => this.change((s) => { s.row = row; score(criterion, value)(s); }),
          }, String(value))))))))));
    },
    onKey(event, state) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        const step = event.key === "ArrowDown" ? 1 : -1;
        const row = Math.min(criteria.length - 1, Math.max(0, state.row + step));
        this.change((s) => { s.row = row; }, { snapshot: false });
        return true;
      }
      const digit = Number(event.key);
      if (/^\d$/.test(event.key) && digit >= 1 && digit <= Math.min(levels.length, 9)) {
        this.change(score(criteria[state.row], levels[digit - 1]));
        return true;
      }
      return false;
    },
    value: (state) => Object.fromEntries(criteria.map((name) => [name, state.scores[name]])),
    isReady: (state) => criteria.every((name) => state.scores[name] !== undefined),
  };
}

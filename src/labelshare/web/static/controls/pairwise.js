// Which of two responses is better: the prompt above, the two responses side by side
// in a random order per item load, keys A / B / T for left / right / tie, an optional
// strength 1..K and a rationale. The stored choice names the response by its place in
// the payload (A = responses[0]); `shown_first` records which one was on the left, so
// that a per-annotator position bias can be measured.
import { h } from "../dom.js";

const OTHER = { A: "B", B: "A" };

// A response is its text or an object with a `text` (its `model` and other keys stay
// hidden: naming the model would sway the annotator).
export function responseText(response) {
  if (typeof response === "string") return response;
  if (response && typeof response.text === "string") return response.text;
  return JSON.stringify(response);
}

export function control(schema, payload) {
  const left = Math.random() < 0.5 ? "A" : "B";
  const sides = { left, right: OTHER[left] };
  const responses = { A: payload.responses[0], B: payload.responses[1] };
  const allowTies = schema.allow_ties !== false;
  const maxStrength = schema.max_strength || 0;
  const withRationale = (schema.max_rationale_chars ?? 0) > 0;
  let host;
  let rationaleBox = null;

  const choose = (choice) => (s) => {
    s.choice = choice;
    if (choice === "tie") s.strength = null;
  };
  const panel = (place, key, state) => {
    const side = sides[place];
    return h("section", {
      class: "response",
      "aria-label": `${place === "left" ? "Left" : "Right"} response`,
      "aria-selected": state.choice === side ? "true" : "false",
      dataset: { side, place },
    },
    h("button", {
      type: "button",
      role: "radio",
      class: "choice",
      "aria-checked": state.choice === side ? "true" : "false",
      onclick: () => this_.change(choose(side)),
    }, h("kbd", {}, key), place === "left" ? " Left is better" : " Right is better"),
    h("div", { class: "response-text prewrap" }, responseText(responses[side])));
  };

  const this_ = {
    initial: { choice: null, strength: null, rationale: "" },
    help: `A picks the left response, B the right${allowTies ? ", T a tie" : ""}` +
      `${maxStrength ? `; keys 1–${Math.min(maxStrength, 9)} set how clear the preference is` : ""}.`,
    mount(node, { change }) {
      host = node;
      this.change = change;
    },
    update(state) {
      const strengths = [];
      for (let level = 1; level <= Math.min(maxStrength, 9); level += 1) {
        strengths.push(h("button", {
          type: "button",
          role: "radio",
          class: "choice rating",
          disabled: state.choice === null || state.choice === "tie",
          "aria-checked": state.strength === level ? "true" : "false",
          "aria-label": `Strength ${level} of ${maxStrength}`,
          onclick: () => this.change((s) => { s.strength = s.strength === level ? null : level; }),
        }, String(level)));
      }
      const focused = document.activeElement === rationaleBox;
      if (withRationale && !rationaleBox) {
        rationaleBox = h("textarea", {
          class: "rationale",
          rows: "2",
          maxlength: String(schema.max_rationale_chars),
          placeholder: "Why? (optional)",
          "aria-label": "Rationale",
          oninput: (event) => this.change((s) => { s.rationale = event.target.value; }, { snapshot: false, render: false }),
        });
      }
      if (rationaleBox && rationaleBox.value !== state.rationale) rationaleBox.value = state.rationale;
      host.replaceChildren(
        h("div", { class: "prompt card" }, h("h3", {}, "Prompt"), h("p", { class: "prewrap" }, String(payload.prompt))),
        h("div", { class: "responses", role: "radiogroup", "aria-label": "Better response" },
          panel("left", "A", state), panel("right", "B", state)),
        h("div", { class: "choices pairwise-extra" },
          allowTies ? h("button", {
            type: "button",
            role: "radio",
            class: "choice",
            "aria-checked": state.choice === "tie" ? "true" : "false",
            onclick: () => this.change(choose("tie")),
          }, h("kbd", {}, "T"), " Tie") : null,
          strengths.length ? h("span", { class: "scale-end" }, "Strength") : null,
          strengths),
        rationaleBox);
      if (focused) rationaleBox.focus();
    },
    onKey(event, state) {
      const key = event.key.toLowerCase();
      if (key === "a" || key === "b") {
        this.change(choose(key === "a" ? sides.left : sides.right));
        return true;
      }
      if (key === "t" && allowTies) {
        this.change(choose("tie"));
        return true;
      }
      const level = Number(event.key);
      if (/^\d$/.test(event.key) && level >= 1 && level <= Math.min(maxStrength, 9)) {
        if (state.choice === null || state.choice === "tie") return false;
        this.change((s) => { s.strength = level; });
        return true;
      }
      return false;
    },
    value(state) {
      const value = { choice: state.choice, shown_first: sides.left };
      if (state.strength !== null && state.choice !== "tie") value.strength = state.strength;
      if (state.rationale.trim()) value.rationale = state.rationale.trim();
      return value;
    },
    isReady: (state) => state.choice !== null,
  };
  return this_;
}

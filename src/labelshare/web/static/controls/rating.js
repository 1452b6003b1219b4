// An ordinal rating 1..K: buttons, number keys (0 is 10).
import { h } from "../dom.js";

export function control(schema) {
  const max = schema.max_rating;
  let host;
  return {
    initial: { rating: null },
    help: `Keys 1–${Math.min(max, 9)}${max >= 10 ? " and 0 (=10)" : ""} rate the item.`,
    mount(node, { change }) { host = node; this.change = change; },
    update(state) {
      const buttons = [];
      for (let r = 1; r <= max; r += 1) {
        buttons.push(h("button", {
          type: "button",
          role: "radio",
          class: "choice rating",
          "aria-checked": state.rating === r ? "true" : "false",
          "aria-label": `${r} of ${max}`,
          dataset: { value: r },
          onclick: () => this.change((s) => { s.rating = r; }),
        }, String(r)));
      }
      host.replaceChildren(h("div", { class: "choices scale", role: "radiogroup", "aria-label": `Rating 1 to ${max}` },
        h("span", { class: "scale-end" }, "low"), buttons, h("span", { class: "scale-end" }, "high")));
    },
    onKey(event) {
      const digit = event.key === "0" ? 10 : Number(event.key);
      if (Number.isInteger(digit) && digit >= 1 && digit <= max && /^\d$/.test(event.key)) {
        this.change((s) => { s.rating = digit; });
        return true;
      }
      return false;
    },
    value: (state) => state.rating,
    isReady: (state) => state.rating !== null,
  };
}

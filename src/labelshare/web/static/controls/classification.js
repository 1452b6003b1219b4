// One class out of N: buttons, keys 1–9.
import { h } from "../dom.js";

export function control(schema) {
  const classes = schema.classes;
  let host;
  return {
    initial: { choice: null },
    help: `Keys 1–${Math.min(classes.length, 9)} pick a class.`,
    mount(node, { change }) {
      host = node;
      this.change = change;
    },
    update(state) {
      host.replaceChildren(h("div", { class: "choices", role: "radiogroup", "aria-label": "Class" },
        classes.map((name, index) => h("button", {
          type: "button",
          role: "radio",
          class: "choice",
          "aria-checked": state.choice === name ? "true" : "false",
          dataset: { value: name },
          onclick: () => this.change((s) => { s.choice = name; }),
        }, index < 9 ? h("kbd", {}, String(index + 1)) : null, name))));
    },
    onKey(event) {
      const index = Number(event.key) - 1;
      if (Number.isInteger(index) && index >= 0 && index < Math.min(classes.length, 9)) {
        this.change((s) => { s.choice = classes[index]; });
        return true;
      }
      return false;
    },
    value: (state) => state.choice,
    isReady: (state) => state.choice !== null,
  };
}

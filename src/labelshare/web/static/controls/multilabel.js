// Any subset of the classes: check boxes, keys 1–9 toggle.
import { h } from "../dom.js";

export function control(schema) {
  const classes = schema.classes;
  let host;
  const toggle = (s, name) => {
    s.chosen = s.chosen.includes(name) ? s.chosen.filter((c) => c !== name) : [...s.chosen, name];
  };
  return {
    initial: { chosen: [] },
    help: `Keys 1–${Math.min(classes.length, 9)} toggle a class.`,
    mount(node, { change }) { host = node; this.change = change; },
    update(state) {
      host.replaceChildren(h("fieldset", { class: "checks" }, h("legend", {}, "Classes that apply"),
        classes.map((name, index) => h("label", { class: "check" },
          h("input", {
            type: "checkbox",
            name: "class",
            value: name,
            checked: state.chosen.includes(name),
            onchange: () => this.change((s) => toggle(s, name)),
          }),
          index < 9 ? h("kbd", {}, String(index + 1)) : null, name))));
    },
    onKey(event) {
      const index = Number(event.key) - 1;
      if (Number.isInteger(index) && index >= 0 && index < Math.min(classes.length, 9)) {
        this.change((s) => toggle(s, classes[index]));
        return true;
      }
      return false;
    },
    value: (state) => [...state.chosen].sort(),
    isReady: (state) => schema.allow_empty || state.chosen.length > 0,
  };
}

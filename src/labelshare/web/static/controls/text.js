// A free-text answer; Ctrl+Enter submits (Enter makes a new line).
import { h } from "../dom.js";

export function control(schema) {
  let host;
  let area;
  return {
    initial: { text: "" },
    help: "Type the answer; Ctrl+Enter submits.",
    mount(node, { change }) {
      host = node;
      area = h("textarea", {
        id: "answer", name: "answer", rows: 5, maxlength: schema.max_length,
        oninput: () => change((s) => { s.text = area.value; }, { snapshot: false, render: false }),
      });
      host.replaceChildren(h("div", { class: "field" }, h("label", { for: "answer" }, "Answer"), area,
        h("p", { class: "hint" }, `At most ${schema.max_length} characters.`)));
      setTimeout(() => area.focus(), 0);
    },
    update(state) {
      if (area.value !== state.text) area.value = state.text;
    },
    onKey: () => false,
    value: (state) => state.text,
    isReady: (state) => schema.allow_empty || state.text.trim().length > 0,
  };
}

// A full order of N responses, best first. The responses start in a random order per
// item load (stored as `shown_order`) and keep their number keys 1..N from that first
// display. Pressing a response's number puts it in the next free rank, so the annotator
// types the numbers best first; the last response takes the last rank by itself. Rows
// can also be dragged; a drag ranks the whole list as it then stands. 0 starts over.
import { h } from "../dom.js";
import { responseText } from "./pairwise.js";

function shuffled(count) {
  const order = Array.from({ length: count }, (_, index) => index);
  for (let i = count - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export function control(schema, payload) {
  const responses = payload.responses;
  const count = responses.length;
  const shownOrder = shuffled(count);
  // The key of a response is its 1-based place in the first display.
  const keyOf = new Map(shownOrder.map((response, place) => [response, place + 1]));
  let host;
  let dragged = null;

  const place = (response) => (s) => {
    const from = s.order.indexOf(response);
    if (from < s.ranked) return;
    s.order.splice(from, 1);
    s.order.splice(s.ranked, 0, response);
    s.ranked += 1;
    if (s.ranked === count - 1) s.ranked = count;
  };
  const moveTo = (response, target) => (s) => {
    s.order.splice(s.order.indexOf(response), 1);
    s.order.splice(target, 0, response);
    s.ranked = count;
  };

  return {
    initial: { order: [...shownOrder], ranked: 0 },
    help: `Press the responses' numbers (1–${Math.min(count, 9)}) best first, or drag the rows; 0 starts over.`,
    mount(node, { change }) {
      host = node;
      this.change = change;
    },
    update(state) {
      const rows = state.order.map((response, rank) => h("li", {
        class: `rank-row${rank < state.ranked ? " ranked" : ""}`,
        draggable: "true",
        "aria-label": `Rank ${rank + 1}: response ${keyOf.get(response)}`,
        dataset: { response, rank },
        ondragstart: (event) => { dragged = response; event.dataTransfer.effectAllowed = "move"; },
        ondragover: (event) => event.preventDefault(),
        ondrop: (event) => {
          event.preventDefault();
          if (dragged !== null && dragged !== response) this.change(moveTo(dragged, rank));
          dragged = null;
        },
        onclick: () => { if (rank >= state.ranked) this.change(place(response)); },
      },
      h("span", { class: "rank" }, rank < state.ranked ? `#${rank + 1}` : "–"),
      keyOf.get(response) <= 9 ? h("kbd", {}, String(keyOf.get(response))) : null,
      h("div", { class: "response-text prewrap" }, responseText(responses[response]))));
      host.replaceChildren(
        h("div", { class: "prompt card" }, h("h3", {}, "Prompt"), h("p", { class: "prewrap" }, String(payload.prompt))),
        h("ol", { class: "ranking", "aria-label": "Responses, best first" }, rows),
        h("p", { class: "hint" }, state.ranked >= count ? "Ranked. Enter submits." : `${state.ranked} of ${count} ranked.`));
    },
    onKey(event, state) {
      if (event.key === "0") {
        if (state.ranked === 0) return false;
        this.change((s) => { s.order = [...shownOrder]; s.ranked = 0; });
        return true;
      }
      const digit = Number(event.key);
      if (!/^\d$/.test(event.key) || digit > Math.min(count, 9)) return false;
      const response = shownOrder[digit - 1];
      if (state.order.indexOf(response) < state.ranked) return false;
      this.change(place(response));
      return true;
    },
    value: (state) => ({ order: [...state.order], shown_order: [...shownOrder] }),
    isReady: (state) => state.ranked >= count,
  };
}

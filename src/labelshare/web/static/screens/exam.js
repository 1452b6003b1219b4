// A qualification exam for a project's domain: label every item, send, see the result.
import { api } from "../api.js";
import { empty, errorBox, h, loading } from "../dom.js";
import { imageUrl } from "../media.js";
import { itemView } from "./item.js";

const CONTROLS = {
  classification: () => import("../controls/classification.js"),
  multilabel: () => import("../controls/multilabel.js"),
  rating: () => import("../controls/rating.js"),
  spans: () => import("../controls/spans.js"),
  bbox: () => import("../controls/bbox.js"),
  text: () => import("../controls/text.js"),
};

export async function render(main, projectId) {
  const project = await api.get(`/projects/${projectId}`);
  const start = h("button", { type: "button", class: "primary" }, "Start the exam");
  const body = h("div", {});
  main.replaceChildren(h("div", { class: "page-head" }, h("h1", {}, `Exam: ${project.domain || project.name}`)),
    h("section", { class: "card panel" },
      h("p", {}, `Answer ${project.exam_size} items of ${project.name}; you qualify for the domain “${project.domain}” with ${Math.round(project.exam_pass_rate * 100)}% right or more.`),
      h("div", { class: "actions" }, start)), body);
  start.addEventListener("click", async () => {
    start.disabled = true;
    body.replaceChildren(loading("Preparing the exam…"));
    let exam;
    try { exam = await api.post(`/projects/${projectId}/exam`, {}); } catch (error) {
      body.replaceChildren(errorBox(error));
      start.disabled = false;
      return;
    }
    const module = await CONTROLS[exam.schema.kind]();
    const questions = [];
    const cards = [];
    for (const [index, item] of exam.items.entries()) {
      const ctrl = module.control(exam.schema, item.payload);
      let state = structuredClone(ctrl.initial);
      ctrl.state = () => state;
      const host = h("div", { class: "control" });
      const change = (mutate, { render = true } = {}) => { mutate(state); if (render) ctrl.update(state); };
      cards.push(h("article", { class: "card task" }, h("p", { class: "meta" }, `Question ${index + 1} of ${exam.items.length}`),
        itemView(item.payload, exam.schema.kind, exam.schema.text_field), host));
      questions.push({ item, ctrl, host, change, get state() { return state; } });
    }
    const send = h("button", { type: "button", class: "primary" }, "Send answers");
    const result = h("div", { role: "status" });
    body.replaceChildren(...cards, h("div", { class: "actions" }, send), result);
    for (const q of questions) {
      await q.ctrl.mount(q.host, { change: q.change, imageSource: () => imageUrl(q.item.payload.image) });
      q.ctrl.update(q.state);
    }
    send.addEventListener("click", async () => {
      const unanswered = questions.findIndex((q) => !q.ctrl.isReady(q.state));
      if (unanswered >= 0) {
        result.replaceChildren(h("p", { class: "field-error", role: "alert" }, `Question ${unanswered + 1} has no answer yet.`));
        return;
      }
      send.disabled = true;
      const answers = Object.fromEntries(questions.map((q) => [q.item.item_id, q.ctrl.value(q.state)]));
      try {
        const outcome = await api.post(`/exams/${exam.exam_id}/answers`, { answers });
        body.replaceChildren(empty(outcome.passed ? "Passed" : "Not passed this time",
          `You scored ${Math.round(outcome.score * 100)}% (the bar is ${Math.round(exam.pass_rate * 100)}%).`
          + (outcome.passed ? ` You are qualified for “${outcome.domain}”.` : " You may try again later."),
          h("a", { class: "button primary", href: outcome.passed ? `#/projects/${projectId}/work` : "#/projects" },
            outcome.passed ? "Start labelling" : "Back to the projects")));
        body.firstChild.classList.add(outcome.passed ? "passed" : "failed");
      } catch (error) {
        result.replaceChildren(errorBox(error));
        send.disabled = false;
      }
    });
  });
}

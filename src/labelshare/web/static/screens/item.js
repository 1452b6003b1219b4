// How an item reads beside its control: its text, its image, its other fields.
import { h } from "../dom.js";
import { imageUrl } from "../media.js";

const SHOWN_BY_CONTROL = {
  spans: ["text"],
  bbox: ["image", "width", "height", "media_sha256"],
  pairwise: ["prompt", "responses"],
  ranking: ["prompt", "responses"],
  rubric: ["prompt", "response", "responses"],
};

export function itemView(payload, kind, textField = "text") {
  const hidden = new Set(SHOWN_BY_CONTROL[kind] || []);
  if (kind === "spans") hidden.add(textField);
  hidden.add("media_sha256");
  const parts = [];
  if (typeof payload.text === "string" && !hidden.has("text")) parts.push(h("blockquote", { class: "item-text", "data-testid": "item-text" }, payload.text));
  if (payload.image && !hidden.has("image")) {
    const img = h("img", { class: "item-image", alt: "The item's image" });
    imageUrl(payload.image).then((url) => { if (url) img.src = url; else img.replaceWith(h("p", { class: "hint" }, "The image could not be loaded.")); });
    parts.push(img);
  }
  const rest = Object.entries(payload).filter(([key]) => !hidden.has(key) && key !== "text" && key !== "image");
  if (rest.length) {
    parts.push(h("dl", { class: "item-fields" }, rest.flatMap(([key, value]) =>
      [h("dt", {}, key), h("dd", {}, typeof value === "string" ? value : JSON.stringify(value))])));
  }
  return h("div", { class: "item" }, parts);
}

// Small helpers to build DOM nodes without innerHTML (no injection from item text).

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, text);
}

export function empty(title, text, ...actions) {
  return h("section", { class: "empty" }, h("h2", {}, title), h("p", {}, text), ...actions);
}

// The designed state for a part of the page whose API endpoint this server lacks.
export function unavailable(what, endpoint) {
  return h("section", { class: "unavailable", role: "note" },
    h("h3", {}, `${what} is not available on this server yet`),
    h("p", {}, "The page needs ", h("code", {}, endpoint), ", which this server does not offer."));
}

// An error box; `field` errors go next to their input instead (see showFieldError).
export function errorBox(error) {
  return h("div", { class: "error", role: "alert" },
    h("strong", {}, error.error || "Error"), ": ", error.detail || String(error));
}

// Show an API error next to the form field it names (by `name`), else at the form's top.
export function showFieldError(form, error) {
  clearErrors(form);
  const field = error.field ? error.field.split(/[.[]/)[0] : null;
  const input = field ? form.querySelector(`[name="${CSS.escape(field)}"]`) : null;
  const message = h("p", { class: "field-error", role: "alert" }, error.detail);
  if (input) {
    input.setAttribute("aria-invalid", "true");
    const id = `${input.name}-error`;
    message.id = id;
    input.setAttribute("aria-describedby", id);
    input.closest(".field")?.append(message) ?? input.after(message);
    input.focus();
  } else {
    form.prepend(h("div", { class: "error form-error", role: "alert" },
      h("strong", {}, error.error || "Error"), ": ", error.detail));
  }
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error, .form-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
}

export function field(label, input, hint) {
  const id = input.id || `f-${input.name}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input,
    hint ? h("p", { class: "hint" }, hint) : null);
}

export function isTyping(event) {
  const target = event.target;
  return target instanceof HTMLElement
    && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

// Instructions may use **bold** (as Markdown does); everything else stays plain text.
export function richText(text) {
  return text.split(/\*\*(.+?)\*\*/gs).map((part, index) => (index % 2 ? h("strong", {}, part) : part));
}

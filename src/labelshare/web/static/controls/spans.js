// Tagged spans over the item's text. Select text with the mouse, or move a word cursor
// with ←/→ (Shift extends), then press a tag's key 1–9. Spans show as coloured
// highlights; remove one from the list, or with x over the cursor.
import { h } from "../dom.js";

const WORD = /\S+/gu;

function tokensOf(chars) {
  const tokens = [];
  const text = chars.join("");
  let offset = 0;
  let codeIndex = 0;
  for (const match of text.matchAll(WORD)) {
    // Offsets in the schema count code points, not UTF-16 units.
    codeIndex += Array.from(text.slice(offset, match.index)).length;
    const length = Array.from(match[0]).length;
    tokens.push([codeIndex, codeIndex + length]);
    codeIndex += length;
    offset = match.index + match[0].length;
  }
  return tokens;
}

function overlaps(a, b) {
  return a.start < b.end && b.start < a.end;
}

export function control(schema, payload) {
  const tags = schema.tags;
  const chars = Array.from(String(payload[schema.text_field || "text"] ?? ""));
  const tokens = tokensOf(chars);
  let host;
  let textNode;

  const keyboardRange = (state) => {
    if (!tokens.length) return null;
    const a = Math.min(state.anchor ?? state.cursor, state.cursor);
    const b = Math.max(state.anchor ?? state.cursor, state.cursor);
    return { start: tokens[a][0], end: tokens[b][1] };
  };

  const mouseRange = () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !textNode) return null;
    const point = (node, offset) => {
      const seg = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest?.(".seg");
      if (!seg || !textNode.contains(seg)) return null;
      const inner = node.nodeType === Node.TEXT_NODE ? Array.from(node.textContent.slice(0, offset)).length : 0;
      return Number(seg.dataset.start) + inner;
    };
    const a = point(selection.anchorNode, selection.anchorOffset);
    const b = point(selection.focusNode, selection.focusOffset);
    if (a === null || b === null || a === b) return null;
    let start = Math.min(a, b);
    let end = Math.max(a, b);
    while (start < end && /\s/u.test(chars[start])) start += 1;
    while (end > start && /\s/u.test(chars[end - 1])) end -= 1;
    return start < end ? { start, end } : null;
  };

  return {
    initial: { spans: [], cursor: 0, anchor: null },
    help: `Select words (mouse, or ←/→ with Shift), then keys 1–${Math.min(tags.length, 9)} tag them; x removes the span at the cursor.`,
    mount(node, { change }) {
      host = node;
      this.change = change;
    },
    update(state) {
      const cuts = new Set([0, chars.length]);
      for (const [a, b] of tokens) { cuts.add(a); cuts.add(b); }
      for (const span of state.spans) { cuts.add(span.start); cuts.add(span.end); }
      const points = [...cuts].sort((x, y) => x - y);
      const focus = keyboardRange(state);
      const segments = [];
      for (let i = 0; i + 1 < points.length; i += 1) {
        const [start, end] = [points[i], points[i + 1]];
        const span = state.spans.find((s) => s.start <= start && end <= s.end);
        const tagIndex = span ? tags.indexOf(span.tag) : -1;
        const inFocus = focus && focus.start <= start && end <= focus.end;
        segments.push(h("span", {
          class: ["seg", span ? `tagged tag-${tagIndex % 8}` : "", span && span.start === start ? "span-start" : "",
            span && span.end === end ? "span-end" : "", inFocus ? "cursor" : ""].filter(Boolean).join(" "),
          dataset: { start, end, ...(span ? { tag: span.tag } : {}) },
          title: span ? span.tag : null,
        }, chars.slice(start, end).join("")));
      }
      textNode = h("p", { class: "span-text", "aria-label": "Text to tag", "data-testid": "span-text" }, segments);
      const legend = h("div", { class: "tags", "aria-label": "Tags" }, tags.map((tag, index) =>
        h("button", {
          type: "button", class: `tag tag-${index % 8}`,
          onmousedown: (event) => event.preventDefault(), // keep the text selection
          onclick: () => this.tag(tag),
        }, index < 9 ? h("kbd", {}, String(index + 1)) : null, tag)));
      const list = state.spans.length
        ? h("ul", { class: "span-list", "aria-label": "Spans" }, state.spans.map((span, index) =>
          h("li", {},
            h("span", { class: `tag tag-${tags.indexOf(span.tag) % 8}` }, span.tag), " ",
            h("q", {}, chars.slice(span.start, span.end).join("")), " ",
            h("button", {
              type: "button", class: "link", "aria-label": `Remove ${span.tag} ${chars.slice(span.start, span.end).join("")}`,
              onclick: () => this.change((s) => { s.spans.splice(index, 1); }),
            }, "Remove"))))
        : h("p", { class: "hint" }, "No spans yet.");
      host.replaceChildren(legend, textNode, list);
    },
    tag(tag) {
      const range = mouseRange() ?? keyboardRange(this.state());
      if (!range) return;
      window.getSelection()?.removeAllRanges();
      this.change((s) => {
        const fresh = { start: range.start, end: range.end, tag };
        s.spans = s.spans.filter((span) => !(span.start === fresh.start && span.end === fresh.end)
          && (schema.allow_overlap || !overlaps(span, fresh)));
        s.spans.push(fresh);
        s.spans.sort((x, y) => x.start - y.start || x.end - y.end);
        s.anchor = null;
      });
    },
    onKey(event, state) {
      const index = Number(event.key) - 1;
      if (/^\d$/.test(event.key) && index >= 0 && index < Math.min(tags.length, 9)) {
        this.tag(tags[index]);
        return true;
      }
      if ((event.key === "ArrowRight" || event.key === "ArrowLeft") && tokens.length) {
        const step = event.key === "ArrowRight" ? 1 : -1;
        this.change((s) => {
          if (event.shiftKey && s.anchor === null) s.anchor = s.cursor;
          if (!event.shiftKey) s.anchor = null;
          s.cursor = Math.max(0, Math.min(tokens.length - 1, s.cursor + step));
        }, { snapshot: false });
        return true;
      }
      if (event.key === "x" && tokens.length) {
        const [a, b] = tokens[state.cursor];
        this.change((s) => { s.spans = s.spans.filter((span) => !(span.start < b && a < span.end)); });
        return true;
      }
      return false;
    },
    value: (state) => state.spans.map(({ start, end, tag }) => ({ start, end, tag })),
    isReady: (state) => schema.allow_empty !== false || state.spans.length > 0,
  };
}

// Boxes on an image. Drag on the image to draw a box of the current class; click a box
// to select it, drag it to move, drag a corner to resize; Delete removes it, arrows
// nudge it (Shift: 10 px); keys 1–9 pick the class (and re-class the selected box).
import { h, svg } from "../dom.js";

const MIN_SIZE = 3;

export function control(schema, payload) {
  const classes = schema.classes;
  const width = payload.width;
  const height = payload.height;
  let host;
  let canvas;
  let layer;
  let drag = null;

  const clampBox = (box) => {
    const w = Math.min(Math.max(box.w, 0), width);
    const hgt = Math.min(Math.max(box.h, 0), height);
    return { ...box, x: Math.min(Math.max(box.x, 0), width - w), y: Math.min(Math.max(box.y, 0), height - hgt), w, h: hgt };
  };
  const toImage = (event) => {
    const point = canvas.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const p = point.matrixTransform(canvas.getScreenCTM().inverse());
    return { x: Math.min(Math.max(p.x, 0), width), y: Math.min(Math.max(p.y, 0), height) };
  };
  const round = (box) => ({ ...box, x: Math.round(box.x), y: Math.round(box.y), w: Math.round(box.w), h: Math.round(box.h) });

  return {
    initial: { boxes: [], current: classes[0], selected: null },
    help: "Drag to draw; click to select; drag to move or resize; Delete removes; 1–9 pick the class.",
    async mount(node, { change, imageSource }) {
      host = node;
      this.change = change;
      canvas = svg("svg", {
        class: "bbox-canvas", viewBox: `0 0 ${width} ${height}`, role: "img",
        "aria-label": `Image ${width}×${height}; draw boxes by dragging`, "data-testid": "bbox-canvas",
        preserveAspectRatio: "xMidYMid meet",
      });
      canvas.append(svg("rect", { x: 0, y: 0, width, height, class: "bbox-backdrop" }));
      const picture = svg("image", { x: 0, y: 0, width, height, preserveAspectRatio: "none" });
      canvas.append(picture);
      layer = svg("g", {});
      canvas.append(layer);
      this.picker = h("div", { class: "tags", role: "radiogroup", "aria-label": "Box class" });
      this.note = h("p", { class: "hint" });
      host.replaceChildren(this.picker, h("div", { class: "bbox-frame" }, canvas), this.note);
      canvas.addEventListener("pointerdown", (event) => this.down(event));
      canvas.addEventListener("pointermove", (event) => this.move(event));
      canvas.addEventListener("pointerup", (event) => this.up(event));
      const url = await imageSource();
      if (url) picture.setAttribute("href", url);
      else this.note.textContent = `The image (${payload.image ?? "none"}) could not be loaded; boxes can still be drawn on the ${width}×${height} frame.`;
    },
    down(event) {
      const state = this.state();
      const p = toImage(event);
      const target = event.target;
      canvas.setPointerCapture(event.pointerId);
      if (target.dataset.handle !== undefined) {
        const index = Number(target.dataset.index);
        drag = { mode: "resize", corner: target.dataset.handle, index, start: p, orig: { ...state.boxes[index] }, snapped: false };
      } else if (target.dataset.index !== undefined) {
        const index = Number(target.dataset.index);
        this.change((s) => { s.selected = index; s.current = s.boxes[index].class; }, { snapshot: false });
        drag = { mode: "move", index, start: p, orig: { ...state.boxes[index] }, snapped: false };
      } else {
        drag = { mode: "draw", start: p, index: null, snapped: false };
      }
    },
    move(event) {
      if (!drag) return;
      const p = toImage(event);
      const dx = p.x - drag.start.x;
      const dy = p.y - drag.start.y;
      if (!drag.snapped && Math.abs(dx) < MIN_SIZE && Math.abs(dy) < MIN_SIZE) return;
      const snapshot = !drag.snapped;
      drag.snapped = true;
      this.change((s) => {
        if (drag.mode === "draw") {
          const box = { x: Math.min(p.x, drag.start.x), y: Math.min(p.y, drag.start.y), w: Math.abs(dx), h: Math.abs(dy), class: s.current };
          if (drag.index === null) { s.boxes.push(box); drag.index = s.boxes.length - 1; } else s.boxes[drag.index] = box;
          s.selected = drag.index;
        } else if (drag.mode === "move") {
          s.boxes[drag.index] = clampBox({ ...drag.orig, x: drag.orig.x + dx, y: drag.orig.y + dy });
        } else {
          const o = drag.orig;
          let [x1, y1, x2, y2] = [o.x, o.y, o.x + o.w, o.y + o.h];
          if (drag.corner.includes("w")) x1 += dx; else x2 += dx;
          if (drag.corner.includes("n")) y1 += dy; else y2 += dy;
          s.boxes[drag.index] = { ...o, x: Math.min(x1, x2), y: Math.min(y1, y2), w: Math.abs(x2 - x1), h: Math.abs(y2 - y1) };
        }
      }, { snapshot });
    },
    up() {
      if (!drag) return;
      const done = drag;
      drag = null;
      if (!done.snapped || done.index === null) return;
      this.change((s) => {
        s.boxes[done.index] = round(clampBox(s.boxes[done.index]));
        if (s.boxes[done.index].w < 1 || s.boxes[done.index].h < 1) { s.boxes.splice(done.index, 1); s.selected = null; }
      }, { snapshot: false });
    },
    update(state) {
      this.picker.replaceChildren(...classes.map((name, index) => h("button", {
        type: "button", role: "radio", class: `tag tag-${index % 8}`,
        "aria-checked": state.current === name ? "true" : "false",
        onclick: () => this.pick(name),
      }, index < 9 ? h("kbd", {}, String(index + 1)) : null, name)));
      const stroke = Math.max(width, height) / 250;
      layer.replaceChildren(...state.boxes.map((box, index) => {
        const colour = classes.indexOf(box.class) % 8;
        const selected = state.selected === index;
        const group = svg("g", { class: `box tag-${colour}${selected ? " selected" : ""}` },
          svg("rect", { x: box.x, y: box.y, width: box.w, height: box.h, "stroke-width": stroke * (selected ? 2 : 1), "data-index": index, "data-testid": "box" }),
          svg("text", { x: box.x + stroke * 2, y: box.y + stroke * 9, "font-size": stroke * 8 }, box.class));
        if (selected) {
          for (const [corner, cx, cy] of [["nw", box.x, box.y], ["ne", box.x + box.w, box.y], ["sw", box.x, box.y + box.h], ["se", box.x + box.w, box.y + box.h]]) {
            group.append(svg("rect", { class: "handle", x: cx - stroke * 3, y: cy - stroke * 3, width: stroke * 6, height: stroke * 6, "data-handle": corner, "data-index": index }));
          }
        }
        return group;
      }));
      this.note.textContent = state.boxes.length
        ? `${state.boxes.length} box${state.boxes.length === 1 ? "" : "es"}${state.selected !== null ? ` · selected: ${state.boxes[state.selected]?.class}` : ""}`
        : (this.note.textContent.startsWith("The image") ? this.note.textContent : "No boxes yet.");
    },
    pick(name) {
      this.change((s) => {
        s.current = name;
        if (s.selected !== null && s.boxes[s.selected]) s.boxes[s.selected].class = name;
      });
    },
    onKey(event, state) {
      const index = Number(event.key) - 1;
      if (/^\d$/.test(event.key) && index >= 0 && index < Math.min(classes.length, 9)) {
        this.pick(classes[index]);
        return true;
      }
      if (state.selected === null) return false;
      if (event.key === "Delete" || event.key === "Backspace") {
        this.change((s) => { s.boxes.splice(s.selected, 1); s.selected = null; });
        return true;
      }
      if (event.key === "Escape") {
        this.change((s) => { s.selected = null; }, { snapshot: false });
        return true;
      }
      const step = event.shiftKey ? 10 : 1;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[event.key]) {
        const [dx, dy] = moves[event.key];
        this.change((s) => { const b = s.boxes[s.selected]; s.boxes[s.selected] = clampBox({ ...b, x: b.x + dx, y: b.y + dy }); });
        return true;
      }
      return false;
    },
    value: (state) => state.boxes.map(({ x, y, w, h: hh, class: c }) => ({ x, y, w, h: hh, class: c })),
    isReady: (state) => schema.allow_empty !== false || state.boxes.length > 0,
  };
}

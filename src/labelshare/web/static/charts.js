// Small SVG charts: horizontal bars and a progress meter. Values are also written as
// text, so the chart is never the only way to read them.
import { h, svg } from "./dom.js";

export function barChart(rows, { label, unit = "" } = {}) {
  const max = Math.max(1, ...rows.map(([, value]) => value));
  const rowHeight = 26;
  const width = 340;
  const labelWidth = 110;
  const chart = svg("svg", {
    class: "chart", viewBox: `0 0 ${width} ${rows.length * rowHeight + 4}`, role: "img",
    "aria-label": `${label}: ${rows.map(([k, v]) => `${k} ${v}${unit}`).join(", ")}`,
  });
  rows.forEach(([key, value], index) => {
    const y = index * rowHeight + 2;
    const barWidth = ((width - labelWidth - 50) * value) / max;
    const name = svg("text", { x: labelWidth - 8, y: y + 17, "text-anchor": "end", class: "chart-label" });
    name.textContent = String(key);
    const amount = svg("text", { x: labelWidth + barWidth + 6, y: y + 17, class: "chart-value" });
    amount.textContent = `${value}${unit}`;
    chart.append(name, svg("rect", { x: labelWidth, y: y + 4, width: Math.max(barWidth, 1), height: rowHeight - 8, rx: 3, class: `chart-bar tag-${index % 8}` }), amount);
  });
  return h("figure", { class: "figure" }, h("figcaption", {}, label), chart);
}

export function meter(fraction, text) {
  const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
  return h("div", { class: "meter", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": percent, "aria-label": text },
    h("div", { class: "meter-fill", style: `width:${percent}%` }),
    h("span", { class: "meter-text" }, `${percent}% · ${text}`));
}

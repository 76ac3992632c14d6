/* Instruments per technology area and partner country (Chart.js), from /api/area-partners, with a
 * table of every area. */

import {el, labelOf, state} from "./common.js";
import {openArea} from "./detail.js";

const MAX_BARS = 20;          // areas drawn in the chart; the table lists them all

const PALETTE = ["#0b5cad", "#d9480f", "#2b8a3e", "#9c36b5", "#e67700", "#1098ad", "#c2255c", "#5c940d",
                 "#364fc7", "#a61e4d", "#087f5b", "#862e9c"];

export function drawAreas(rows) {
  const areas = [], byArea = new Map(), partners = new Map();
  for (const row of rows) {
    let area = byArea.get(row.area.iri);
    if (!area) {
      area = {iri: row.area.iri, label: labelOf(row.area), instruments: row.areaInstruments, partners: []};
      byArea.set(row.area.iri, area);
      areas.push(area);
    }
    const key = row.partner ? row.partner.iri : "";
    if (!partners.has(key)) partners.set(key, {iri: row.partner ? row.partner.iri : null,
                                               label: row.partner ? labelOf(row.partner) : "no partner country"});
    area.partners.push({iri: row.partner ? row.partner.iri : null, label: partners.get(key).label, instruments: row.instruments});
  }
  state.areas = {areas, partners: Array.from(partners.values()), drawn: areas.slice(0, MAX_BARS)};
  const drawn = state.areas.drawn;
  const datasets = state.areas.partners.map((partner, i) => ({
    label: partner.label, partner: partner.iri, stack: "partners",
    backgroundColor: partner.iri ? PALETTE[i % PALETTE.length] : "#adb5bd",
    data: drawn.map((area) => (area.partners.find((p) => p.iri === partner.iri) || {instruments: 0}).instruments),
  })).filter((set) => set.data.some((n) => n > 0));
  const box = document.getElementById("areas-chart-box");
  box.style.height = `${Math.max(160, drawn.length * 26 + 90)}px`;
  if (state.chart) state.chart.destroy();
  state.chart = new Chart(document.getElementById("areas-chart"), {
    type: "bar",
    data: {labels: drawn.map((a) => `${a.label} (${a.instruments})`), datasets},
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      scales: {x: {stacked: true, beginAtZero: true, ticks: {precision: 0}, title: {display: true, text: "instruments"}},
               y: {stacked: true, ticks: {autoSkip: false, callback(value) {  // short labels on a phone
                 const text = this.getLabelForValue(value);
                 return box.clientWidth < 520 && text.length > 24 ? text.slice(0, 22) + "\u2026" : text;
               }}}},
      plugins: {legend: {position: "bottom"},
                tooltip: {callbacks: {footer: (items) => items.length ? `${drawn[items[0].dataIndex].instruments} instruments in this area in all` : ""}}},
      onClick: (event, elements) => {
        if (!elements.length) return;
        const area = drawn[elements[0].index];
        openArea(area, datasets[elements[0].datasetIndex].partner);
      },
      onHover: (event, elements) => { event.native.target.style.cursor = elements.length ? "pointer" : "default"; },
    },
  });
  box.dataset.bars = String(drawn.length);
  drawAreaTable();
}

/** The broader concept of an area, from the area menu's concepts (null before they arrive, or for a top area). */
export function broaderOf(iri) {
  return (state.concepts.get(iri) || {}).broader || null;
}

/** Every area in a table (drawn again once the menus have brought the areas' broader concepts). */
export function drawAreaTable() {
  if (!state.areas) return;
  const areas = state.areas.areas;
  const body = document.querySelector("#areas-table tbody");
  body.replaceChildren(...areas.map((area) => el("tr", {dataset: {iri: area.iri}},
    el("td", {}, el("button", {type: "button", class: "link", dataset: {iri: area.iri, kind: "area"},
                               onclick: () => openArea(area, undefined)}, area.label)),
    el("td", {}, broaderOf(area.iri) ? labelOf(broaderOf(area.iri)) : ""),
    el("td", {text: String(area.instruments)}),
    el("td", {text: area.partners.map((p) => `${p.label} ${p.instruments}`).join(", ")}))));
  if (!areas.length) body.replaceChildren(el("tr", {}, el("td", {colspan: "4", text: "No instrument concerns an area under these filters."})));
}

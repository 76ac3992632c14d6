/* The filter form: its menus (technology areas in the scheme's hierarchy, instrument kinds and
 * statuses, from /api/concepts), its values, and the same values kept in the page's address. */

import {el, labelOf, state} from "./common.js";

const FILTERS = ["area", "kind", "status", "from", "to"];

export const form = document.getElementById("filters");

export function readForm() {
  const filters = {};
  for (const name of FILTERS) filters[name] = form.elements[name].value || "";
  return filters;
}

export function writeForm(filters) {
  for (const name of FILTERS) {
    const field = form.elements[name];
    const value = filters[name] || "";
    if (field.tagName === "SELECT" && value && !Array.from(field.options).some((o) => o.value === value)) continue;
    field.value = value;
  }
}

export function filtersFromAddress() {
  const query = new URLSearchParams(location.search);
  const filters = {};
  for (const name of FILTERS) filters[name] = query.get(name) || "";
  return filters;
}

export function keepInAddress(filters) {
  const query = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) query.set(name, filters[name]);
  const text = query.toString();
  history.replaceState(null, "", location.pathname + (text ? "?" + text : ""));
}

/** The area menu in the order of the scheme's hierarchy, narrower areas indented under broader. */
export function fillAreas(rows) {
  const select = form.elements.area;
  const byIri = new Map(), children = new Map();
  for (const row of rows) {
    if (byIri.has(row.concept.iri)) continue;
    byIri.set(row.concept.iri, {area: row.concept, broader: row.broader, definition: row.definition});
  }
  state.concepts = byIri;
  const roots = [];
  for (const row of byIri.values()) {
    const parent = row.broader && byIri.has(row.broader.iri) ? row.broader.iri : null;
    if (parent) (children.get(parent) || children.set(parent, []).get(parent)).push(row);
    else roots.push(row);
  }
  const byLabel = (a, b) => labelOf(a.area).localeCompare(labelOf(b.area));
  const seen = new Set();
  const add = (row, depth) => {
    if (seen.has(row.area.iri)) return;
    seen.add(row.area.iri);
    select.append(el("option", {value: row.area.iri, dataset: {depth: String(depth)}, title: row.definition || null},
      "\u2002".repeat(depth * 2) + labelOf(row.area)));
    for (const child of (children.get(row.area.iri) || []).sort(byLabel)) add(child, depth + 1);
  };
  roots.sort(byLabel).forEach((row) => add(row, 0));
}

export function fillConcepts(select, rows) {
  for (const row of rows) select.append(el("option", {value: row.concept.iri, title: row.definition || null}, labelOf(row.concept)));
}

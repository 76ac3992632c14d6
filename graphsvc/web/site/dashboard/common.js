/* The dashboard's shared state and helpers: `window.dashboard` (what is drawn, for tests and the
 * curious), building DOM nodes, labels and local pages of IRIs, and calls of the public JSON API. */

export const page = document.getElementById("dashboard");
export const ROOT = page.dataset.root || "";
const PAGE_SIZE = 500;        // rows per API page (the named queries' maximum)

export const state = {
  ready: false, renders: 0, loading: false, filters: {}, prefixes: {}, concepts: new Map(), error: null,
  network: null, timeline: null, areas: null, detail: null, timings: {},
  cy: null, timelineView: null, chart: null,
};
window.dashboard = state;
state.timings.scriptMs = Math.round(performance.now()); // from the start of navigation to this script
export const known = new Map(); // iri -> {type: "Instrument"|"Event"|"Programme", label, row}

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function localName(iri) {
  return String(iri).replace(/^.*[#/]/, "");
}

export function labelOf(node) {
  if (!node) return "";
  if (typeof node !== "object") return String(node);
  return node.label || localName(node.iri);
}

/** The service's own page for an IRI: /id/<name> for things, /ontology#<name> for vocabulary. */
export function pageOf(iri) {
  const kg = state.prefixes.kg, idd = state.prefixes.idd;
  if (kg && iri.startsWith(kg)) return `${ROOT}/id/${iri.slice(kg.length)}`;
  if (idd && iri.startsWith(idd)) return `${ROOT}/ontology#${iri.slice(idd.length)}`;
  return null;
}

export function linkTo(node) {
  if (!node || typeof node !== "object") return document.createTextNode(node === null || node === undefined ? "" : String(node));
  const href = pageOf(node.iri);
  return href ? el("a", {href, text: labelOf(node)}) : el("span", {text: labelOf(node), title: node.iri});
}

export function apiUrl(name, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) if (value) query.set(key, value);
  const text = query.toString();
  return `${ROOT}/api/${name}${text ? "?" + text : ""}`;
}

function absolute(link) {
  return /^https?:/.test(link) ? link : ROOT + link;
}

export async function getJSON(url, attempt = 0) {
  const response = await fetch(url, {headers: {Accept: "application/json"}});
  if (response.status === 503 && attempt < 3) { // an aggregate's first computation: wait as told
    const wait = Math.min(10, Number(response.headers.get("Retry-After")) || 1);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    return getJSON(url, attempt + 1);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(`${url}: ${(body && body.error) || response.status}`);
  return body;
}

/** Every row of a paginated named query, following its `next` links. */
export async function allItems(name, params) {
  const items = [];
  let url = apiUrl(name, Object.assign({}, params, {limit: PAGE_SIZE}));
  while (url) {
    const body = await getJSON(url);
    items.push(...body.items);
    url = body.next ? absolute(body.next) : null;
  }
  return items;
}

export function dataLinks(target, queries) {
  target.replaceChildren("Data: ", ...queries.flatMap(([name, params], i) => [
    i ? " · " : "",
    el("a", {href: apiUrl(name, params), text: `/api/${name}`}), " (",
    el("a", {href: apiUrl(name, Object.assign({}, params, {format: "csv"})), text: "CSV"}), ")",
  ]));
}

export function setStatus(text) {
  document.getElementById("dashboard-status").textContent = text;
}

export function remember(iri, type, label, row) {
  const entry = known.get(iri) || {};
  known.set(iri, Object.assign(entry, {type: entry.type || type, label: entry.label || label}, row ? {row} : {}));
}

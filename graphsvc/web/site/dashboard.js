/* The dashboard: India's partners as a network (Cytoscape.js), the timeline of instruments and
 * events (vis-timeline), instruments per technology area and partner (Chart.js), and a detail panel
 * for whatever is selected.
 *
 * Every value comes from the public JSON API: /api/<named query> and /prefixes. The script only
 * arranges the answers for drawing; what a view needs and the API did not give belongs in the named
 * query (queries/*.rq), not here.
 *
 * This module renders every view for the filters; the views live in dashboard/*.js.
 * `window.dashboard` holds the state of what is drawn (for tests and for the curious): the filters,
 * the partners, items and links of the network, the timeline's entries and lists, the chart's
 * areas, the open detail, and timings (`firstRenderMs` from the start of navigation).
 */
import {drawAreaTable, drawAreas} from "./dashboard/areas.js";
import {ROOT, allItems, apiUrl, dataLinks, el, getJSON, page, setStatus, state} from "./dashboard/common.js";
import {fillAreas, fillConcepts, filtersFromAddress, form, keepInAddress, readForm, writeForm} from "./dashboard/filters.js";
import {drawNetwork} from "./dashboard/network.js";
import {drawTimeline} from "./dashboard/timeline.js";

let generation = 0;

/** Fetch every view's data for the filters (the form's, or `given`) and draw them; `before` is
 * awaited before drawing (the first render fetches the menus and the data at the same time). */
async function refresh(given, before) {
  const mine = ++generation;
  const started = performance.now();
  const f = state.filters = given || readForm();
  keepInAddress(f);
  state.loading = true;
  page.dataset.loading = "true";
  setStatus("Loading\u2026");
  const instrumentParams = {area: f.area, kind: f.kind, status: f.status, signedFrom: f.from, signedTo: f.to};
  const eventParams = {area: f.area, from: f.from, to: f.to};
  const eventsApply = !f.kind && !f.status; // events have no kind or status
  const areaParams = {within: f.area, kind: f.kind, status: f.status, from: f.from, to: f.to};
  const [network, instruments, events, areas] = await Promise.all([
    getJSON(apiUrl("partner-network", f)),
    allItems("instruments", instrumentParams),
    eventsApply ? allItems("events", eventParams) : Promise.resolve([]),
    getJSON(apiUrl("area-partners", areaParams)),
    before,
  ]);
  if (mine !== generation) return; // a newer render has started
  const fetched = performance.now();
  drawNetwork(network.items);
  const networkDrawn = performance.now();
  drawTimeline(instruments, events);
  const timelineDrawn = performance.now();
  drawAreas(areas.items);
  Object.assign(state.timings, {fetchMs: Math.round(fetched - started), networkMs: Math.round(networkDrawn - fetched),
                                timelineMs: Math.round(timelineDrawn - networkDrawn),
                                areasMs: Math.round(performance.now() - timelineDrawn)});
  dataLinks(document.getElementById("network-links"), [["partner-network", f]]);
  dataLinks(document.getElementById("timeline-links"), eventsApply
    ? [["instruments", instrumentParams], ["events", eventParams]] : [["instruments", instrumentParams]]);
  dataLinks(document.getElementById("areas-links"), [["area-partners", areaParams]]);
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  if (mine !== generation) return;
  const n = state.network;
  setStatus(`${n.partners.length} partners sharing ${n.items.length} items; ${state.timeline.entries.length} dated ` +
            `entries on the timeline${eventsApply ? "" : " (events have no kind or status, so none is shown)"}; ` +
            `${state.areas.areas.length} technology areas.`);
  state.loading = false;
  page.dataset.loading = "false";
  state.renders += 1;
  state.timings.lastRenderMs = Math.round(performance.now() - started);
  if (!state.ready) {
    state.timings.firstRenderMs = Math.round(performance.now());
    state.ready = true;
  }
  page.dataset.renders = String(state.renders);
  document.body.dataset.dashboardReady = "true";
}

function failed(error) {
  state.loading = false;
  state.error = String(error.message || error);
  page.dataset.loading = "false";
  setStatus(`Could not load the dashboard: ${state.error}`);
}

/** The filter menus (after the first render: the views do not need them to be drawn). */
async function menus() {
  const started = performance.now();
  const [areas, kinds, statuses] = await Promise.all([
    getJSON(apiUrl("concepts", {scheme: "kg:technology-areas"})),
    getJSON(apiUrl("concepts", {scheme: "idd:InstrumentKinds"})),
    getJSON(apiUrl("concepts", {scheme: "idd:InstrumentStatuses"})),
  ]);
  fillAreas(areas.items);
  fillConcepts(form.elements.kind, kinds.items);
  fillConcepts(form.elements.status, statuses.items);
  writeForm(state.filters);
  drawAreaTable();
  state.timings.menusMs = Math.round(performance.now() - started);
  state.menus = true;
  page.dataset.menus = "true";
}

/** The drawing libraries, fetched together (and run in order) while the first answers are on their way. */
function loadLibraries() {
  const started = performance.now();
  return Promise.all(page.dataset.libraries.split(" ").filter(Boolean).map((src) => new Promise((resolve, reject) => {
    const script = el("script", {src});
    script.async = false;
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error(`could not load ${src}`)));
    document.body.append(script);
  }))).then(() => { state.timings.librariesMs = Math.round(performance.now() - started); });
}

async function start() {
  const prefixes = getJSON(`${ROOT}/prefixes`).then((answer) => { state.prefixes = answer; });
  await refresh(filtersFromAddress(), Promise.all([prefixes, loadLibraries()]));
  await menus();
}

let pending = null;
form.addEventListener("change", () => {
  clearTimeout(pending);
  pending = setTimeout(() => refresh().catch(failed), 150);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(pending);
  refresh().catch(failed);
});
form.addEventListener("reset", () => {
  clearTimeout(pending);
  setTimeout(() => refresh().catch(failed), 0);
});
start().catch(failed);

/* The timeline of instruments and events (vis-timeline), from /api/instruments and /api/events:
 * signing dates, in-force periods where entry into force and end are known, events as precise as
 * their dates; planned ones apart, and the items without dates listed as "dates unknown". */

import {el, labelOf, remember, state} from "./common.js";
import {openItem} from "./detail.js";

const CLUSTER_FROM = 200;     // the timeline groups nearby entries when it has more than this many
const LISTED = 25;            // entries a list shows before its "show all" button

const GROUPS = [
  {id: "instruments", content: "Instruments"},
  {id: "events", content: "Events"},
  {id: "planned", content: "Planned"},
];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"];

/** How an event's date, as precise as its source, is placed: a day, a month or a year, or not at all. */
export function eventDating(date) {
  if (!date) return {unknown: "date not stated"};
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m) return {start: date, point: true, text: date};
  m = /^(\d{4})-(\d{2})$/.exec(date);
  if (m) {
    const end = m[2] === "12" ? `${Number(m[1]) + 1}-01-01` : `${m[1]}-${String(Number(m[2]) + 1).padStart(2, "0")}-01`;
    return {start: `${date}-01`, end, text: `${MONTHS[Number(m[2]) - 1]} ${m[1]} (only the month is known)`};
  }
  m = /^(\d{4})$/.exec(date);
  if (m) return {start: `${date}-01-01`, end: `${Number(date) + 1}-01-01`, text: `${date} (only the year is known)`};
  m = /^--(\d{2})-(\d{2})$/.exec(date);
  if (m) return {unknown: `${Number(m[2])} ${MONTHS[Number(m[1]) - 1]}, year not stated`};
  return {unknown: `date given as ${date}`};
}

function content(iri, text) {
  return el("span", {class: "entry", dataset: {iri}, text});
}

export function drawTimeline(instruments, events) {
  const plannedIri = (state.prefixes.idd || "") + "Planned";
  const entries = [], planned = [], unknown = [];
  for (const row of instruments) {
    const iri = row.instrument.iri, label = labelOf(row.instrument);
    remember(iri, "Instrument", label, row);
    const isPlanned = Boolean(row.status && row.status.iri === plannedIri);
    const group = isPlanned ? "planned" : "instruments";
    const mine = [];
    const signedWithForce = row.signingDate && row.signingDate === row.entryIntoForceDate && row.endDate;
    if (row.entryIntoForceDate && row.endDate) {
      mine.push({id: `${iri} in-force`, kind: "in-force", type: "range", start: row.entryIntoForceDate, end: row.endDate,
                 text: label, title: `${label}: in force from ${row.entryIntoForceDate} until ${row.endDate}` +
                 (signedWithForce ? ", signed the day it entered into force" : "")});
    } else if (row.entryIntoForceDate) {
      mine.push({id: `${iri} in-force`, kind: "in-force-open", type: "point", start: row.entryIntoForceDate,
                 text: `${label} (in force from ${row.entryIntoForceDate}; no end date known)`,
                 title: `${label}: in force from ${row.entryIntoForceDate}; the sources give no end`});
    } else if (row.endDate) {
      mine.push({id: `${iri} ends`, kind: "ends", type: "point", start: row.endDate, text: `${label} (ends ${row.endDate})`,
                 title: `${label}: ends ${row.endDate}; entry into force not known`});
    }
    if (row.signingDate && !signedWithForce) {
      mine.push({id: `${iri} signed`, kind: "signed", type: "point", start: row.signingDate, text: `Signed: ${label}`,
                 title: `${label}: signed ${row.signingDate}`});
    }
    for (const entry of mine) entries.push(Object.assign(entry, {iri, group}));
    const dates = mine.map((e) => (e.end ? `${e.start} to ${e.end}` : e.start)).join("; ");
    if (isPlanned) planned.push({iri, label, type: "Instrument", dates: dates || null});
    else if (!mine.length) unknown.push({iri, label, type: "Instrument", note: row.statusLabel || labelOf(row.status) || null});
  }
  for (const row of events) {
    const iri = row.event.iri, label = labelOf(row.event);
    remember(iri, "Event", label, row);
    const dating = eventDating(row.date);
    if (dating.unknown) {
      unknown.push({iri, label, type: "Event", note: dating.unknown});
      continue;
    }
    entries.push({id: `${iri} held`, iri, group: "events", kind: dating.point ? "event" : "event approximate",
                  type: dating.point ? "point" : "range", start: dating.start, end: dating.end, text: label,
                  title: `${label}: ${dating.text}`});
  }
  state.timeline = {entries, planned, unknown};
  renderTimelineView(entries);
  renderItemList(document.getElementById("timeline-planned"), planned, "Nothing planned under these filters.");
  renderItemList(document.getElementById("timeline-unknown"), unknown, "Every item here has a date.");
  const sorted = entries.slice().sort((a, b) => a.start.localeCompare(b.start) || a.text.localeCompare(b.text));
  shortList(document.getElementById("timeline-list"), sorted, (e) => el("li", {},
    el("button", {type: "button", class: "link", dataset: {iri: e.iri, entry: e.kind}, onclick: () => openItem(e.iri)},
      `${e.end ? `${e.start} to ${e.end}` : e.start}: ${e.text}`)));
}

function renderTimelineView(entries) {
  const data = entries.map((e) => ({
    id: e.id, group: e.group, type: e.type, start: e.start, end: e.end || undefined,
    content: content(e.iri, e.text), title: e.title, className: e.kind,
  }));
  const container = document.getElementById("timeline");
  const groups = GROUPS.filter((g) => entries.some((e) => e.group === g.id));
  const cluster = data.length > CLUSTER_FROM ? {maxItems: 3, showStipes: false, titleTemplate: "{count} entries: zoom in"} : false;
  if (state.timelineView && state.timelineView.clustered !== Boolean(cluster)) {
    state.timelineView.destroy();
    state.timelineView = null;
  }
  if (!state.timelineView) {
    state.timelineItems = new vis.DataSet(data);
    state.timelineGroups = new vis.DataSet(groups);
    state.timelineView = new vis.Timeline(container, state.timelineItems, state.timelineGroups, {
      stack: true, orientation: "top", zoomKey: "ctrlKey", maxHeight: 460, minHeight: 140,
      margin: {item: {horizontal: 4, vertical: 6}}, selectable: true, showCurrentTime: false,
      tooltip: {followMouse: true, overflowMethod: "cap"}, zoomMin: 1000 * 60 * 60 * 24 * 30, cluster,
    });
    state.timelineView.clustered = Boolean(cluster);
    state.timelineView.on("select", (props) => {
      const entry = props.items.length ? state.timelineItems.get(props.items[0]) : null;
      if (entry) openItem(String(entry.id).split(" ")[0]);
    });
  } else {  // a new view fits its entries by itself; an updated one is fitted to the new ones
    state.timelineItems.clear();
    state.timelineGroups.clear();
    state.timelineGroups.add(groups);
    state.timelineItems.add(data);
    if (data.length) state.timelineView.fit({animation: false});
  }
  container.dataset.entries = String(data.length);
}

function renderItemList(list, entries, empty) {
  if (!entries.length) {
    list.replaceChildren(el("li", {class: "empty", text: empty}));
    return;
  }
  const row = (e) => el("li", {dataset: {iri: e.iri}},
    el("button", {type: "button", class: "link", dataset: {iri: e.iri}, onclick: () => openItem(e.iri)}, e.label),
    " ", el("span", {class: "badge", text: e.type === "Event" ? "event" : "instrument"}),
    " ", el("span", {class: e.dates ? "dates" : "dates unknown", text: e.dates || "dates unknown"}),
    e.note ? el("span", {class: "note", text: ` (${e.note})`}) : null);
  shortList(list, entries, row);
}

/** The first LISTED entries of a list, and a button that shows the others. */
function shortList(list, entries, row) {
  list.replaceChildren(...entries.slice(0, LISTED).map(row));
  if (entries.length <= LISTED) return;
  const more = el("li", {class: "more"}, el("button", {type: "button", onclick: () => {
    more.replaceWith(...entries.slice(LISTED).map(row));
  }}, `Show all ${entries.length}`));
  list.append(more);
}

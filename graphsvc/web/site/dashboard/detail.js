/* The detail panel: an instrument (/api/instrument) or event (/api/event) in full with the evidence
 * quoted from its sources, a partner or an area with its items, and the way back by keyboard. */

import {allItems, apiUrl, el, getJSON, known, labelOf, linkTo, localName, pageOf, remember, state} from "./common.js";
import {broaderOf} from "./areas.js";
import {eventDating} from "./timeline.js";

const panel = document.getElementById("detail");
const panelBody = document.getElementById("detail-body");
let opener = null;

function showPanel(kind, iri, title, ...sections) {
  panelBody.replaceChildren(el("h2", {id: "detail-title", text: title}), ...sections.filter(Boolean));
  panel.dataset.kind = kind;
  panel.dataset.iri = iri || "";
  panel.dataset.state = "ready";
  panel.hidden = false;
  panel.focus();
}

function loadingPanel(iri) {
  if (!panel.contains(document.activeElement)) opener = document.activeElement;
  state.detail = {iri, loading: true};
  panel.dataset.state = "loading";
  panelBody.replaceChildren(el("p", {text: "Loading\u2026"}));
  panel.hidden = false;
}

function closePanel() {
  panel.hidden = true;
  state.detail = null;
  if (state.cy) state.cy.elements().unselect();
  if (opener && document.contains(opener)) opener.focus();
}

document.getElementById("detail-close").addEventListener("click", closePanel);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !panel.hidden) closePanel();
});

function facts(pairs) {
  const list = el("dl", {class: "facts"});
  for (const [term, ...values] of pairs) {
    const shown = values.flat().filter((v) => v !== null && v !== undefined && v !== "");
    if (!shown.length) continue;
    list.append(el("dt", {text: term}), el("dd", {}, ...shown.flatMap((v, i) => [i ? ", " : "", v])));
  }
  return list;
}

function section(title, entries) {
  if (!entries || !entries.length) return null;
  return el("section", {}, el("h3", {text: title}), el("ul", {}, ...entries.map((e) => el("li", {}, e))));
}

/** The evidence rows of /api/instrument (`property` and `object`) or /api/event (`property` and
 * `value`), each with the quoted span of its source. */
function evidenceSection(rows) {
  if (!rows || !rows.length) return null;
  const list = el("ol", {class: "evidence"});
  for (const row of rows) {
    const [property, object] = [row.property, row.object !== undefined ? row.object : row.value];
    const what = labelOf(property) + (object !== undefined ? `: ${labelOf(object)}` : "");
    list.append(el("li", {class: "quote"},
      row.quote ? el("blockquote", {class: "evidence-quote", text: row.quote})
                : el("p", {class: "note", text: "The source text is not at hand on this service."}),
      el("p", {class: "caption"}, "Supports ", el("strong", {text: what}), " \u2014 ", linkTo(row.source),
         `, characters ${row.start}\u2013${row.end}`)));
  }
  return el("section", {}, el("h3", {text: "Evidence from the sources"}), list);
}

function pageLinks(iri, apiName, params) {
  const href = pageOf(iri);
  return el("p", {class: "detail-links"},
    href ? el("a", {href, class: "id-page", text: "Its page"}) : null, href ? " · " : null,
    el("a", {href: apiUrl(apiName, params), text: `/api/${apiName}`}));
}

function firstValue(facet) {
  return facet && facet.length ? facet[0].value : null;
}

export async function openItem(iri) {
  const entry = known.get(iri) || {};
  if (state.cy) { state.cy.elements().unselect(); state.cy.$id(iri).select(); }
  loadingPanel(iri);
  try {
    if (entry.type === "Event") await openEvent(iri, entry);
    else if (entry.type === "Programme") openProgramme(iri, entry);
    else await openInstrument(iri, entry);
  } catch (error) {
    showPanel("error", iri, "Could not load the details", el("p", {text: String(error.message || error)}));
    panel.dataset.state = "error";
  }
}

async function openInstrument(iri, entry) {
  const body = await getJSON(apiUrl("instrument", {instrument: iri}));
  const f = body.facets || {};
  const row = entry.row || {};
  const title = labelOf(firstValue(f.label)) || entry.label || localName(iri);
  const duration = (f.duration || []).map((d) => `${d.amount} ${labelOf(d.unit)}${Number(d.amount) === 1 ? "" : "s"}`);
  const end = (f.endDate || []).map((d) => d.value);
  if (!end.length && row.endDate) end.push(`${row.endDate} (entry into force plus the duration)`);
  const evidence = f.evidence || [];
  state.detail = {iri, kind: "instrument", title, loading: false, quotes: evidence.map((e) => e.quote).filter(Boolean)};
  showPanel("instrument", iri, title,
    facts([
      ["Kind", (f.kind || []).map((k) => linkTo(k.value))],
      ["Status", (f.status || []).map((s) => linkTo(s.value))],
      ["Signed", (f.signingDate || []).map((d) => d.value)],
      ["In force from", (f.entryIntoForceDate || []).map((d) => d.value)],
      ["Ends", end],
      ["Duration", duration],
      ["Announced", (f.announcementDate || []).map((d) => d.value)],
      ["Legally binding", (f.legallyBinding || []).map((d) => (d.value ? "yes" : "no"))],
    ]),
    (f.signingDate || f.entryIntoForceDate || end.length) ? null : el("p", {class: "dates unknown", text: "Dates unknown: the sources give no signing or entry into force."}),
    section("Parties", (f.party || []).map((p) => linkTo(p.value))),
    section("Signatories", (f.signature || []).map((s) => [linkTo(s.signatory),
      s.post ? [", ", labelOf(s.post)] : "", s.signedFor ? [", for ", linkTo(s.signedFor)] : ""].flat())),
    section("Approved, negotiated or recognised by", [].concat(
      (f.approvedBy || []).map((p) => ["approved by ", linkTo(p.value)]),
      (f.negotiatedBy || []).map((p) => ["negotiated by ", linkTo(p.value)]),
      (f.nodalAgency || []).map((p) => ["nodal agency: ", linkTo(p.value)]),
      (f.recognisedBy || []).map((p) => ["recognised by ", linkTo(p.value)]))),
    section("Areas of cooperation", (f.area || []).map((a) => [linkTo(a.area), a.section ? ` (section ${a.section})` : ""])),
    section("Topics", (f.topic || []).map((t) => linkTo(t.value))),
    section("Clauses", (f.clause || []).map((c) => [linkTo(c.clause), c.kind ? ` \u2014 ${labelOf(c.kind)}` : "",
                                                     c.section ? ` (section ${c.section})` : ""])),
    section("Builds on", (f.buildsOn || []).map((b) => linkTo(b.value))),
    evidenceSection(evidence),
    pageLinks(iri, "instrument", {instrument: iri}));
}

async function openEvent(iri, entry) {
  const body = await getJSON(apiUrl("event", {event: iri}));
  const f = body.facets || {};
  const title = labelOf(firstValue(f.label)) || entry.label || localName(iri);
  const dating = eventDating(firstValue(f.date));
  const evidence = f.evidence || [];
  state.detail = {iri, kind: "event", title, loading: false, quotes: evidence.map((e) => e.quote).filter(Boolean)};
  showPanel("event", iri, title,
    facts([
      ["Kind", (f.kind || []).map((k) => linkTo(k.value))],
      ["Date", dating.unknown ? `unknown (${dating.unknown})` : dating.text],
      ["Edition", (f.edition || []).map((d) => String(d.value))],
      ["Place", (f.location || []).map((p) => linkTo(p.value))],
      ["Side event of", (f.sideEventOf || []).map((p) => linkTo(p.value))],
    ]),
    section("Participants", (f.participant || []).map((p) => linkTo(p.value))),
    section("Organisers", (f.organiser || []).map((p) => linkTo(p.value))),
    section("Refers to", (f.refersTo || []).map((p) => linkTo(p.value))),
    section("Topics", (f.topic || []).map((t) => linkTo(t.value))),
    section("Outcomes", (f.outcome || []).map((o) => linkTo(o.value))),
    section("Expected outcomes", (f.expectedOutcome || []).map((o) => linkTo(o.value))),
    section("Notes", [].concat(f.comment || [], f.note || []).map((n) => String(n.value))),
    evidenceSection(evidence),
    pageLinks(iri, "event", {event: iri}));
}

function openProgramme(iri, entry) {
  const links = (state.network ? state.network.links : []).filter((l) => l.item === iri);
  state.detail = {iri, kind: "programme", title: entry.label, loading: false, quotes: []};
  showPanel("programme", iri, entry.label || localName(iri),
    el("p", {text: "A programme: the forums and organisations it refers to are below; its page has the rest, with the evidence."}),
    section("Partners it refers to", links.map((l) => partnerButton(l.partner))),
    pageLinks(iri, "partner-network", state.filters));
}

function partnerButton(partnerIri) {
  const partner = state.network && state.network.partners.find((p) => p.iri === partnerIri);
  const label = partner ? partner.label : localName(partnerIri);
  return el("button", {type: "button", class: "link", dataset: {iri: partnerIri}, onclick: () => openPartner(partnerIri)}, label);
}

function itemButton(iri, suffix) {
  const entry = known.get(iri) || {};
  return [el("button", {type: "button", class: "link", dataset: {iri}, onclick: () => openItem(iri)}, entry.label || localName(iri)),
          suffix || ""];
}

export function openShared(first, second) {
  const pair = (state.network.shared || []).find((p) => p.source === first && p.target === second);
  if (!pair) return;
  if (!panel.contains(document.activeElement)) opener = document.activeElement;
  const names = [first, second].map((iri) => (state.network.partners.find((p) => p.iri === iri) || {}).label || localName(iri));
  state.detail = {iri: `${first} ${second}`, kind: "shared", title: names.join(" and "), loading: false, quotes: []};
  showPanel("shared", `${first} ${second}`, `What ${names[0]} and ${names[1]} share`,
    el("p", {}, partnerButton(first), " and ", partnerButton(second), ` share ${pair.items.length} item${pair.items.length === 1 ? "" : "s"}.`),
    section("Items", pair.items.map((iri) => itemButton(iri))));
}

export function openPartner(iri) {
  const partner = state.network && state.network.partners.find((p) => p.iri === iri);
  if (!partner) return;
  if (!panel.contains(document.activeElement)) opener = document.activeElement;
  if (state.cy) { state.cy.elements().unselect(); state.cy.$id(iri).select(); }
  const links = state.network.links.filter((l) => l.partner === iri);
  const grouped = {Instrument: [], Event: [], Programme: []};
  for (const link of links) {
    const type = (known.get(link.item) || {}).type || "Instrument";
    const how = link.relations.map((r) => (r.via && r.via.iri !== iri ? `${r.relation}: ${labelOf(r.via)}` : r.relation));
    (grouped[type] || grouped.Instrument).push(itemButton(link.item, ` (${Array.from(new Set(how)).join("; ")})`));
  }
  state.detail = {iri, kind: "partner", title: partner.label, loading: false, quotes: []};
  const params = partner.type === "Country" ? ["instruments", {partner: iri}] : ["instruments", {forum: iri}];
  showPanel("partner", iri, partner.label,
    facts([["Kind", partner.typeLabel], ["Shares with India", `${partner.cooperation} item${partner.cooperation === 1 ? "" : "s"} under these filters`]]),
    section("Instruments", grouped.Instrument),
    section("Events", grouped.Event),
    section("Programmes", grouped.Programme),
    pageLinks(iri, params[0], params[1]));
}

export function openArea(area, partnerIri) {
  return showArea(area, partnerIri).catch((error) => {
    showPanel("error", area.iri, "Could not load the details", el("p", {text: String(error.message || error)}));
    panel.dataset.state = "error";
  });
}

async function showArea(area, partnerIri) {
  loadingPanel(area.iri);
  const f = state.filters;
  const params = {area: area.iri, kind: f.kind, status: f.status, signedFrom: f.from, signedTo: f.to, partner: partnerIri || ""};
  const rows = await allItems("instruments", params);
  for (const row of rows) remember(row.instrument.iri, "Instrument", labelOf(row.instrument), known.has(row.instrument.iri) ? null : row);
  const partner = partnerIri ? area.partners.find((p) => p.iri === partnerIri) : null;
  state.detail = {iri: area.iri, kind: "area", title: area.label, loading: false, quotes: []};
  showPanel("area", area.iri, area.label,
    facts([["Broader area", broaderOf(area.iri) ? linkTo(broaderOf(area.iri)) : "none (a top area)"],
           ["Instruments", String(area.instruments)],
           ["Partner countries", area.partners.map((p) => `${p.label} ${p.instruments}`)]]),
    section(partner ? `Instruments with ${partner.label}` : "Instruments", rows.map((r) => itemButton(r.instrument.iri,
      r.signingDate ? ` (signed ${r.signingDate})` : " (dates unknown)"))),
    pageLinks(area.iri, "instruments", params));
}

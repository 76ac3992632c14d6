/* India's partners as a network (Cytoscape.js), from /api/partner-network: partners sized by how much
 * they share, linked to the items they share, or, with many items, to each other. */

import {el, labelOf, localName, remember, state} from "./common.js";
import {openItem, openPartner, openShared} from "./detail.js";

const ITEM_NODES_UP_TO = 150; // above this many items, partners are linked directly (edge: items shared)
const ITEM_LABELS_UP_TO = 60; // item nodes get a label when the network has at most this many

const NETWORK_STYLE = [
  {selector: "node", style: {
    "label": "data(label)", "font-size": 11, "color": "#1d2330", "text-valign": "bottom", "text-margin-y": 3,
    "text-wrap": "wrap", "text-max-width": 120, "text-outline-color": "#fff", "text-outline-width": 2,
    "background-color": "#0b5cad", "width": "data(size)", "height": "data(size)"}},
  {selector: "node.partner", style: {"font-weight": "bold", "font-size": 12}},
  {selector: "node.Forum", style: {"shape": "round-rectangle", "background-color": "#2b8a3e"}},
  {selector: "node.IntergovernmentalOrganisation", style: {"shape": "hexagon", "background-color": "#d9480f"}},
  {selector: "node.item", style: {"shape": "diamond", "background-color": "#5c677d", "font-size": 8, "font-weight": "normal"}},
  {selector: "node.item.Event", style: {"shape": "triangle", "background-color": "#9c36b5"}},
  {selector: "node.item.Programme", style: {"shape": "square", "background-color": "#868e96"}},
  {selector: "node.item.unlabelled", style: {"label": ""}},
  {selector: "edge", style: {"width": 1.5, "line-color": "#c3cad6", "curve-style": "straight"}},
  {selector: "edge.shared", style: {"width": "data(width)", "opacity": 0.7}},
  {selector: "node:selected", style: {"border-width": 4, "border-color": "#f0a500"}},
];

function shortLabel(text) {
  return text.length > 48 ? text.slice(0, 46) + "\u2026" : text;
}

export function drawNetwork(rows) {
  const partners = new Map(), items = new Map(), links = new Map();
  for (const row of rows) {
    const p = row.partner.iri, i = row.item.iri;
    if (!partners.has(p)) {
      partners.set(p, {iri: p, label: labelOf(row.partner), type: localName(row.partnerType.iri),
                       typeLabel: labelOf(row.partnerType), cooperation: row.cooperation, items: []});
    }
    if (!items.has(i)) {
      items.set(i, {iri: i, label: labelOf(row.item), type: localName(row.itemType.iri)});
      remember(i, localName(row.itemType.iri), labelOf(row.item));
    }
    const key = p + " " + i;
    if (!links.has(key)) {
      links.set(key, {partner: p, item: i, relations: []});
      partners.get(p).items.push(i);
    }
    links.get(key).relations.push({relation: labelOf(row.relation), via: row.via});
  }
  const mode = items.size <= ITEM_NODES_UP_TO ? "items" : "partners";
  state.network = {mode, partners: Array.from(partners.values()), items: Array.from(items.values()),
                   links: Array.from(links.values())};
  const most = Math.max(1, ...state.network.partners.map((p) => p.cooperation));
  const elements = [];
  for (const p of partners.values()) {
    elements.push({group: "nodes", classes: `partner ${p.type}`,
                   data: {id: p.iri, label: p.label, kind: "partner", size: Math.round(26 + 46 * Math.sqrt(p.cooperation / most))}});
  }
  if (mode === "items") {
    const labelled = items.size <= ITEM_LABELS_UP_TO;
    for (const i of items.values()) {
      elements.push({group: "nodes", classes: `item ${i.type}${labelled ? "" : " unlabelled"}`,
                     data: {id: i.iri, label: shortLabel(i.label), kind: "item", size: 13}});
    }
    for (const link of links.values()) {
      elements.push({group: "edges", data: {id: `${link.partner} ${link.item}`, source: link.partner, target: link.item}});
    }
  } else {
    elements.push(...sharingEdges(state.network));
  }
  const layout = mode === "items" && partners.size + items.size <= 200
    ? {name: "cose", animate: false, randomize: true, nodeRepulsion: () => 6000, idealEdgeLength: () => 45,
       componentSpacing: 30, gravity: 1.2, padding: 12, numIter: 400}
    : {name: "concentric", animate: false, minNodeSpacing: 4, padding: 16,
       concentric: (node) => (node.data("kind") === "partner" ? 1000 + node.data("size") : 1), levelWidth: () => 8};
  const container = document.getElementById("network");
  if (!state.cy) {
    state.cy = cytoscape({container, elements, style: NETWORK_STYLE, layout, minZoom: 0.2, maxZoom: 4,
                          boxSelectionEnabled: false, autoungrabify: false});
    state.cy.on("tap", "node", (event) => {
      const node = event.target;
      if (node.data("kind") === "partner") openPartner(node.id()); else openItem(node.id());
    });
    state.cy.on("tap", "edge", (event) => {
      const edge = event.target;
      if (edge.data("kind") === "shared") openShared(edge.data("source"), edge.data("target"));
      else openItem(edge.data("target"));
    });
  } else {
    state.cy.elements().remove();
    state.cy.add(elements);
    state.cy.layout(layout).run();
  }
  container.dataset.partners = String(partners.size);
  container.dataset.items = String(items.size);
  container.dataset.mode = mode;
  document.getElementById("network-mode").textContent = mode === "items" ? "" :
    `${items.size} items are too many to draw one by one: partners that share items are linked directly ` +
    "(the wider the line, the more they share). Select a partner or a line to list the items, or narrow the filters.";
  drawPartnerList();
}

/** With many items: one edge between two partners that share items, as wide as how many. */
function sharingEdges(network) {
  const byItem = new Map();
  for (const link of network.links) (byItem.get(link.item) || byItem.set(link.item, []).get(link.item)).push(link.partner);
  const pairs = new Map();
  for (const [item, members] of byItem) {
    const sorted = Array.from(new Set(members)).sort();
    for (let a = 0; a < sorted.length; a++) {
      for (let b = a + 1; b < sorted.length; b++) {
        const key = sorted[a] + " " + sorted[b];
        (pairs.get(key) || pairs.set(key, {source: sorted[a], target: sorted[b], items: []}).get(key)).items.push(item);
      }
    }
  }
  network.shared = Array.from(pairs.values());
  const most = Math.max(1, ...network.shared.map((p) => p.items.length));
  return network.shared.map((p) => ({group: "edges", classes: "shared",
    data: {id: `${p.source} ${p.target}`, source: p.source, target: p.target, kind: "shared",
           width: 1 + 6 * Math.sqrt(p.items.length / most)}}));
}

function drawPartnerList() {
  const list = document.getElementById("partner-list");
  list.replaceChildren(...state.network.partners.map((p) => el("li", {},
    el("button", {type: "button", class: `chip ${p.type}`, dataset: {iri: p.iri, kind: "partner"},
                  "aria-label": `${p.label}, ${p.typeLabel}, ${p.cooperation} shared`, onclick: () => openPartner(p.iri)},
      p.label, " ", el("span", {class: "count", text: String(p.cooperation)})))));
  if (!state.network.partners.length) list.replaceChildren(el("li", {class: "empty", text: "No partner shares an item under these filters."}));
}

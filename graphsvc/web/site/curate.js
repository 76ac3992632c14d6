/* The curator's review page (/curate/<id>) and the token form of /curate.
 *
 * The page holds no data of its own: it asks POST /sources/<id>/draft for the candidates, POST
 * /sources/<id>/check whether a corrected or added value is in its span, and POST
 * /sources/<id>/review to ingest the review (graphsvc.api.curation). Each request carries the write
 * token the curator pasted, kept in sessionStorage (this tab only) and sent as a bearer header.
 *
 * Offsets are code points, as the service counts them; the text is cut into pieces at every cue and
 * span boundary, each piece knowing its offsets, so a selection maps back to offsets exactly.
 * `#curate[data-state]` says where the page is: "token" (waiting for one), "loading", "ready",
 * "sending", "ingested" or "refused".
 */

const TOKEN_KEY = "iddkg.writeToken";
const page = document.getElementById("curate");
const byId = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// --- the token -------------------------------------------------------------------------------------

const token = () => sessionStorage.getItem(TOKEN_KEY);

function showTokenState() {
  const has = Boolean(token());
  byId("token-form").hidden = has;
  byId("token-state").hidden = !has;
}

byId("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byId("token-input");
  const value = input.value.trim();
  if (!value) return;
  sessionStorage.setItem(TOKEN_KEY, value);
  input.value = "";
  showTokenState();
  if (page) loadDraft();
});
byId("token-forget").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showTokenState();
  if (page) setState("token", "Give the write token to draft this document.");
});
showTokenState();

// --- registering a document (/curate) --------------------------------------------------------------

const registerForm = byId("register-form");
if (registerForm) {
  registerForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = byId("register-error");
    problem.hidden = true;
    const say = (message) => { problem.textContent = message; problem.hidden = false; };
    if (!token()) return say("Give the write token first.");
    const file = byId("register-file").files[0];
    if (!file) return say("Choose the text file to register.");
    const params = new URLSearchParams();
    for (const [name, id] of [["title", "register-title-input"], ["published", "register-published"],
                              ["kind", "register-kind"], ["publisher", "register-publisher"], ["url", "register-url"]]) {
      const value = byId(id).value.trim();
      if (value) params.set(name, value);
    }
    params.set("fileName", file.name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "document.txt");
    const type = file.type.startsWith("text/") ? file.type.split(";")[0] : "text/plain";
    const response = await fetch(`${registerForm.dataset.root}/sources?${params}`, {
      method: "POST", credentials: "omit", cache: "no-store", body: file,
      headers: {"Authorization": `Bearer ${token()}`, "Content-Type": `${type}; charset=utf-8`, "Accept": "application/json"}});
    let data;
    try {
      data = await response.json();
    } catch {
      data = {error: `the service answered ${response.status}`};
    }
    if (response.status === 401 || response.status === 403) {
      sessionStorage.removeItem(TOKEN_KEY);
      showTokenState();
    }
    if (!response.ok) return say(data.error || `the service answered ${response.status}`);
    window.location.assign(`${registerForm.dataset.root}/curate/${encodeURIComponent(data.id)}`);
  });
}

// --- the review page -------------------------------------------------------------------------------

const state = {draft: null, codePoints: [], decisions: new Map(), added: [], pieces: [], nextAdded: 1};
window.curate = state;

function setState(name, message) {
  page.dataset.state = name;
  if (message !== undefined) byId("status").textContent = message;
}

async function api(path, body) {
  const init = {method: "POST", credentials: "omit", cache: "no-store",
                headers: {"Authorization": `Bearer ${token()}`, "Accept": "application/json"}};
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`${page.dataset.root}/sources/${encodeURIComponent(page.dataset.source)}/${path}`, init);
  let data;
  try {
    data = await response.json();
  } catch {
    data = {error: `the service answered ${response.status} without a readable body`};
  }
  if (response.status === 401 || response.status === 403) {
    sessionStorage.removeItem(TOKEN_KEY);
    showTokenState();
  }
  return {status: response.status, ok: response.ok, data};
}

const termText = (term) => term.label || term.value;

function termNode(term, cls) {
  const text = termText(term);
  const title = term.type === "iri" ? term.curie : (term.datatypeCurie || (term.language ? `@${term.language}` : ""));
  return el("span", {class: cls, title, text: term.new ? `${text} (new)` : text});
}

/** A term as the API takes it back. */
function termInput(term) {
  if (term.type === "iri") return {type: "iri", value: term.value};
  const out = {type: "literal", value: term.value};
  if (term.language) out.language = term.language;
  else if (term.datatype) out.datatype = term.datatype;
  return out;
}

function statementNode(item, value) {
  return el("p", {class: "statement"}, termNode(item.subject, "subject"), " ", termNode(item.predicate, "predicate"),
            " ", termNode(value || item.value, "value"));
}

// --- the text --------------------------------------------------------------------------------------

function cueStatus(ids) {
  const actions = ids.map((id) => state.decisions.get(id)?.action);
  if (actions.some((a) => a === undefined)) return "pending";
  if (actions.every((a) => a === "reject")) return "rejected";
  return "decided";
}

function renderDocument() {
  const doc = byId("document");
  const cps = state.codePoints;
  const cuts = new Set([0, cps.length]);
  const ranges = [...state.draft.candidates.flatMap((c) => [c.cue, c.span]), ...state.added.map((a) => a.span)];
  for (const r of ranges) { cuts.add(r.start); cuts.add(r.end); }
  const sorted = [...cuts].filter((x) => x >= 0 && x <= cps.length).sort((a, b) => a - b);
  state.pieces = [];
  doc.replaceChildren();
  for (let i = 0; i + 1 < sorted.length; i++) {
    const [start, end] = [sorted[i], sorted[i + 1]];
    const cues = state.draft.candidates.filter((c) => c.cue.start <= start && end <= c.cue.end);
    const piece = el("span", {class: "piece", dataset: {start, end}, text: cps.slice(start, end).join("")});
    if (cues.length) {
      piece.classList.add("cue", cueStatus(cues.map((c) => c.id)));
      piece.dataset.items = cues.map((c) => c.id).join(" ");
      piece.title = cues.map((c) => `${termText(c.subject)} ${termText(c.predicate)} ${termText(c.value)}`).join("\n");
    }
    state.pieces.push(piece);
    doc.append(piece);
  }
}

function showSpan(span, on) {
  for (const piece of state.pieces) {
    const inside = span && Number(piece.dataset.start) >= span.start && Number(piece.dataset.end) <= span.end;
    piece.classList.toggle("in-span", Boolean(on && inside));
  }
}

function pointAtCandidates(event) {
  const piece = event.target.closest(".piece.cue");
  if (!piece || !window.getSelection().isCollapsed) return;
  const items = piece.dataset.items.split(" ").map((id) => byId(`cand-${id}`)).filter(Boolean);
  for (const li of document.querySelectorAll(".candidate.pointed")) li.classList.remove("pointed");
  for (const li of items) li.classList.add("pointed");
  if (items.length) {
    items[0].scrollIntoView({block: "nearest"});
    items[0].focus({preventScroll: true});
  }
}

// --- the candidates --------------------------------------------------------------------------------

function decisionClass(id) {
  return {accept: "accepted", reject: "rejected", correct: "corrected"}[state.decisions.get(id)?.action] || "pending";
}

function renderCandidate(c) {
  const li = el("li", {class: `candidate ${decisionClass(c.id)}`, id: `cand-${c.id}`, tabindex: "-1",
                       dataset: {id: c.id, subject: c.subject.value, predicate: c.predicate.value, value: c.value.value}});
  const decision = state.decisions.get(c.id);
  li.append(statementNode(c));
  const meta = el("p", {class: "meta"}, `confidence ${c.confidence.toFixed(2)} · ${c.rule} · span ${c.span.start}–${c.span.end}`);
  if (c.inGraph) meta.append(" · ", el("strong", {text: "in the graph"}));
  li.append(meta);
  if (c.reasoning) li.append(el("p", {class: "reasoning", text: c.reasoning}));
  li.append(el("details", {}, el("summary", {text: "Span"}), el("blockquote", {text: c.quote})));
  if (decision?.action === "correct") {
    li.append(el("p", {class: "correction"}, "Corrected to: ", termNode(decision.value, "value")));
  }
  const actions = el("div", {class: "actions", role: "group", "aria-label": "Decision"});
  for (const [action, label] of [["accept", "Accept"], ["correct", "Correct…"], ["reject", "Reject"]]) {
    const button = el("button", {type: "button", dataset: {action}, "aria-pressed": String(decision?.action === action), text: label});
    button.addEventListener("click", () => decide(c, action, li));
    actions.append(button);
  }
  li.append(actions, correctForm(c), el("ul", {class: "findings"}));
  li.addEventListener("mouseenter", () => showSpan(c.span, true));
  li.addEventListener("mouseleave", () => showSpan(c.span, false));
  li.addEventListener("focusin", () => showSpan(c.span, true));
  li.addEventListener("focusout", () => showSpan(c.span, false));
  return li;
}

function correctForm(c) {
  const form = el("form", {class: "correct-form", hidden: true});
  const input = el("input", {name: "value", required: true, spellcheck: "false", "aria-label": "New value",
                             value: c.value.type === "iri" ? c.value.curie : c.value.value});
  if (c.value.type === "iri") input.setAttribute("list", "things");
  form.append(el("label", {text: c.value.type === "iri" ? "Another thing (CURIE or IRI): " : "New text: "}), input);
  form.append(" ", el("button", {type: "submit", text: "Save correction"}), " ");
  const cancel = el("button", {type: "button", text: "Cancel"});
  cancel.addEventListener("click", () => { form.hidden = true; });
  form.append(cancel, el("p", {class: "problem", role: "alert", hidden: true}));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = c.value.type === "iri" ? {type: "iri", value: input.value.trim()}
      : {...termInput(c.value), value: input.value};
    await saveCorrection(c, value, form);
  });
  return form;
}

function decide(c, action, li) {
  const held = state.decisions.get(c.id)?.action;
  if (action === "correct") {
    const form = li.querySelector(".correct-form");
    form.hidden = false;
    form.querySelector("input").focus();
    return;
  }
  if (held === action) state.decisions.delete(c.id);
  else state.decisions.set(c.id, {action});
  updateCandidate(c.id);
}

async function saveCorrection(c, value, form) {
  const problem = form.querySelector(".problem");
  problem.hidden = true;
  const answer = await api("check", {candidate: c.id, value});
  if (answer.ok && answer.data.ok) {
    state.decisions.set(c.id, {action: "correct", value: answer.data.value});
    updateCandidate(c.id);
    return;
  }
  problem.textContent = answer.data.error || `the service answered ${answer.status}`;
  problem.hidden = false;
}

/** Redraw one candidate after a decision, and the highlights of the words it was read from. */
function updateCandidate(id) {
  const c = state.draft.candidates.find((x) => x.id === id);
  const li = renderCandidate(c);
  byId(`cand-${id}`).replaceWith(li);
  for (const piece of state.pieces) {
    const ids = piece.dataset.items ? piece.dataset.items.split(" ") : [];
    if (!ids.includes(id)) continue;
    piece.classList.remove("pending", "decided", "rejected");
    piece.classList.add(cueStatus(ids));
  }
  renderCounts();
  li.focus({preventScroll: true});
}

function refresh(focusId) {
  const list = byId("candidates");
  list.replaceChildren(...state.draft.candidates.map(renderCandidate));
  renderAdded();
  renderDocument();
  renderCounts();
  if (focusId) byId(`cand-${focusId}`)?.focus({preventScroll: true});
}

function renderAdded() {
  const list = byId("added");
  list.replaceChildren(...state.added.map((a) => {
    const li = el("li", {class: "candidate added-item", id: `cand-${a.id}`, tabindex: "-1",
                         dataset: {id: a.id, subject: a.subject.value, predicate: a.predicate.value, value: a.value.value}});
    li.append(statementNode(a), el("p", {class: "meta", text: `${a.earlier ? "from an earlier review" : "added"} · span ${a.span.start}–${a.span.end}`}),
              el("details", {}, el("summary", {text: "Span"}), el("blockquote", {text: a.quote})));
    const remove = el("button", {type: "button", text: "Remove"});
    remove.addEventListener("click", () => {
      state.added = state.added.filter((x) => x !== a);
      refresh();
    });
    li.append(el("div", {class: "actions"}, remove), el("ul", {class: "findings"}));
    li.addEventListener("mouseenter", () => showSpan(a.span, true));
    li.addEventListener("mouseleave", () => showSpan(a.span, false));
    return li;
  }));
  byId("added-empty").hidden = state.added.length > 0;
}

function renderCounts() {
  const counts = {accept: 0, correct: 0, reject: 0};
  for (const d of state.decisions.values()) counts[d.action] += 1;
  const undecided = state.draft.candidates.length - state.decisions.size;
  byId("counts").textContent = `${counts.accept} accepted, ${counts.correct} corrected, ${counts.reject} rejected, ` +
    `${undecided} undecided, ${state.added.length} added. Only accepted, corrected and added statements are ingested.`;
}

function decideAll(action) {
  for (const c of state.draft.candidates) if (!state.decisions.has(c.id)) state.decisions.set(c.id, {action});
  refresh();
}

// --- adding a statement on a selection -------------------------------------------------------------

function offsetOf(node, offset) {
  const doc = byId("document");
  if (node.nodeType === Node.TEXT_NODE) {
    const piece = node.parentElement.closest(".piece");
    return Number(piece.dataset.start) + Array.from(node.textContent.slice(0, offset)).length;
  }
  if (node === doc) {
    return offset >= doc.childNodes.length ? state.codePoints.length : Number(doc.childNodes[offset].dataset.start);
  }
  const piece = node.closest(".piece");
  return offset === 0 ? Number(piece.dataset.start) : Number(piece.dataset.end);
}

function selectedSpan() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const doc = byId("document");
  if (!doc.contains(range.startContainer) || !doc.contains(range.endContainer)) return null;
  let start = offsetOf(range.startContainer, range.startOffset);
  let end = offsetOf(range.endContainer, range.endOffset);
  const cps = state.codePoints;
  while (start < end && /\s/.test(cps[start])) start++;
  while (end > start && /\s/.test(cps[end - 1])) end--;
  return end > start ? {start, end} : null;
}

function addKind() {
  return document.querySelector('input[name="add-kind"]:checked').value;
}

function openAddForm(span) {
  const form = byId("add-form");
  const quote = state.codePoints.slice(span.start, span.end).join("");
  state.selection = span;
  byId("add-span").textContent = `${span.start}–${span.end}`;
  byId("add-quote").textContent = quote;
  const around = state.draft.candidates.find((c) => c.span.start <= span.start && span.end <= c.span.end)
    || state.draft.candidates[0];
  if (around && !byId("add-subject").value) byId("add-subject").value = around.subject.curie;
  const named = state.draft.things.find((t) => termText(t).toLowerCase() === quote.toLowerCase());
  byId("add-value").value = addKind() === "iri" ? (named ? named.curie : "") : quote;
  byId("add-error").hidden = true;
  form.hidden = false;
}

function onSelect() {
  const span = selectedSpan();
  if (span) openAddForm(span);
}

function onKindChange() {
  if (state.selection) openAddForm(state.selection);
  byId("add-value").setAttribute("list", addKind() === "iri" ? "things" : "");
}

async function addStatement(event) {
  event.preventDefault();
  const span = state.selection;
  const raw = byId("add-value").value;
  const value = addKind() === "iri" ? {type: "iri", value: raw.trim()}
    : {type: "literal", value: raw, ...(byId("add-datatype").value ? {datatype: byId("add-datatype").value} : {})};
  const id = `added-${state.nextAdded++}`;
  const answer = await api("check", {id, subject: byId("add-subject").value.trim(), predicate: byId("add-predicate").value,
                                     value, start: span.start, end: span.end});
  const problem = byId("add-error");
  if (answer.ok && answer.data.ok) {
    state.added.push({id, subject: answer.data.subject, predicate: answer.data.predicate, value: answer.data.value,
                      span: answer.data.span, quote: answer.data.quote});
    byId("add-form").hidden = true;
    window.getSelection().removeAllRanges();
    refresh();
    byId(`cand-${id}`).focus();
    return;
  }
  problem.textContent = answer.data.error || `the service answered ${answer.status}`;
  problem.hidden = false;
}

// --- ingesting -------------------------------------------------------------------------------------

function clearFindings() {
  for (const list of document.querySelectorAll(".candidate .findings")) list.replaceChildren();
  for (const li of document.querySelectorAll(".candidate.has-finding")) li.classList.remove("has-finding");
  byId("result").replaceChildren();
}

function attach(itemId, message, severity) {
  const li = byId(`cand-${itemId}`);
  if (!li) return false;
  li.querySelector(".findings").append(el("li", {class: `finding ${severity.toLowerCase()}`, text: `${severity}: ${message}`}));
  li.classList.add("has-finding");
  return true;
}

async function send(dryRun) {
  clearFindings();
  const decisions = {};
  for (const [id, d] of state.decisions) {
    decisions[id] = d.action === "correct" ? {action: "correct", value: termInput(d.value)} : {action: d.action};
  }
  const added = state.added.map((a) => ({id: a.id, subject: a.subject.value, predicate: a.predicate.value,
                                          value: termInput(a.value), start: a.span.start, end: a.span.end}));
  setState("sending", dryRun ? "Checking the review against the shapes…" : "Ingesting…");
  const answer = await api("review", {decisions, added, dryRun});
  const result = byId("result");
  const data = answer.data;
  const general = [];
  for (const problem of data.problems || []) {
    if (!attach(problem.item, problem.message, "Refused")) general.push(problem.message);
  }
  for (const finding of data.findings || []) {
    const shown = (finding.items || []).map((id) => attach(id, finding.message, finding.severity)).some(Boolean);
    if (!shown) general.push(`${finding.severity}: ${finding.message} (${finding.focusNode}${finding.path ? " " + finding.path : ""})`);
  }
  if (answer.ok) {
    const what = dryRun ? `The review conforms: ${data.statements} statements (${data.triples} triples) would go to`
      : `Ingested ${data.statements} statements (${data.triples} triples) into`;
    result.append(el("p", {class: "done"}, `${what} `, el("code", {text: data.graph}), "."));
    if (!dryRun && data.subjects?.length) {
      result.append(el("p", {}, "See: ", ...data.subjects.flatMap((s, i) => [i ? ", " : "",
        el("a", {href: s.page, text: s.iri.split("/").pop()})])));
      for (const id of state.decisions.keys()) {
        const d = state.decisions.get(id);
        const c = state.draft.candidates.find((x) => x.id === id);
        if (c) c.inGraph = d.action === "accept";
      }
    }
    setState(dryRun ? "ready" : "ingested", dryRun ? "The review conforms to the shapes." : "Ingested.");
  } else {
    result.append(el("p", {class: "problem", text: data.error || `the service answered ${answer.status}`}));
    setState("refused", "Nothing was written.");
  }
  for (const message of general) result.append(el("p", {class: "finding", text: message}));
}


// --- loading ---------------------------------------------------------------------------------------

function fillPickers() {
  const things = byId("things");
  things.replaceChildren(...state.draft.things.map((t) => el("option", {value: t.curie, label: termText(t)})));
  const select = byId("add-predicate");
  select.replaceChildren(...state.draft.properties.map((p) => el("option", {value: p.curie, text: `${p.label} (${p.curie})`})));
}

async function loadDraft() {
  if (!token()) {
    setState("token", "Give the write token to draft this document.");
    return;
  }
  setState("loading", "Drafting…");
  const answer = await api("draft");
  if (!answer.ok) {
    setState("refused", answer.data.error || `the service answered ${answer.status}`);
    return;
  }
  state.draft = answer.data;
  state.codePoints = Array.from(state.draft.text);
  state.decisions = new Map(state.draft.candidates.filter((c) => c.inGraph).map((c) => [c.id, {action: "accept"}]));
  state.added = state.draft.curated.map((s) => ({...s, earlier: true}));
  fillPickers();
  refresh();
  const held = state.draft.candidates.filter((c) => c.inGraph).length;
  setState("ready", `${state.draft.candidates.length} candidates` +
    (held || state.added.length ? `; ${held + state.added.length} statements of an earlier review are in the graph.` : "."));
}

function wireReviewPage() {
  const doc = byId("document");
  doc.addEventListener("click", pointAtCandidates);
  doc.addEventListener("mouseup", onSelect);
  doc.addEventListener("keyup", onSelect);
  for (const radio of document.querySelectorAll('input[name="add-kind"]')) radio.addEventListener("change", onKindChange);
  byId("add-cancel").addEventListener("click", () => { byId("add-form").hidden = true; });
  byId("add-form").addEventListener("submit", addStatement);
  byId("dry-run").addEventListener("click", () => send(true));
  byId("ingest").addEventListener("click", () => send(false));
  byId("accept-all").addEventListener("click", () => decideAll("accept"));
  byId("reject-all").addEventListener("click", () => decideAll("reject"));
}

if (page) {
  wireReviewPage();
  loadDraft();
}

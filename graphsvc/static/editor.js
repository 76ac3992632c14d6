// The query editor: highlighting, prefixes, examples and a results table. No outside code.
"use strict";

const endpoint = new URL("/sparql", window.location.href).toString();
const queryBox = document.getElementById("query");
const highlight = document.getElementById("highlight");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");
const downloads = document.getElementById("downloads");

const KEYWORDS = new Set(("SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED " +
  "OPTIONAL UNION MINUS GRAPH FILTER BIND VALUES AS GROUP BY ORDER HAVING LIMIT OFFSET ASC DESC " +
  "NOT EXISTS IN COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE " +
  "BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE CONTAINS STRSTARTS STRENDS " +
  "REGEX REPLACE SUBSTR YEAR MONTH DAY NOW IF COALESCE ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC " +
  "TRUE FALSE A").split(" "));
const TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z_0-9]+)|([A-Za-z][\w-]*)?:[\w.-]*|([A-Za-z_]+)/g;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function highlighted(text) {
  let out = "";
  let last = 0;
  text.replace(TOKEN, (match, comment, string, iri, variable, _prefix, word, offset) => {
    out += escapeHtml(text.slice(last, offset));
    let cls = null;
    if (comment) cls = "cmt";
    else if (string) cls = "str";
    else if (iri) cls = "iri";
    else if (variable) cls = "var";
    else if (word) cls = KEYWORDS.has(word.toUpperCase()) ? "kw" : null;
    else cls = "pname";
    out += cls ? `<span class="${cls}">${escapeHtml(match)}</span>` : escapeHtml(match);
    last = offset + match.length;
    return match;
  });
  return out + escapeHtml(text.slice(last)) + "\n";
}

function refresh() {
  highlight.innerHTML = highlighted(queryBox.value);
  highlight.scrollTop = queryBox.scrollTop;
}

function setQuery(text) {
  queryBox.value = text;
  refresh();
}

function termCell(term) {
  const cell = document.createElement("td");
  if (!term) return cell;
  if (term.type === "uri") {
    cell.className = "uri";
    const link = document.createElement("a");
    link.href = term.value.startsWith("https://w3id.org/iddkg/id/")
      ? "/id/" + term.value.slice("https://w3id.org/iddkg/id/".length) : term.value;
    link.textContent = term.value;
    cell.appendChild(link);
  } else {
    cell.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
    const note = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? "^^" + term.datatype.split(/[#/]/).pop() : "";
    if (note) {
      const small = document.createElement("span");
      small.className = term["xml:lang"] ? "lang" : "dt";
      small.textContent = " " + note;
      cell.appendChild(small);
    }
  }
  return cell;
}

function showTable(body, truncated) {
  results.replaceChildren();
  if ("boolean" in body) {
    results.textContent = "Answer: " + body.boolean;
    return;
  }
  const vars = body.head.vars;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  const tbody = table.createTBody();
  for (const binding of body.results.bindings) {
    const row = tbody.insertRow();
    for (const v of vars) row.appendChild(termCell(binding[v]));
  }
  results.appendChild(table);
  const count = body.results.bindings.length;
  statusLine.textContent = `${count} row${count === 1 ? "" : "s"}` + (truncated ? " (truncated: the result limit was reached)" : "");
}

function showDownloads(query, graphShaped) {
  downloads.replaceChildren();
  const formats = graphShaped ? ["turtle", "jsonld", "nt", "rdfxml"] : ["csv", "tsv", "json", "xml"];
  for (const format of formats) {
    const link = document.createElement("a");
    link.href = endpoint + "?" + new URLSearchParams({ query, format });
    link.textContent = format.toUpperCase();
    link.setAttribute("download", "");
    downloads.appendChild(link);
  }
}

async function run() {
  const query = queryBox.value;
  statusLine.className = "";
  statusLine.textContent = "Running…";
  results.replaceChildren();
  downloads.replaceChildren();
  const graphShaped = /^\s*(?:(?:PREFIX|BASE)[^\n]*\n|#[^\n]*\n|\s)*\b(CONSTRUCT|DESCRIBE)\b/i.test(query);
  try {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: graphShaped ? "text/turtle" : "application/sparql-results+json",
      },
      body: new URLSearchParams({ query }),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({ error: response.statusText }));
      const where = problem.line ? ` (line ${problem.line}, column ${problem.column})` : "";
      statusLine.className = "error";
      statusLine.textContent = `Error ${response.status}: ${problem.error}${where}`;
      return;
    }
    const truncated = response.headers.get("X-Result-Truncated") === "true";
    if (graphShaped) {
      const pre = document.createElement("pre");
      pre.textContent = await response.text();
      results.appendChild(pre);
      statusLine.textContent = truncated ? "Graph (truncated: the result limit was reached)" : "Graph";
    } else {
      showTable(await response.json(), truncated);
    }
    showDownloads(query, graphShaped);
  } catch (error) {
    statusLine.className = "error";
    statusLine.textContent = "The service did not answer: " + error;
  }
}

async function loadSide() {
  const [prefixes, examples] = await Promise.all([
    fetch("/prefixes").then((r) => r.json()),
    fetch("/sparql/examples").then((r) => r.json()),
  ]);
  const prefixList = document.getElementById("prefixes");
  for (const [name, iri] of Object.entries(prefixes)) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `${name}: <${iri}>`;
    button.addEventListener("click", () => {
      const line = `PREFIX ${name}: <${iri}>\n`;
      if (!queryBox.value.includes(line)) setQuery(line + queryBox.value);
    });
    item.appendChild(button);
    prefixList.appendChild(item);
  }
  const exampleList = document.getElementById("examples");
  for (const example of examples) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = example.title;
    button.title = example.description || example.name;
    button.dataset.name = example.name;
    button.addEventListener("click", () => setQuery(example.query));
    item.appendChild(button);
    exampleList.appendChild(item);
  }
  if (!queryBox.value) {
    const header = ["idd", "kg", "rdfs"].filter((p) => p in prefixes).map((p) => `PREFIX ${p}: <${prefixes[p]}>`).join("\n");
    setQuery(header + "\n\nSELECT ?instrument ?label WHERE {\n  ?instrument a idd:Instrument ; rdfs:label ?label .\n}\nORDER BY ?label\n");
  }
}

document.getElementById("endpoint-url").textContent = endpoint;
queryBox.addEventListener("input", refresh);
queryBox.addEventListener("scroll", () => { highlight.scrollTop = queryBox.scrollTop; });
queryBox.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
  if (event.key === "Tab") {
    event.preventDefault();
    const { selectionStart: start, selectionEnd: end, value } = queryBox;
    queryBox.value = value.slice(0, start) + "  " + value.slice(end);
    queryBox.selectionStart = queryBox.selectionEnd = start + 2;
    refresh();
  }
});
document.getElementById("run").addEventListener("click", run);
const initial = new URLSearchParams(window.location.search).get("query");
if (initial) setQuery(initial);
loadSide();

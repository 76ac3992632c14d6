// The query editor's configuration: YASGUI (from npm, served under static/yasgui/) preset with this
// service's endpoint, its prefixes (GET /prefixes) and its named queries as example tabs
// (GET /sparql/examples, each with its parameters bound to example values). All URLs are relative
// to the page (served at .../sparql), so the editor works behind a proxy and never leaves the service.
(function () {
  "use strict";

  const here = document.baseURI;
  const ENDPOINT = new URL("sparql", here).href;
  const container = document.getElementById("yasgui");
  const problem = document.getElementById("editor-problem");

  function fail(message) {
    container.textContent = "";
    problem.hidden = false;
    problem.textContent = message;
  }

  if (typeof window.Yasgui === "undefined") {
    fail("The query editor's files (YASGUI) did not load. Install them with scripts/install " +
      "(it runs npm ci in web/ and copies YASGUI into graphsvc/web/assets/yasgui/), then reload.");
    return;
  }

  const DEFAULT_QUERY = [
    "PREFIX idd: <https://w3id.org/iddkg/ontology#>",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    "",
    "SELECT ?instrument ?label WHERE {",
    "  ?instrument a idd:Instrument ; rdfs:label ?label .",
    "  FILTER(LANGMATCHES(LANG(?label), \"en\"))",
    "}",
    "ORDER BY ?label",
    "LIMIT 50",
  ].join("\n");

  async function getJson(path) {
    const response = await fetch(new URL(path, here), { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  // Terms of the graph's own vocabulary, for the class and property autocompleters (which would
  // otherwise ask Linked Open Vocabularies on the Internet): asked once of this endpoint.
  const TERM_QUERIES = {
    class: "SELECT DISTINCT ?term WHERE { VALUES ?type { <http://www.w3.org/2002/07/owl#Class> " +
      "<http://www.w3.org/2000/01/rdf-schema#Class> } ?term a ?type FILTER(isIRI(?term)) } LIMIT 5000",
    property: "SELECT DISTINCT ?term WHERE { VALUES ?type { <http://www.w3.org/2002/07/owl#ObjectProperty> " +
      "<http://www.w3.org/2002/07/owl#DatatypeProperty> <http://www.w3.org/2002/07/owl#AnnotationProperty> " +
      "<http://www.w3.org/1999/02/22-rdf-syntax-ns#Property> } ?term a ?type FILTER(isIRI(?term)) } LIMIT 5000",
  };
  const termCache = {};

  function localTerms(kind) {
    if (!termCache[kind]) {
      const body = new URLSearchParams({ query: TERM_QUERIES[kind] });
      termCache[kind] = fetch(ENDPOINT, {
        method: "POST",
        headers: { Accept: "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString(),
      })
        .then((r) => (r.ok ? r.json() : { results: { bindings: [] } }))
        .then((json) => json.results.bindings.map((b) => b.term.value).sort())
        .catch(() => []);
    }
    return termCache[kind];
  }

  function configureAutocompleters(prefixes) {
    const completers = Yasgui.Yasqe.Autocompleters;
    const ours = Object.entries(prefixes).map(([prefix, ns]) => `${prefix}: <${ns}>`);
    const bundled = completers.prefixes.get;
    completers.prefixes.get = (yasqe, token) =>
      Promise.resolve(bundled.call(completers.prefixes, yasqe, token)).then((list) => {
        const known = new Set(Object.keys(prefixes).map((p) => `${p}:`));
        return ours.concat(list.filter((entry) => !known.has(entry.split(" ")[0])));
      });
    completers.prefixes.persistenceId = null; // the list comes from this service, fresh each visit
    for (const kind of ["class", "property"]) {
      if (!completers[kind]) continue;
      completers[kind].get = (yasqe, token) => {
        const start = (token && token.autocompletionString) || "";
        return localTerms(kind).then((terms) => terms.filter((t) => t.startsWith(start)).slice(0, 50));
      };
    }
  }

  // The endpoint answers errors as JSON {"error", "line", "column"}; YASGUI shows the body's text.
  async function renderError(error) {
    let body;
    try {
      body = JSON.parse(error && error.text);
    } catch (ignored) {
      return undefined;
    }
    if (!body || typeof body.error !== "string") return undefined;
    const box = document.createElement("div");
    box.className = "iddkg-error";
    const where = document.createElement("div");
    where.className = "where";
    where.textContent = body.line ? `Error at line ${body.line}, column ${body.column}` : "Error";
    const message = document.createElement("pre");
    message.className = "errorMessage";
    message.textContent = body.error;
    box.append(where, message);
    return box;
  }

  async function start() {
    let prefixes = {};
    let examples = [];
    try {
      [prefixes, examples] = await Promise.all([getJson("prefixes"), getJson("sparql/examples")]);
    } catch (error) {
      problem.hidden = false;
      problem.textContent = `The prefixes or the examples could not be read (${error.message}); the editor works without them.`;
    }
    configureAutocompleters(prefixes);
    // YASGUI takes error renderers from Yasr's defaults (the tab's own list starts with its CORS check).
    Yasgui.Yasr.defaults.errorRenderers = [renderError, ...(Yasgui.Yasr.defaults.errorRenderers || [])];
    // A failed query is shown in the results (above); Yasqe also emits it as an "error" event, which
    // an EventEmitter with no listener throws again as an uncaught exception: nothing is lost here.
    const emit = Yasgui.Yasqe.prototype.emit;
    Yasgui.Yasqe.prototype.emit = function (event, ...args) {
      if (event === "error" && this.listenerCount("error") === 0) return false;
      return emit.call(this, event, ...args);
    };
    container.textContent = "";
    const yasgui = new Yasgui(container, {
      requestConfig: { endpoint: ENDPOINT, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: () => [{ endpoint: ENDPOINT }] },
      persistenceId: "iddkg-yasgui",
      yasqe: { value: DEFAULT_QUERY, prefixCcApi: null },
      yasr: { prefixes: prefixes, errorRenderers: [renderError] },
    });
    // Every tab asks this endpoint, including the ones kept from an earlier visit.
    for (const id of Object.keys(yasgui._tabs)) {
      const tab = yasgui.getTab(id);
      if (tab && tab.getEndpoint && tab.getEndpoint() !== ENDPOINT) tab.setEndpoint(ENDPOINT);
    }
    const active = yasgui.getTab();
    for (const example of examples) {
      if (yasgui.tabNameTaken(example.title)) continue; // kept from an earlier visit, maybe edited
      yasgui.addTab(false, {
        name: example.title,
        yasqe: { value: example.query },
        requestConfig: { endpoint: ENDPOINT },
      });
    }
    if (active) yasgui.selectTabId(active.getId());
    window.iddkgEditor = { yasgui: yasgui, endpoint: ENDPOINT, examples: examples, prefixes: prefixes };
    document.body.dataset.editorReady = "true";
  }

  start().catch((error) => fail(`The query editor could not start: ${error.message}`));
})();

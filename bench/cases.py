"""The query cases the benchmark runs: every named query, with parameters that name things of the
synthetic world, and a few more filters of `instruments` (partner, kind, area, forum, dates).

The parameters go through the service's own code (read_params, bind_query), so the text that
raw pyoxigraph and rdflib run is exactly the text the HTTP route runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlencode

from graphsvc.catalog import catalog
from graphsvc.named_params import bind_query, read_params

DASHBOARD = "partners"

# Parameters per named query (synthetic names; dates fixed so that runs are repeatable).
PARAMS: dict[str, dict[str, str]] = {
    "instrument": {"instrument": "kg:bench-instrument-0"},
    "search": {"q": "san"},
    "network": {"partner": "kg:bench-country-1"},
    "expiring": {"on": "2030-06-01", "days": "120"},
}
EXTRA: list[tuple[str, str, dict[str, str]]] = [
    ("instruments-partner", "instruments", {"partner": "kg:bench-country-1"}),
    ("instruments-kind-inforce", "instruments", {"kind": "idd:MemorandumOfCooperation", "inForceOn": "2024-01-01"}),
    ("instruments-area", "instruments", {"area": "kg:bench-area-0"}),
    ("instruments-forum-signed", "instruments", {"forum": "kg:bench-forum-0", "signedFrom": "2015-01-01",
                                                 "signedTo": "2020-12-31"}),
    ("search-fr", "search", {"q": "ie", "lang": "fr"}),
    ("events-participant", "events", {"participant": "kg:bench-country-1", "from": "2020-01-01"}),
]


@dataclass(frozen=True)
class Case:
    name: str
    query: str
    params: dict[str, str]

    @property
    def path(self) -> str:
        return f"/api/{self.query}" + (f"?{urlencode(self.params)}" if self.params else "")

    def text(self) -> str:
        """The query text the service runs for this request (VALUES bound, LIMIT limit+1)."""
        query = catalog()[self.query]
        bound = read_params(query, {k: [v] for k, v in self.params.items()})
        return bind_query(query, bound)

    @property
    def form(self) -> str:
        return catalog()[self.query].form


def cases() -> list[Case]:
    found = []
    for name, query in catalog().items():
        params = dict(PARAMS.get(name, {}))
        for param in query.params:  # a query added later: its required params from its examples
            if param.required and param.name not in params and param.example is not None:
                params[param.name] = param.example
        found.append(Case(name, name, params))
    found += [Case(n, q, p) for n, q, p in EXTRA if q in catalog()]
    wanted = [n for n in os.environ.get("BENCH_CASES", "").split(",") if n]
    return [c for c in found if c.name in wanted] if wanted else found

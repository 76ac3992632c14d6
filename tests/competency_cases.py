"""Competency questions: loading the cases in tests/competency/ and comparing answers.

Each case is a SPARQL SELECT or ASK query `NN-short-name.rq` whose first comment line is
`# Question: ...`, with the expected answer beside it in `NN-short-name.expected.json`:

    {"question": "...", "ordered": false, "rows": [{"var": value, ...}, ...]}   (SELECT)
    {"question": "...", "boolean": true}                                        (ASK)

Values are in the plain JSON form of `graphsvc.results.plain_value`: IRIs as strings, numbers as
numbers, booleans as booleans, other literals (dates included) as their lexical form, unbound
variables as null. Rows are compared as multisets unless "ordered" is true.

Nothing here depends on the engine: `answer_from_oxigraph` turns a pyoxigraph result into an
answer and `answer_from_sparql_json` does the same for a SPARQL 1.1 JSON results document from
any endpoint, so another backend can run the same cases and compare them with `compare_answer`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graphsvc.results import plain_rows, plain_value

COMPETENCY_DIR = Path(__file__).resolve().parent / "competency"
QUESTION_LINE = re.compile(r"^#\s*Question:\s*(?P<question>\S.*?)\s*$")


@dataclass(frozen=True)
class CompetencyCase:
    """One competency question: its query text and the answer the sources give."""

    name: str
    query_path: Path
    query: str
    question: str | None
    expected_path: Path
    expected: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def is_ask(self) -> bool:
        return self.expected is not None and "boolean" in self.expected


def question_of(query: str) -> str | None:
    """The text of the first comment line of `query` if it is a `# Question:` line."""
    for line in query.splitlines():
        if not line.strip():
            continue
        match = QUESTION_LINE.match(line.strip())
        return match.group("question") if match else None
    return None


def load_competency_cases(directory: Path = COMPETENCY_DIR) -> list[CompetencyCase]:
    """Every `*.rq` in `directory`, sorted by file name, with its expected answer (None if missing)."""
    cases = []
    for query_path in sorted(directory.glob("*.rq")):
        query = query_path.read_text(encoding="utf-8")
        expected_path = query_path.with_name(query_path.stem + ".expected.json")
        expected = json.loads(expected_path.read_text(encoding="utf-8")) if expected_path.exists() else None
        cases.append(CompetencyCase(
            name=query_path.name,
            query_path=query_path,
            query=query,
            question=question_of(query),
            expected_path=expected_path,
            expected=expected,
        ))
    return cases


def answer_from_oxigraph(result: ox.QuerySolutions | ox.QueryBoolean) -> dict[str, Any]:
    """A pyoxigraph SELECT or ASK result as {"rows": [...]} or {"boolean": ...}."""
    if isinstance(result, ox.QueryBoolean):
        return {"boolean": bool(result)}
    return {"rows": plain_rows(result)}


def _term_from_sparql_json(binding: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind = binding["type"]
    if kind == "uri":
        return ox.NamedNode(binding["value"])
    if kind == "bnode":
        return ox.BlankNode(binding["value"])
    if "xml:lang" in binding:
        return ox.Literal(binding["value"], language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(binding["value"], datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(binding["value"])


def answer_from_sparql_json(document: dict[str, Any]) -> dict[str, Any]:
    """A SPARQL 1.1 Query Results JSON document as {"rows": [...]} or {"boolean": ...}."""
    if "boolean" in document:
        return {"boolean": bool(document["boolean"])}
    names = document["head"]["vars"]
    rows = []
    for solution in document["results"]["bindings"]:
        rows.append({
            name: plain_value(_term_from_sparql_json(solution[name])) if name in solution else None
            for name in names
        })
    return {"rows": rows}


def _canonical(value: Any) -> Any:
    # 30 and 30.0 are the same number whichever engine typed it.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _row_key(row: dict[str, Any]) -> str:
    return json.dumps({k: _canonical(v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False)


def compare_answer(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """The differences between an expected answer and an actual one; empty when they agree.

    `actual` is what `answer_from_oxigraph` or `answer_from_sparql_json` returns. SELECT rows are
    compared as multisets, or as sequences when the expected answer says "ordered": true.
    """
    if "boolean" in expected:
        if "boolean" not in actual:
            return ["expected an ASK answer, got rows"]
        if bool(expected["boolean"]) != bool(actual["boolean"]):
            return [f"expected {expected['boolean']}, got {actual['boolean']}"]
        return []
    if "rows" not in actual:
        return ["expected rows, got an ASK answer"]
    want, got = expected["rows"], actual["rows"]
    problems = []
    want_vars = {k for row in want for k in row}
    got_vars = {k for row in got for k in row}
    if want and got and want_vars != got_vars:
        problems.append(f"variables differ: expected {sorted(want_vars)}, got {sorted(got_vars)}")
    if expected.get("ordered", False):
        if [_row_key(r) for r in want] != [_row_key(r) for r in got]:
            problems.append("rows differ (order matters)")
        return problems
    missing = Counter(map(_row_key, want)) - Counter(map(_row_key, got))
    unexpected = Counter(map(_row_key, got)) - Counter(map(_row_key, want))
    problems += [f"missing row ({n}x): {key}" for key, n in sorted(missing.items())]
    problems += [f"unexpected row ({n}x): {key}" for key, n in sorted(unexpected.items())]
    return problems


def describe_failure(case: CompetencyCase, actual: dict[str, Any], problems: list[str]) -> str:
    """A message for a failed case: the question, the differences, and both answers in full."""
    def dump(answer: dict[str, Any]) -> str:
        if "boolean" in answer:
            return json.dumps(answer["boolean"])
        return "\n".join("  " + json.dumps(r, ensure_ascii=False, sort_keys=True) for r in answer["rows"]) or "  (no rows)"

    expected = case.expected or {}
    return "\n".join([
        f"{case.name}: {case.question}",
        *("  - " + p for p in problems),
        "expected:",
        dump(expected),
        "actual:",
        dump(actual),
    ])

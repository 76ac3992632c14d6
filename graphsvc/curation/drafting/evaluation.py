"""How well the drafter reads the project's own sources: recall and precision against data/.

Each source text is drafted from its text alone, knowing only the reference part of the graph:
the ontology and the data/ files about agents, places, multilateral bodies and concept schemes
(`REFERENCE_FILES`). The files about instruments, events, the sources themselves and all their
evidence (`GOLD_FILES`) are the answer the drafts are compared with. Facts are read from both
sides with the same query (queries/drafting/evaluation-facts.rq); a drafted instrument or event
is paired with the curated one of the same source with which it shares most facts, and only then
are its facts counted right or wrong. Spans that do not contain their value are counted too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from graphsvc import project
from graphsvc.curation.drafting.drafter import Drafter
from graphsvc.curation.drafting.knowledge import QUERIES, read_knowledge
from graphsvc.curation.drafting.span_rule import problems
from graphsvc.curation.drafting.writer import to_turtle
from graphsvc.rdf_files import parse_file

REFERENCE_FILES = ("agents", "places", "multilateral", "concepts")
GOLD_FILES = ("sources", "india-france", "india-japan", "meity-international-cooperation", "events")
CATEGORIES = ("kinds", "collective kinds", "parties", "status", "dates", "durations", "signatories", "areas", "forums")
RECALL_TARGETS = {"kinds": 0.8, "parties": 0.8, "dates": 0.8, "durations": 0.8}
PRECISION_TARGET = 0.9

Facts = dict[tuple[str, str], set[tuple[str, str]]]  # (owner, owner class) -> {(category, value)}


class EvaluationUnavailable(ValueError):
    """The evaluation cannot run: a data/ file is neither reference nor gold, or a source text is missing."""


@dataclass
class Row:
    gold: int = 0
    drafted: int = 0
    right: int = 0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.drafted if self.drafted else 1.0


@dataclass
class Evaluation:
    rows: dict[str, Row] = field(default_factory=lambda: {c: Row() for c in CATEGORIES})
    span_violations: int = 0
    candidates: int = 0
    sources: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Row:
        total = Row()
        for row in self.rows.values():
            total.gold += row.gold
            total.drafted += row.drafted
            total.right += row.right
        return total

    def meets_targets(self) -> bool:
        return (all(self.rows[c].recall >= t for c, t in RECALL_TARGETS.items())
                and self.overall.precision >= PRECISION_TARGET and self.span_violations == 0)


def _data_files() -> dict[str, Path]:
    files = {path.stem: path for path in project.data_files()}
    unknown = sorted(set(files) - set(REFERENCE_FILES) - set(GOLD_FILES))
    if unknown:
        raise EvaluationUnavailable(f"data/ files neither reference nor gold for the evaluation: {', '.join(unknown)}")
    return files


@lru_cache(maxsize=1)
def _quads(reference_only: bool) -> tuple[ox.Quad, ...]:
    files = _data_files()
    names = REFERENCE_FILES if reference_only else tuple(files)
    quads = [q for path in project.ontology_files() for q in parse_file(path).quads]
    for name in names:
        if name in files:
            quads.extend(parse_file(files[name]).quads)
    return tuple(quads)


def _store(quads: tuple[ox.Quad, ...], extra: str | None = None) -> ox.Store:
    store = ox.Store()
    store.extend(list(quads))
    if extra:
        store.load(extra.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(project.GRAPH_NS + "draft"))
    return store


def _select(store: ox.Store, name: str) -> list[dict[str, str]]:
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    rows = store.query(text, use_default_graph_as_union=True)
    variables = [v.value for v in rows.variables]  # type: ignore[union-attr]
    return [{v: row[v].value for v in variables if row[v] is not None} for row in rows]  # type: ignore[union-attr]


def facts_by_source(store: ox.Store) -> dict[str, Facts]:
    found: dict[str, Facts] = defaultdict(lambda: defaultdict(set))
    for row in _select(store, "evaluation-facts"):
        found[row["source"]][(row["owner"], row["ownerClass"])].add((row["category"], row["value"]))
    return found


def align(drafted: Facts, gold: Facts) -> dict[tuple[str, str], tuple[str, str]]:
    """Pairs (drafted owner -> gold owner) of the same class, most shared facts first."""
    scores = sorted(((len(d_facts & g_facts), d, g) for d, d_facts in drafted.items() for g, g_facts in gold.items()
                     if d[1] == g[1] and d_facts & g_facts), key=lambda s: (-s[0], s[1], s[2]))
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    taken: set[tuple[str, str]] = set()
    for _, d, g in scores:
        if d not in pairs and g not in taken:
            pairs[d] = g
            taken.add(g)
    return pairs


def _score(evaluation: Evaluation, source: str, drafted: Facts, gold: Facts) -> None:
    pairs = align(drafted, gold)
    for owner, owner_facts in drafted.items():
        matched = gold.get(pairs[owner], set()) if owner in pairs else set()
        for category, value in owner_facts:
            evaluation.rows[category].drafted += 1
            if (category, value) in matched:
                evaluation.rows[category].right += 1
            else:
                evaluation.extras.append(f"{source} {owner[0]} {category}: {value}")
    paired = {g: d for d, g in pairs.items()}
    for owner, owner_facts in gold.items():
        found = drafted.get(paired[owner], set()) if owner in paired else set()
        for category, value in owner_facts:
            evaluation.rows[category].gold += 1
            if (category, value) not in found:
                evaluation.misses.append(f"{source} {owner[0]} {category}: {value}")


def reference_knowledge():  # type: ignore[no-untyped-def]
    """What the drafter knows from the ontology and the reference files of data/ alone."""
    return read_knowledge(_store(_quads(True)))


def evaluate(published: dict[str, dt.date] | None = None) -> Evaluation:
    """Draft every source of data/ from its text and the reference graph, and score the drafts."""
    reference = _quads(True)
    knowledge = read_knowledge(_store(reference))
    drafter = Drafter(knowledge)
    gold_store = _store(_quads(False))
    gold = facts_by_source(gold_store)
    evaluation = Evaluation()
    for row in _select(gold_store, "evaluation-sources"):
        source = row["source"]
        path = project.sources_dir() / row["fileName"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise EvaluationUnavailable(f"cannot read the source text {path.name} of {source} in the sources folder "
                                        f"(GRAPHSVC_SOURCES): {exc.strerror}") from None
        draft = drafter.draft(text, source, (published or {}).get(source))
        evaluation.sources.append(source)
        evaluation.candidates += len(draft.candidates)
        evaluation.span_violations += len(problems(draft, knowledge))
        drafted = facts_by_source(_store(reference, to_turtle(draft, knowledge))).get(source, {})
        _score(evaluation, source, drafted, gold.get(source, {}))
    return evaluation


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def markdown_table(evaluation: Evaluation) -> str:
    """The evaluation as a markdown table, with the targets and the span check below it."""
    lines = ["| fact | in data/ | drafted | right | recall | precision | target |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for category in CATEGORIES:
        row = evaluation.rows[category]
        target = f"recall >= {_percent(RECALL_TARGETS[category])}" if category in RECALL_TARGETS else ""
        lines.append(f"| {category} | {row.gold} | {row.drafted} | {row.right} | {_percent(row.recall)} | "
                     f"{_percent(row.precision)} | {target} |")
    total = evaluation.overall
    lines.append(f"| **overall** | {total.gold} | {total.drafted} | {total.right} | {_percent(total.recall)} | "
                 f"{_percent(total.precision)} | precision >= {_percent(PRECISION_TARGET)} |")
    lines.append("")
    lines.append(f"{len(evaluation.sources)} sources, {evaluation.candidates} candidates; candidates whose span does "
                 f"not contain their value: {evaluation.span_violations} (must be 0). Targets "
                 f"{'met' if evaluation.meets_targets() else 'NOT met'}.")
    return "\n".join(lines)

"""Validation findings on a review's batch, each tied to the statements of the review it concerns.

A finding is about a focus node, and often a property and a value. It concerns the review's
statement that it names: the one whose evidence (or the evidence's target or selector) is the
focus, the one with that subject, property and value, or else the statements with that subject and
property. A finding about a node that no statement has as subject (a new thing missing something)
concerns the statements that name that node as their value. The page shows each finding next to
the statements it concerns.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

import pyoxigraph as ox

from graphsvc.curation.curated_statements import evidenced_statements
from graphsvc.curation.review import ReviewBatch
from graphsvc.validation.report import report_json
from graphsvc.validation.validator import ValidationResult


class _Index:
    def __init__(self, batch: ReviewBatch) -> None:
        by_key: dict[tuple[str, str, str, int, int], list[str]] = defaultdict(list)
        self.statement: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        self.property: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.subject: dict[str, list[str]] = defaultdict(list)
        self.value: dict[str, list[str]] = defaultdict(list)
        for item in batch.items:
            c = item.candidate
            by_key[(c.subject, c.predicate, str(c.value), c.start, c.end)].append(item.id)
            self.statement[(c.subject, c.predicate, str(c.value))].append(item.id)
            self.property[(c.subject, c.predicate)].append(item.id)
            self.subject[c.subject].append(item.id)
            if isinstance(c.value, ox.NamedNode):
                self.value[c.value.value].append(item.id)
        self.evidence: dict[str, list[str]] = defaultdict(list)
        for s in evidenced_statements(batch.triples):
            for node in (s.evidence, *s.parts):
                self.evidence[str(node)] += by_key.get(s.key, [])

    def items(self, result: ValidationResult) -> list[str]:
        focus = result.focus
        if str(focus) in self.evidence:
            return _unique(self.evidence[str(focus)])
        if not isinstance(focus, ox.NamedNode):
            return []
        if result.path and result.value is not None and (found := self.statement.get(
                (focus.value, result.path, str(result.value)))):
            return _unique(found)
        if result.path and (found := self.property.get((focus.value, result.path))):
            return _unique(found)
        return _unique(self.subject.get(focus.value, []) or self.value.get(focus.value, []))


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def findings(results: Sequence[ValidationResult], batch: ReviewBatch) -> list[dict[str, Any]]:
    """Each result as the service reports it (graphsvc.validation.report), with `items`: the ids of
    the review's statements it concerns (empty when it concerns none of them in particular)."""
    index = _Index(batch)
    out = []
    for result in sorted(results, key=lambda r: (not r.blocking, str(r.focus), r.path or "", r.shape)):
        [item] = report_json([result])["results"]
        out.append({**item, "items": index.items(result)})
    return out

"""A curator's review of a draft, turned into a batch for the validated ingest.

The review names candidates by id (graphsvc.curation.source_drafts) and says of each: accept,
reject, or correct (a new value for the same statement, kept on the same span). It may add
statements the draft missed, each on a span the curator selected. The batch holds, in the
evidence model of data/ (graphsvc.curation.drafting.writer):

- each accepted candidate with the drafter's evidence (span, quote, rule, confidence, reasoning);
- each corrected candidate with its new value on the drafter's span;
- each added statement on its span;
- the description (types, labels, outside identifiers) of every new thing those statements name;

and nothing of a rejected or undecided candidate. Every evidence says what the review did with it
(skos:editorialNote). A corrected or added value must be contained in its span by the rule the
drafter follows (graphsvc.curation.drafting.span_rule); one that is not is refused here, with the
reason, before the shapes are asked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import pyoxigraph as ox

from graphsvc.curation.curated_statements import evidenced_statements
from graphsvc.curation.drafting.candidates import XSD, Candidate, Cue, Draft, Value
from graphsvc.curation.drafting.span_rule import problem
from graphsvc.curation.drafting.writer import to_turtle
from graphsvc.curation.source_drafts import SourceDraft
from graphsvc.named_params import expand_iri
from graphsvc.vocabulary import curie, prefixes

EDITORIAL_NOTE = ox.NamedNode("http://www.w3.org/2004/02/skos/core#editorialNote")
ACTIONS = ("accept", "reject", "correct")
MAX_ADDITIONS = 500
MAX_VALUE_CHARS = 2000
CURATOR_RULE = "curator"
_ITEM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEXICAL = {
    XSD + "gYear": (re.compile(r"^\d{4}$"), "a year, YYYY"),
    XSD + "gMonthDay": (re.compile(r"^--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"), "a day of a month, --MM-DD"),
    XSD + "decimal": (re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"), "a decimal number"),
    XSD + "integer": (re.compile(r"^[+-]?\d+$"), "a whole number"),
    XSD + "positiveInteger": (re.compile(r"^\+?0*[1-9]\d*$"), "a whole number above zero"),
    XSD + "nonNegativeInteger": (re.compile(r"^\+?\d+$"), "a whole number, zero or more"),
    XSD + "boolean": (re.compile(r"^(true|false)$"), "true or false"),
}


class ReviewError(ValueError):
    """A review the service cannot take: `status` (4xx), the item at fault, and per-item problems."""

    def __init__(self, status: int, message: str, item: str | None = None,
                 problems: tuple[dict[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.item = item
        self.problems = problems

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": str(self)}
        if self.item is not None:
            body["item"] = self.item
        if self.problems:
            body["problems"] = list(self.problems)
        return body


@dataclass(frozen=True)
class Decision:
    """What the curator made of one candidate; `value` is the new value of a correction."""

    action: str
    value: Value | None = None


@dataclass(frozen=True)
class Addition:
    """A statement the curator added, on the span of text they selected."""

    id: str
    subject: str
    predicate: str
    value: Value
    start: int
    end: int


@dataclass(frozen=True)
class Review:
    decisions: Mapping[str, Decision]
    additions: tuple[Addition, ...] = ()


@dataclass(frozen=True)
class ReviewItem:
    """One statement of the batch: what the review did, the statement as written, and the draft's."""

    id: str
    action: str  # "accepted", "corrected" or "added"
    candidate: Candidate
    drafted: Candidate | None = None


@dataclass
class ReviewBatch:
    """The batch of a review: its statements (items), the triples to ingest, and what was left out."""

    items: list[ReviewItem]
    triples: list[ox.Triple]
    turtle: str
    rejected: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)


# --- reading a review ------------------------------------------------------------------------------

def _iri(text: Any, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ReviewError(400, f"{where} must be an IRI or a CURIE such as kg:india, given as a string")
    try:
        iri = expand_iri(text.strip())
        ox.NamedNode(iri)
    except ValueError as exc:
        raise ReviewError(400, f"{where} {text!r} is {exc}") from None
    return iri


def _checked_literal(lexical: str, datatype: str, where: str) -> None:
    if datatype == XSD + "date":
        try:
            dt.date.fromisoformat(lexical)
        except ValueError:
            raise ReviewError(400, f"{where} {lexical!r} is not a date written YYYY-MM-DD") from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", lexical):
            raise ReviewError(400, f"{where} {lexical!r} is not a date written YYYY-MM-DD")
    elif datatype in _LEXICAL:
        pattern, form = _LEXICAL[datatype]
        if not pattern.match(lexical):
            raise ReviewError(400, f"{where} {lexical!r} is not {form} ({datatype})")


def term_from_json(value: Any, where: str) -> Value:
    """A value as JSON ({"type": "iri", "value": ...} or {"type": "literal", "value": ...,
    "datatype"?: ..., "language"?: ...}) as an RDF term; ReviewError (400) saying what is wrong."""
    if not isinstance(value, dict) or value.get("type") not in ("iri", "literal"):
        raise ReviewError(400, f'{where} must be an object {{"type": "iri" or "literal", "value": ...}}')
    if value["type"] == "iri":
        return ox.NamedNode(_iri(value.get("value"), where))
    lexical = value.get("value")
    if not isinstance(lexical, str) or not lexical.strip():
        raise ReviewError(400, f"{where} must give the literal's text as a non-empty string")
    if len(lexical) > MAX_VALUE_CHARS:
        raise ReviewError(400, f"{where} is longer than {MAX_VALUE_CHARS} characters")
    if _CONTROL.search(lexical):
        raise ReviewError(400, f"{where} holds a control character; give the text as it reads")
    language, datatype = value.get("language"), value.get("datatype")
    if language:
        if not isinstance(language, str) or not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", language):
            raise ReviewError(400, f"{where}: language {language!r} is not a language tag such as en")
        return ox.Literal(lexical, language=language)
    datatype_iri = _iri(datatype, f"{where}: datatype") if datatype else XSD + "string"
    _checked_literal(lexical, datatype_iri, where)
    return ox.Literal(lexical, datatype=ox.NamedNode(datatype_iri))


def _decision(raw: Any, where: str) -> Decision:
    if isinstance(raw, str):
        raw = {"action": raw}
    if not isinstance(raw, dict) or raw.get("action") not in ACTIONS:
        raise ReviewError(400, f"{where} must be one of {', '.join(ACTIONS)} (as {{\"action\": ...}})")
    if raw["action"] == "correct":
        if "value" not in raw:
            raise ReviewError(400, f"{where}: a correction gives the new value")
        return Decision("correct", term_from_json(raw["value"], f"{where}: the corrected value"))
    return Decision(raw["action"])


def _offset(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ReviewError(400, f"{where} must be a whole number (a code-point offset into the text)")
    return raw


def read_addition(raw: Any, index: int) -> Addition:
    """One added statement of a review (the `index`-th, for messages); ReviewError (400) when malformed."""
    where = f"added statement {index + 1}"
    if not isinstance(raw, dict):
        raise ReviewError(400, f"{where} must be an object with subject, predicate, value, start and end")
    item = raw.get("id", f"added-{index + 1}")
    if not isinstance(item, str) or not _ITEM_ID.match(item):
        raise ReviewError(400, f"{where}: id must be 1 to 64 letters, digits, '-' or '_'")
    return Addition(id=item, subject=_iri(raw.get("subject"), f"{where}: subject"),
                    predicate=_iri(raw.get("predicate"), f"{where}: predicate"),
                    value=term_from_json(raw.get("value"), f"{where}: value"),
                    start=_offset(raw.get("start"), f"{where}: start"), end=_offset(raw.get("end"), f"{where}: end"))


def read_review(body: Any) -> Review:
    """The review in a request body: {"decisions": {id: decision}, "added": [statement, ...]}."""
    if not isinstance(body, dict):
        raise ReviewError(400, 'the review must be a JSON object {"decisions": {...}, "added": [...]}')
    unknown = sorted(set(body) - {"decisions", "added", "dryRun"})
    if unknown:
        raise ReviewError(400, f"unknown field(s) {', '.join(unknown)}; a review has decisions, added and dryRun")
    decisions = body.get("decisions", {})
    if not isinstance(decisions, dict):
        raise ReviewError(400, "decisions must be an object mapping candidate ids to decisions")
    listed = body.get("added", [])
    if not isinstance(listed, list):
        raise ReviewError(400, "added must be a list of statements")
    if len(listed) > MAX_ADDITIONS:
        raise ReviewError(400, f"at most {MAX_ADDITIONS} statements can be added in one review")
    parsed = {str(key): _decision(raw, f"the decision on {key}") for key, raw in decisions.items()}
    additions = tuple(read_addition(raw, i) for i, raw in enumerate(listed))
    ids = [a.id for a in additions]
    if len(set(ids)) != len(ids) or set(ids) & set(parsed):
        raise ReviewError(400, "each added statement needs an id of its own, unlike any candidate's")
    return Review(parsed, additions)


# --- checking a statement against its span ---------------------------------------------------------

def _knows(sd: SourceDraft, iri: str) -> bool:
    return (iri in sd.knowledge.things or iri in sd.draft.new_things
            or any(c.subject == iri or c.value == ox.NamedNode(iri) for c in sd.candidates.values()))


def span_problem(sd: SourceDraft, candidate: Candidate) -> str | None:
    """Why `candidate`'s span does not support its value, or None; the drafter's rule."""
    return problem(candidate, sd.draft, sd.knowledge)


def corrected(drafted: Candidate, value: Value) -> Candidate:
    """The drafted candidate with a new value on the same span (the drafter's reasoning, which was
    about the old value, is dropped)."""
    return replace(drafted, value=value, reasoning=None)


def added(sd: SourceDraft, addition: Addition) -> Candidate:
    """The candidate of a statement the curator added; ReviewError (400) for a span outside the
    text, a subject neither the graph nor the draft knows, or a predicate the vocabulary lacks."""
    where = f"added statement {addition.id}"
    if not 0 <= addition.start < addition.end <= len(sd.text):
        raise ReviewError(400, f"{where}: span {addition.start}-{addition.end} is not inside the text "
                               f"(0-{len(sd.text)}, end exclusive)", addition.id)
    if not _knows(sd, addition.subject):
        raise ReviewError(400, f"{where}: subject {addition.subject} is neither in the graph nor proposed by "
                               f"the draft", addition.id)
    if addition.predicate not in sd.knowledge.declared:
        raise ReviewError(400, f"{where}: predicate {addition.predicate} is not a property of the vocabulary",
                          addition.id)
    text = sd.text[addition.start:addition.end]
    return Candidate(addition.subject, addition.predicate, addition.value, addition.start, addition.end,
                     Cue(addition.start, addition.end, text), 1.0, CURATOR_RULE)


# --- the batch -------------------------------------------------------------------------------------

def _items(sd: SourceDraft, review: Review) -> tuple[list[ReviewItem], list[str], list[str]]:
    unknown = sorted(set(review.decisions) - set(sd.candidates))
    if unknown:
        raise ReviewError(409, f"the draft has no candidate {unknown[0]}: the graph or the text changed since "
                               f"the draft was made; draft again and review the new candidates", unknown[0])
    items: list[ReviewItem] = []
    rejected, undecided = [], []
    for cid, candidate in sd.candidates.items():
        decision = review.decisions.get(cid)
        if decision is None:
            undecided.append(cid)
        elif decision.action == "reject":
            rejected.append(cid)
        elif decision.action == "accept":
            items.append(ReviewItem(cid, "accepted", candidate))
        else:
            assert decision.value is not None
            items.append(ReviewItem(cid, "corrected", corrected(candidate, decision.value), candidate))
    items += [ReviewItem(a.id, "added", added(sd, a)) for a in review.additions]
    seen: set[tuple[str, str, str, int, int]] = set()
    unique = []  # the same statement on the same span once (an addition that repeats a candidate)
    for item in items:
        c = item.candidate
        key = (c.subject, c.predicate, str(c.value), c.start, c.end)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique, rejected, undecided


def _problems(sd: SourceDraft, items: list[ReviewItem]) -> tuple[dict[str, str], ...]:
    found = []
    for item in items:
        if item.action == "accepted":
            continue  # the drafter's own candidates hold the rule already (tests/test_drafting.py)
        reason = span_problem(sd, item.candidate)
        if reason:
            quote = sd.text[item.candidate.start:item.candidate.end]
            found.append({"item": item.id, "message": f"the {item.action} value is not in its span: {reason}",
                          "span": f"{item.candidate.start}-{item.candidate.end}", "quote": quote})
    return tuple(found)


def _subset(sd: SourceDraft, items: list[ReviewItem]) -> Draft:
    """A draft of the review's statements alone, and the new things they name. Candidates are keyed
    by item, so that one statement accepted on two spans keeps both pieces of evidence."""
    subset = Draft(sd.draft.source_iri, sd.text)
    for item in items:
        c = item.candidate
        subset.candidates[(c.subject, c.predicate, f"{c.value} {item.id}")] = c
        for iri in (c.subject, c.value.value if isinstance(c.value, ox.NamedNode) else None):
            if iri is not None and iri in sd.draft.new_things:
                subset.new_things[iri] = sd.draft.new_things[iri]
    return subset


def _note(item: ReviewItem, curator: str) -> str:
    if item.action == "accepted":
        return f"Accepted on review by {curator}."
    if item.action == "corrected":
        assert item.drafted is not None
        old = item.drafted.value
        shown = curie(old.value) if isinstance(old, ox.NamedNode) else f'"{old.value}"'
        return f"Corrected on review by {curator}: the draft proposed {shown}."
    return f"Added on review by {curator}, on the span they selected."


def build_batch(sd: SourceDraft, review: Review, curator: str) -> ReviewBatch:
    """The batch of `review` on `sd`: ReviewError 409 for a candidate the draft lacks, 400 for an
    addition it cannot take, 422 (with each item's problem) for values their spans do not contain."""
    items, rejected, undecided = _items(sd, review)
    problems = _problems(sd, items)
    if problems:
        raise ReviewError(422, f"{len(problems)} statement(s) of the review have a value their span does not "
                               f"contain; nothing was written", problems[0]["item"], problems)
    if not items:
        raise ReviewError(400, "the review accepts, corrects or adds no statement: there is nothing to ingest")
    turtle = to_turtle(_subset(sd, items), sd.knowledge)
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)]
    nodes = {s.key: s.evidence for s in evidenced_statements(triples)}
    for item in items:
        c = item.candidate
        node = nodes[(c.subject, c.predicate, str(c.value), c.start, c.end)]
        if item.action == "added":  # the writer's note speaks of a drafting rule; none drafted this
            triples = [t for t in triples if not (t.subject == node and t.predicate == EDITORIAL_NOTE)]
        triples.append(ox.Triple(node, EDITORIAL_NOTE, ox.Literal(_note(item, curator), language="en")))
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes()).decode("utf-8")
    return ReviewBatch(items, triples, text, rejected, undecided)

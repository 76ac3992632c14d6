"""The evidence rule for candidates: the span contains the value it is cited for.

As data/README.md says for curated evidence: a name (label or other name) of an IRI value, the
year, month and day of a date, the digits or the word for a number, or the string itself must
be in the span; a value that is implied rather than written out carries reasoning. Concepts of
the ontology's own schemes (kinds, stages, units) are read from words of the rule's lexicon,
which the candidate's cue holds. On top of that, every candidate's cue (the words its value was
read from) lies inside its span, character for character. A date read from "this year" or
"today" must say in its reasoning that it was resolved from the publication date.
"""

from __future__ import annotations

import calendar
import re

import pyoxigraph as ox

from graphsvc.curation.drafting.candidates import XSD, Candidate, Draft
from graphsvc.curation.drafting.knowledge import Knowledge
from graphsvc.curation.drafting.quantities import number_word

NUMBER_TYPES = {XSD + t for t in ("decimal", "integer", "positiveInteger", "nonNegativeInteger")}
RELATIVE = re.compile(r"\b(this|last|next) year\b|\btoday\b|\byesterday\b", re.IGNORECASE)
_MONTH_NAMES = {i: name.lower() for i, name in enumerate(calendar.month_name) if name}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _has_number(span: str, digits: str) -> bool:
    return re.search(rf"(?<!\d){re.escape(digits)}(?!\d)", span) is not None


def _has_day(span: str, day: int) -> bool:
    return re.search(rf"(?<!\d)0?{day}(?:st|nd|rd|th)?(?!\d)", span) is not None


def _has_month(span: str, month: int) -> bool:
    return re.search(rf"\b{_MONTH_NAMES[month][:3]}", span) is not None or _has_number(span, f"{month:02d}")


def names_of(iri: str, draft: Draft, knowledge: Knowledge) -> set[str]:
    found = set(knowledge.things[iri].names) if iri in knowledge.things else set()
    thing = draft.new_things.get(iri)
    if thing is not None:
        found |= {thing.label} | thing.alt_labels
    return {norm(n) for n in found if n}


def problem(candidate: Candidate, draft: Draft, knowledge: Knowledge) -> str | None:
    """Why the candidate's span does not support its value, or None when it does."""
    text = draft.text
    if not (0 <= candidate.start < candidate.end <= len(text)):
        return f"span {candidate.start}-{candidate.end} lies outside the text"
    cue = candidate.cue
    if not (candidate.start <= cue.start < cue.end <= candidate.end) or text[cue.start:cue.end] != cue.text:
        return f"cue {cue.text!r} is not inside the span"
    span = text[candidate.start:candidate.end]
    nspan = norm(span)
    value = candidate.value
    if isinstance(value, ox.NamedNode):
        if knowledge.is_vocabulary_concept(value.value) or candidate.reasoning:
            return None
        names = names_of(value.value, draft, knowledge)
        if any(n in nspan for n in names):
            return None
        return f"none of the names of {value.value} ({sorted(names)[:4]}) is in the span"
    datatype = value.datatype.value if value.datatype is not None else XSD + "string"
    lexical = value.value
    if datatype in (XSD + "date", XSD + "gYear", XSD + "gMonthDay") and RELATIVE.search(cue.text):
        if candidate.reasoning and "publication date" in candidate.reasoning:
            return None
        return f"date {lexical} read from {cue.text!r} without saying it comes from the publication date"
    if datatype == XSD + "date":
        year, month, day = lexical.split("-")
        if not _has_number(span, year) or not _has_day(span, int(day)) or not _has_month(nspan, int(month)):
            return f"date {lexical} is not in the span"
        return None
    if datatype == XSD + "gYear":
        return None if _has_number(span, lexical) else f"year {lexical} is not in the span"
    if datatype == XSD + "gMonthDay":
        month, day = int(lexical[2:4]), int(lexical[5:7])
        if _has_day(span, day) and re.search(rf"\b{_MONTH_NAMES[month][:3]}", nspan):
            return None
        return f"day {lexical} is not in the span"
    if datatype in NUMBER_TYPES:
        number = int(float(lexical))
        word = number_word(number)
        if _has_number(span, str(number)) or (word and re.search(rf"\b{word}\b", nspan)):
            return None
        if candidate.reasoning:
            return None
        return f"number {lexical} is not in the span"
    if datatype == XSD + "boolean":
        return None
    if norm(lexical) in nspan or candidate.reasoning:
        return None
    return f"text {lexical!r} is not in the span"


def problems(draft: Draft, knowledge: Knowledge) -> list[tuple[Candidate, str]]:
    """Every candidate of the draft whose span does not support its value, with the reason."""
    found = []
    for candidate in draft.sorted_candidates():
        reason = problem(candidate, draft, knowledge)
        if reason:
            found.append((candidate, reason))
    return found

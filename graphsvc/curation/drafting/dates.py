"""Dates in a text, normalised only as far as the text allows.

A day, a month and a year make an `xsd:date`; a day and a month without a year stay an
`xsd:gMonthDay`; a year alone (or a month and a year) is an `xsd:gYear`. "This year", "last
year", "today" are resolved only when the document's publication date is known, and then say so.
Matching uses spaCy's Matcher over token shapes, never a hand-written scan of the characters.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import Matcher
from spacy.tokens import Span
from spacy.util import filter_spans

from graphsvc.curation.drafting.document import Document, pipeline

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE, GYEAR, GMONTHDAY = XSD + "date", XSD + "gYear", XSD + "gMonthDay"

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS |= {"sept": 9}
_DAY = r"^(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?$"
_YEAR = r"^(?:19|20)\d\d$"


@dataclass(frozen=True)
class DateMention:
    """A date found in the text: tokens, offsets, its lexical value, datatype, and how it was read."""

    first: int
    last: int
    start: int
    end: int
    text: str
    lexical: str
    datatype: str
    reasoning: str | None = None


def _month() -> dict:
    return {"LOWER": {"IN": sorted(MONTHS)}}


def _day() -> dict:
    return {"TEXT": {"REGEX": _DAY}}


def _year() -> dict:
    return {"TEXT": {"REGEX": _YEAR}}


COMMA = {"ORTH": ",", "OP": "?"}
DOT = {"ORTH": ".", "OP": "?"}


@lru_cache(maxsize=1)
def matcher() -> Matcher:
    m = Matcher(pipeline().vocab)
    the_day_of = [{"LOWER": "the", "OP": "?"}, _day(), {"LOWER": "day", "OP": "?"}, {"LOWER": "of", "OP": "?"}]
    m.add("day-month-year", [the_day_of + [_month(), DOT, COMMA, _year()]])
    m.add("month-day-year", [[_month(), DOT, _day(), COMMA, _year()]])
    m.add("day-month", [the_day_of + [_month()]])
    m.add("month-day", [[_month(), DOT, _day()]])
    m.add("month-year", [[_month(), DOT, COMMA, _year()]])
    m.add("year", [[{"LOWER": {"IN": ["in", "on", "since", "of", "from", "until", "till", "by", "during"]}}, _year()],
                   [_year(), {"ORTH": ","}]])
    m.add("iso", [[{"TEXT": {"REGEX": _YEAR}}, {"ORTH": "-"}, {"TEXT": {"REGEX": r"^\d\d$"}}, {"ORTH": "-"},
                   {"TEXT": {"REGEX": r"^\d\d$"}}]])
    m.add("relative-year", [[{"LOWER": {"IN": ["this", "last", "next"]}}, {"LOWER": "year"}]])
    m.add("relative-day", [[{"LOWER": {"IN": ["today", "yesterday"]}}]])
    return m


def _number(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))  # type: ignore[union-attr]


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
        return True
    except ValueError:
        return False


def _read(label: str, span: Span, published: dt.date | None) -> tuple[str, str, str | None] | None:
    words = [t.text for t in span if t.text not in {",", "."}]
    lower = [w.lower() for w in words]
    months = [MONTHS[w] for w in lower if w in MONTHS]
    days = [_number(w) for w in words if re.match(_DAY, w) and not re.match(_YEAR, w)]
    years = [int(w) for w in words if re.match(_YEAR, w)]
    if label in ("day-month-year", "month-day-year") and months and days and years:
        if _valid(years[0], months[0], days[0]):
            return f"{years[0]:04d}-{months[0]:02d}-{days[0]:02d}", DATE, None
        return None
    if label in ("day-month", "month-day") and months and days:
        if _valid(2000, months[0], days[0]):  # 2000 is a leap year: 29 February stays possible
            return f"--{months[0]:02d}-{days[0]:02d}", GMONTHDAY, None
        return None
    if label == "month-year" and years:
        return f"{years[0]:04d}", GYEAR, (f"The text gives the month ({words[0]}) and the year; the graph's dates "
                                          f"record a year alone for that.")
    if label == "year" and years:
        return f"{years[0]:04d}", GYEAR, None
    if label == "iso":
        year, month, day = int(words[0]), int(words[2]), int(words[4])
        return (f"{year:04d}-{month:02d}-{day:02d}", DATE, None) if _valid(year, month, day) else None
    if label == "relative-year" and published is not None:
        offset = {"this": 0, "last": -1, "next": 1}[lower[0]]
        year = published.year + offset
        return f"{year:04d}", GYEAR, (f"'{span.text}' read against the document's publication date, "
                                      f"{published.isoformat()}, which the curator gave.")
    if label == "relative-day" and published is not None:
        day = published - dt.timedelta(days=1 if lower[0] == "yesterday" else 0)
        return day.isoformat(), DATE, (f"'{span.text}' read against the document's publication date, "
                                       f"{published.isoformat()}, which the curator gave.")
    return None


def find_dates(document: Document, published: dt.date | None = None) -> list[DateMention]:
    """Every date in the document, the longest reading of each stretch, in text order."""
    doc = document.doc
    labelled = {}
    for match_id, first, last in matcher()(doc):
        span = Span(doc, first, last, label=match_id)
        labelled[(first, last)] = span
    found = []
    for span in sorted(filter_spans(list(labelled.values())), key=lambda s: s.start):
        label = doc.vocab.strings[span.label]
        if label == "year" and span[0].text.lower() in {"in", "on", "since", "of", "from", "until", "till", "by",
                                                          "during"}:
            span = span[1:]
        elif label == "year":
            span = span[:1]
        if span[0].lower_ == "the":
            span = span[1:]
        reading = _read(label, span, published)
        if reading is None:
            continue
        start, end = document.span_chars(span)
        found.append(DateMention(span.start, span.end, start, end, document.text[start:end], *reading))
    return found

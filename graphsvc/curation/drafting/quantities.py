"""Numbers and periods of time in a text: "five (5) years", "three-year", "sixty (60) days".

A period is a number (digits, a number word, or both as in "five (5)") followed by a unit of
days, months or years. Found with spaCy's Matcher; the number word and the digits must agree
when both are given, otherwise nothing is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.matcher import Matcher
from spacy.tokens import Span
from spacy.util import filter_spans

from graphsvc.curation.drafting.document import Document, pipeline

TIME = "http://www.w3.org/2006/time#"
UNITS = {"year": TIME + "unitYear", "years": TIME + "unitYear", "month": TIME + "unitMonth",
         "months": TIME + "unitMonth", "day": TIME + "unitDay", "days": TIME + "unitDay"}
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_VALUES = {word: n for n, word in enumerate(_ONES)} | {word: 10 * n for n, word in enumerate(_TENS) if word}


def number_word(n: int) -> str | None:
    """The English word for 0..99 ("sixty", "twenty-five"), as the evidence rule reads numbers."""
    if 0 <= n < 20:
        return _ONES[n]
    if 20 <= n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    return None


@dataclass(frozen=True)
class Period:
    """A stated period: tokens, offsets, the number and the OWL-Time unit."""

    first: int
    last: int
    start: int
    end: int
    text: str
    number: int
    unit: str


@lru_cache(maxsize=1)
def matcher() -> Matcher:
    m = Matcher(pipeline().vocab)
    word = {"LOWER": {"IN": sorted(WORD_VALUES)}}
    digits = {"TEXT": {"REGEX": r"^\d{1,3}$"}}
    unit = {"LOWER": {"IN": sorted(UNITS)}}
    compound = [word, {"ORTH": "-"}, {"LOWER": {"IN": _ONES[1:10]}}]
    m.add("period", [
        [word, {"ORTH": "("}, digits, {"ORTH": ")"}, unit],
        compound + [{"ORTH": "("}, digits, {"ORTH": ")"}, unit],
        [word, unit], compound + [unit], [digits, unit],
        [word, {"ORTH": "-"}, unit], [digits, {"ORTH": "-"}, unit],
        [word, unit, {"ORTH": {"IN": ["'", "’"]}}], [digits, unit, {"ORTH": {"IN": ["'", "’"]}}],
    ])
    return m


def _value(tokens: list[str]) -> int | None:
    """The number the tokens state, or None when a word and digits disagree."""
    words = [t.lower() for t in tokens if t.lower() in WORD_VALUES]
    digits = [int(t) for t in tokens if t.isdigit()]
    from_words = sum(WORD_VALUES[w] for w in words) if words else None
    if from_words is not None and digits and digits[0] != from_words:
        return None
    return digits[0] if digits else from_words


def find_periods(document: Document) -> list[Period]:
    doc = document.doc
    spans = filter_spans([Span(doc, a, b) for _, a, b in matcher()(doc)])
    found = []
    for span in sorted(spans, key=lambda s: s.start):
        tokens = [t.text for t in span]
        unit_token = next(t for t in span if t.lower_ in UNITS)
        value = _value([t for t in tokens if t.lower() not in UNITS])
        if not value:
            continue
        end_token = unit_token.i + 1
        start, end = document.char_span(span.start, end_token)
        found.append(Period(span.start, end_token, start, end, document.text[start:end], value,
                            UNITS[unit_token.lower_]))
    return found

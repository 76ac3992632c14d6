"""The numbering of an instrument's text: "Paragraph 7", its items "i)", "ii)", and their headings.

Each sentence gets the paragraph it stands under and the item it belongs to, so that a clause can
be cited as "7(iii)" (a section number put together from a heading and an item, which the
evidence then says) and the clauses of one item read together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphsvc.curation.drafting.document import BULLETS, Segment, is_numbered_item
from graphsvc.curation.drafting.reading import Reading

_HEADING = re.compile(r"^(?:\*\*)?(?:paragraph|article|clause|section)\s*(\d{1,2})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """Where a sentence stands: its paragraph number and heading line, and its item mark."""

    number: str | None
    heading: Segment | None
    item: str | None
    item_start: Segment | None  # the sentence that opens the item


def item_mark(reading: Reading, sentence: Segment) -> str | None:
    """"i" for a sentence that opens with "i)" or "- i).", else None."""
    doc = reading.doc
    i = sentence.first_token
    if doc[i].text in BULLETS and i + 1 < sentence.last_token:
        i += 1
    if i < sentence.last_token and (doc[i].text == "(" and i + 1 < sentence.last_token):
        return doc[i + 1].lower_ if is_numbered_item(doc[i]) else None
    if i < sentence.last_token and i + 1 < len(doc) and doc[i + 1].text in {")", "."} and is_numbered_item(doc[i]):
        return doc[i].lower_
    return None


def places(reading: Reading) -> dict[Segment, Place]:
    """The place of every sentence of the text."""
    found: dict[Segment, Place] = {}
    number: str | None = None
    heading: Segment | None = None
    item: str | None = None
    item_start: Segment | None = None
    for sentence in reading.document.sentences:
        text = reading.document.text[sentence.start:sentence.end]
        matched = _HEADING.match(text)
        if matched and sentence.last_token - sentence.first_token <= 4:
            number, heading, item, item_start = matched.group(1), sentence, None, None
            found[sentence] = Place(number, heading, None, None)
            continue
        mark = item_mark(reading, sentence)
        if mark is not None:
            item, item_start = mark, sentence
        elif reading.doc[sentence.first_token]._.paragraph_start:
            item, item_start = None, None  # a new paragraph without a mark ends the numbered item
        found[sentence] = Place(number, heading, item, item_start)
    return found


def section_number(place: Place) -> str | None:
    if place.number is None:
        return None
    return f"{place.number}({place.item})" if place.item else f"Paragraph {place.number}"

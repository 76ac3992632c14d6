"""Which instrument each sentence speaks of.

A sentence that names an instrument (or refers back to it: "this MoU") speaks of that one. In an
instrument's own text (a title block, then numbered paragraphs) every sentence after the title
speaks of the document's instrument unless it names another. In a press note, a paragraph that
refers back to the note's instrument speaks of it as a whole ("Major Impact: ... MoU envisages").
"""

from __future__ import annotations

from graphsvc.curation.drafting.document import Segment
from graphsvc.curation.drafting.instruments import Instrument
from graphsvc.curation.drafting.reading import Reading


def is_instrument_text(main: Instrument | None) -> bool:
    return main is not None and main.mentions[0].in_title


def sentence_subjects(reading: Reading, found: list[Instrument], main: Instrument | None) -> dict[Segment, Instrument]:
    """The instrument each sentence speaks of, for the sentences that speak of one."""
    named: dict[Segment, Instrument] = {}
    for instrument in found:
        for mention in instrument.mentions:
            sentence = reading.sentence(mention.first)
            named.setdefault(sentence, instrument)
    subjects = dict(named)
    if main is None:
        return subjects
    if is_instrument_text(main):
        title_end = reading.document.paragraph_of(main.mentions[0].first).last_token
        for sentence in reading.document.sentences:
            if sentence.first_token >= title_end and sentence not in subjects:
                subjects[sentence] = main
        return subjects
    for mention in main.mentions[1:]:
        paragraph = reading.document.paragraph_of(mention.first)
        for sentence in reading.document.sentences:
            if paragraph.first_token <= sentence.first_token < paragraph.last_token and sentence not in named:
                subjects[sentence] = main
    return subjects

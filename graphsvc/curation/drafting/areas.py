"""Areas of cooperation: the fields an instrument covers, its commitments, and the forums they name.

Genre rules:
- the topic of an instrument ("MoU ... on cooperation in the field of Digital Technologies") gives
  its subjects;
- in a press note or news item, the concepts and forums named in the sentences about an
  instrument make one area of cooperation of it; a concept of a cooperation-activity scheme
  (knowledge sharing, B2B cooperation) is what a commitment of that area does;
- in an instrument's own text, each numbered heading of its scope ("i) Semiconductor Ecosystem")
  is an area, and each bullet under it a commitment with the fields, activities and forums it
  names; a heading the concept schemes lack becomes a proposed concept under the nearest broader
  one (the known concept whose name shares most words with it);
- "bilateral cooperation" names the form of an instrument, not a field, and is not proposed.
"""

from __future__ import annotations

import re

from graphsvc.curation.drafting.candidates import IDD, SKOS, NewThing, literal, node
from graphsvc.curation.drafting.clauses import label_of
from graphsvc.curation.drafting.context import is_instrument_text, sentence_subjects
from graphsvc.curation.drafting.document import Segment
from graphsvc.curation.drafting.gazetteer import Mention
from graphsvc.curation.drafting.instruments import Instrument
from graphsvc.curation.drafting.knowledge import KG, slug
from graphsvc.curation.drafting.lexicon import FORM_OF_COOPERATION
from graphsvc.curation.drafting.reading import Reading, normalise_space
from graphsvc.curation.drafting.sections import item_mark, places

DCT_SUBJECT = "http://purl.org/dc/terms/subject"
ACTIVITY_SCHEMES = {KG + "cooperation-activity-kinds"}
SCHEME_PREFERENCE = [KG + "technology-areas", KG + "sectors", KG + "policy-topics", KG + "cooperation-activity-kinds"]
REFERRED_KINDS = ("Forum", "IntergovernmentalOrganisation", "ExportControlRegime", "Programme", "Facility")
LABEL_WORDS = 14


def concept_of(reading: Reading, mention: Mention) -> str | None:
    """The concept a name stands for; where several share it, the one whose own label it is."""
    concepts = [e.iri for e in mention.entries if e.category == "concept"]
    if not concepts:
        return None
    said = mention.text.casefold()

    def rank(iri: str) -> tuple[int, int]:
        thing = reading.knowledge.things.get(iri)
        exact = 0 if thing and thing.label and thing.label.casefold() == said else 1
        schemes = reading.knowledge.schemes.get(iri, set())
        order = min((SCHEME_PREFERENCE.index(s) for s in schemes if s in SCHEME_PREFERENCE), default=9)
        return exact, order

    return sorted(concepts, key=rank)[0]


# An office named after its field: "Minister of", "Ministry for", "Department of" and the capitalised
# words (and "and", "&", commas) of the name so far, on the same line.
_OFFICE_NAME_SO_FAR = re.compile(
    r"\b(?:Ministers?|Ministry|Ministries|Department|Secretary|Secretariat|Commission|Commissioner|Agency|Authority|Board)"
    r"\s+(?:of|for)\s+(?:the\s+)?(?:(?:[A-Z][\w-]*|and|&),?\s+)*$")


def in_office_name(text: str, start: int) -> bool:
    """Whether the name at `start` continues the name of an office ("Union Minister of Electronics
    and Information Technology"): the words of a post or a ministry, not a field of cooperation."""
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_OFFICE_NAME_SO_FAR.search(text[max(line_start, start - 120):start]))


def is_activity(reading: Reading, concept: str) -> bool:
    return bool(reading.knowledge.schemes.get(concept, set()) & ACTIVITY_SCHEMES)


def is_form_of_cooperation(reading: Reading, concept: str) -> bool:
    return reading.knowledge.label(concept).casefold() in FORM_OF_COOPERATION


def referred(reading: Reading, mention: Mention) -> str | None:
    """A forum, organisation of states, programme or facility a commitment or area refers to."""
    for entry in mention.entries:
        thing = reading.knowledge.things.get(entry.iri)
        if thing is not None and any(thing.is_a(kind) for kind in REFERRED_KINDS):
            return entry.iri
    return None


class AreaWriter:
    def __init__(self, reading: Reading, found: list[Instrument], main: Instrument | None) -> None:
        self.reading = reading
        self.found = found
        self.main = main
        self.subjects = sentence_subjects(reading, found, main)

    # --- shared --------------------------------------------------------------------------

    def area(self, instrument: Instrument, local: str, label: str, alt: str | None, span: tuple[int, int],
             cue: tuple[int, int]) -> str:
        iri = f"{instrument.iri}-area-{local}"
        if iri not in self.reading.draft.new_things:
            self.reading.draft.propose(NewThing(iri, {IDD + "CooperationArea"}, label, {alt} if alt else set()))
            self.reading.add(instrument.iri, IDD + "cooperationArea", node(iri), span, cue, 0.75, "areas/area",
                             "The span states the field of cooperation; the area node is minted to stand for it.")
        return iri

    def mentions_of(self, segment: Segment, first: int | None = None, last: int | None = None) -> list[Mention]:
        return self.reading.mentions_in(segment.first_token if first is None else first,
                                        segment.last_token if last is None else last)

    def describe(self, thing: str, mentions: list[Mention], span: tuple[int, int], rule: str,
                 activities: bool) -> list[str]:
        """Subjects, activities and references of `thing` from the names in `mentions` (leaving out
        the words of an office's name: "Minister of Electronics and Information Technology")."""
        reading = self.reading
        topical = []
        for mention in mentions:
            if in_office_name(reading.document.text, mention.start):
                continue
            concept = concept_of(reading, mention)
            if concept is not None:
                if is_form_of_cooperation(reading, concept):
                    continue
                if is_activity(reading, concept):
                    if activities:
                        reading.add(thing, IDD + "activityKind", node(concept), span, (mention.start, mention.end), 0.6,
                                    rule + "-activity")
                    continue
                reading.add(thing, DCT_SUBJECT, node(concept), span, (mention.start, mention.end), 0.65, rule)
                topical.append(concept)
                continue
            other = referred(reading, mention)
            if other is not None:
                reading.add(thing, IDD + "refersTo", node(other), span, (mention.start, mention.end), 0.65,
                            rule + "-refers-to")
        return topical

    def commitment(self, area: str, n: int, sentence: Segment, mentions: list[Mention]) -> None:
        reading = self.reading
        if not any(concept_of(reading, m) or referred(reading, m) for m in mentions):
            return
        iri = f"{area}-commitment-{n}"
        words = normalise_space(reading.document.text[sentence.start:sentence.end]).lstrip("-•* ").split()
        label = " ".join(words[:LABEL_WORDS]).rstrip(",;:.") + ("..." if len(words) > LABEL_WORDS else "")
        reading.draft.propose(NewThing(iri, {IDD + "Commitment"}, label))
        span = (sentence.start, sentence.end)
        reading.add(area, IDD + "commitment", node(iri), span, span, 0.6, "areas/commitment",
                    "The span states the commitment; the node is minted to stand for it.")
        self.describe(iri, mentions, span, "areas/commitment-subject", activities=True)

    # --- press notes and news ------------------------------------------------------------

    def prose(self) -> None:
        reading = self.reading
        for instrument in self.found:
            if instrument.name is not None:
                first = instrument.mentions[0]
                sentence = reading.sentence(first.first)
                named = [m for m in reading.mentions_in(*instrument.name) if concept_of(reading, m)]
                self.describe(instrument.iri, named, (sentence.start, sentence.end), "areas/instrument-name",
                              activities=False)
            if instrument.topic is not None:
                first = instrument.mentions[0]
                segment = reading.document.paragraph_of(first.first) if first.in_title else reading.sentence(first.first)
                span = (segment.start, segment.end)
                topic_mentions = reading.mentions_in(*instrument.topic)
                self.describe(instrument.iri, [m for m in topic_mentions if concept_of(reading, m)
                                               and not is_activity(reading, concept_of(reading, m) or "")],
                              span, "areas/instrument-topic", activities=False)
            sentences = sorted((s for s, i in self.subjects.items() if i is instrument), key=lambda s: s.start)
            area: str | None = None
            n = 0
            for sentence in sentences:
                mention = next((m for m in instrument.mentions if sentence.first_token <= m.first < sentence.last_token),
                               None)
                first, last = (reading.clause(mention.first, mention.last) if mention else
                               (sentence.first_token, sentence.last_token))
                names = [m for m in reading.mentions_in(first, last) if concept_of(reading, m) or referred(reading, m)]
                names = [m for m in names if not (instrument.name and instrument.name[0] <= m.first < instrument.name[1])]
                if not names:
                    continue
                span = reading.chars(first, last)
                if area is None:
                    lead = next((concept_of(reading, m) for m in names if concept_of(reading, m)
                                 and not is_activity(reading, concept_of(reading, m) or "")
                                 and not is_form_of_cooperation(reading, concept_of(reading, m) or "")), None)
                    if lead is None:
                        continue
                    lead_label = reading.knowledge.label(lead)
                    lead_mention = next(m for m in names if concept_of(reading, m) == lead)
                    area = self.area(instrument, slug(lead_label), f"Area of the {label_of(reading, instrument.iri)}: "
                                     f"{lead_label}", lead_mention.text, span, (lead_mention.start, lead_mention.end))
                activities = [m for m in names if concept_of(reading, m) and is_activity(reading, concept_of(reading, m) or "")]
                self.describe(area, [m for m in names if m not in activities], span, "areas/area-subject", activities=False)
                if activities:
                    n += 1
                    self.commitment(area, n, sentence, names)

    # --- an instrument's own text ----------------------------------------------------------

    def instrument_text(self) -> None:
        reading = self.reading
        main = self.main
        assert main is not None
        placed = places(reading)
        sentences = [s for s in reading.document.sentences if self.subjects.get(s) is main]
        headings = [s for s in sentences if self._is_area_heading(s)]
        if not headings:
            return
        first_heading = headings[0]
        heading_number = placed[first_heading].number if first_heading in placed else None
        for sentence in sentences:
            if sentence.start >= first_heading.start:
                break
            if placed.get(sentence) and placed[sentence].number is None:
                continue  # the preamble before the first paragraph names the parties, not fields
            self.describe(main.iri, self.mentions_of(sentence), (sentence.start, sentence.end),
                          "areas/overview-subject", activities=False)
        area: str | None = None
        n = 0
        for sentence in sentences:
            if sentence.start < first_heading.start:
                continue
            place = placed.get(sentence)
            if place is not None and place.number != heading_number:
                break
            if sentence in headings:
                area = self._heading_area(main, sentence, place.number if place else None)
                n = 0
                continue
            if area is None:
                continue
            n += 1
            self.commitment(area, n, sentence, self.mentions_of(sentence))

    def _is_area_heading(self, sentence: Segment) -> bool:
        reading = self.reading
        if item_mark(reading, sentence) is None:
            return False
        words = [t for t in reading.doc[sentence.first_token:sentence.last_token] if t.is_alpha]
        return 1 <= len(words) <= 6 and reading.doc[sentence.last_token - 1].text not in {".", ";", ":"}

    def _heading_area(self, main: Instrument, sentence: Segment, number: str | None) -> str:
        reading = self.reading
        doc = reading.doc
        mark = item_mark(reading, sentence)
        first = sentence.first_token
        while first < sentence.last_token and (doc[first].is_punct or doc[first].lower_ == mark):
            first += 1
        last = sentence.last_token
        while last > first and doc[last - 1].is_punct:
            last -= 1
        heading = normalise_space(reading.text_of(first, last))
        span = (sentence.start, sentence.end)
        label = f"Area {mark}) of the {label_of(reading, main.iri)}: {heading}"
        area = self.area(main, slug(heading), label, heading, span, reading.chars(first, last))
        if number and mark:
            reading.add(area, IDD + "section", literal(f"{number}({mark})"), span, reading.chars(first, last), 0.7,
                        "areas/section-number", "Section number put together from the paragraph heading above the "
                        "area and the item mark of its own heading.")
        concepts = [m for m in reading.mentions_in(first, last) if concept_of(reading, m)]
        if concepts:
            for mention in concepts:
                concept = concept_of(reading, mention)
                assert concept is not None
                reading.add(area, DCT_SUBJECT, node(concept), span, (mention.start, mention.end), 0.75,
                            "areas/heading-subject")
                reading.add(main.iri, DCT_SUBJECT, node(concept), span, (mention.start, mention.end), 0.7,
                            "areas/heading-subject")
        else:
            concept = self._new_concept(heading)
            cue = reading.chars(first, last)
            reading.add(area, DCT_SUBJECT, node(concept), span, cue, 0.4, "areas/proposed-concept")
        return area

    def _new_concept(self, heading: str) -> str:
        """A concept for a heading the schemes lack, under the known concept sharing most words with it."""
        reading = self.reading
        words = {w for w in slug(heading).split("-") if len(w) > 2}
        best, overlap = None, 0
        for thing in reading.knowledge.things.values():
            if "concept" not in thing.roots or reading.knowledge.is_vocabulary_concept(thing.iri) or not thing.label:
                continue
            shared = len(words & {w for w in slug(thing.label).split("-") if len(w) > 2})
            if shared > overlap:
                best, overlap = thing.iri, shared
        iri = KG + slug(heading)
        thing = NewThing(iri, {SKOS + "Concept"}, heading[0].lower() + heading[1:] if not heading[:2].isupper()
                         else heading)
        if best is not None:
            thing.comment = f"Proposed under {reading.knowledge.label(best)}, the known concept nearest to it."
            thing.external[SKOS + "broader"] = node(best)
            for scheme in sorted(reading.knowledge.schemes.get(best, ())):
                thing.external[SKOS + "inScheme"] = node(scheme)
        reading.draft.propose(thing)
        return iri


def add_areas(reading: Reading, found: list[Instrument], main: Instrument | None) -> None:
    writer = AreaWriter(reading, found, main)
    if is_instrument_text(main):
        writer.instrument_text()
        rest = [i for i in found if i is not main]
        if rest:
            AreaWriter(reading, rest, None).prose()
    else:
        writer.prose()

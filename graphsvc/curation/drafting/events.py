"""Events: roundtables, summits, meetings and visits, with their date, place, organisers and outcomes.

Genre rules for news and event reports:
- a named event ("the 2nd India-France AI Policy Roundtable", "AI Action Summit 2025") is an
  event of the class its head noun names; an ordinal before it is its edition, a year after it
  its year; the countries of its name take part in it;
- "<A> meets <B> in <place> on <date>" is a meeting of the countries whose posts A and B are,
  where an instrument the same sentence expects to be finalised is its expected outcome;
- "<A>, in collaboration with <B> and <C>, organized <event> on <date>": organisers and date;
  "Held at <place>": its place; "an official side-event of <event>": the larger event;
- the sentences that speak of the event ("The event ...", "The discussions ...") and the bullets
  they introduce give its subjects; bullets introduced by "takeaways" or "outcomes" its outcomes.
"""

from __future__ import annotations

import re

from graphsvc.curation.drafting.areas import concept_of, is_activity
from graphsvc.curation.drafting.candidates import IDD, XSD, NewThing, literal, node
from graphsvc.curation.drafting.dates import GYEAR
from graphsvc.curation.drafting.document import Segment
from graphsvc.curation.drafting.gazetteer import Mention
from graphsvc.curation.drafting.instruments import Instrument
from graphsvc.curation.drafting.knowledge import KG, slug
from graphsvc.curation.drafting.lexicon import (EVENT_ANAPHORS, EVENT_WORDS, ORGANISED_CUES, OUTCOME_CUES, PLANNED,
                                                SIDE_EVENT)
from graphsvc.curation.drafting.reading import AGENT_CATEGORIES, Reading, find_phrases, normalise_space

DCT_SUBJECT = "http://purl.org/dc/terms/subject"
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)$", re.IGNORECASE)
ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                 "eighth": 8, "ninth": 9, "tenth": 10}
VERB_EVENTS = {"meets", "meet", "met"}


class EventWriter:
    def __init__(self, reading: Reading, found: list[Instrument]) -> None:
        self.reading = reading
        self.found = found
        self.events: dict[str, tuple[int, int, str]] = {}  # iri -> name tokens and class

    def run(self) -> None:
        reading = self.reading
        for index, first, last in find_phrases(reading, "events", [w for w, _ in EVENT_WORDS]):
            words, cls = EVENT_WORDS[index]
            held = reading.mention_at(first)
            if held is not None and "agent" in held.categories:
                continue  # a forum the graph knows, such as a summit series
            if words[0] in VERB_EVENTS or words == ("will", "meet"):
                self.meeting(first, last, cls)
            else:
                self.named(first, last, cls)
        self.subjects_and_outcomes()

    # --- named events --------------------------------------------------------------------

    def named(self, head_first: int, head_last: int, cls: str, nested: bool = False) -> None:
        reading = self.reading
        doc = reading.doc
        first = head_first
        while first > 0 and (doc[first - 1].is_title or doc[first - 1].is_upper and doc[first - 1].is_alpha
                             or doc[first - 1].text == "-" or _ORDINAL.match(doc[first - 1].text)) \
                and not doc[first - 1].is_sent_start:
            first -= 1
        if first > 0 and _ORDINAL.match(doc[first - 1].text):
            first -= 1
        last = head_last
        year = None
        if last < len(doc) and re.fullmatch(r"(19|20)\d\d", doc[last].text):
            year = last
            last += 1
        if first == head_first and year is None:
            return  # "the roundtable": a reference back, not a name
        edition = None
        name_first = first
        numbered = _ORDINAL.match(doc[first].text)
        if numbered or doc[first].lower_ in ORDINAL_WORDS:
            edition = int(numbered.group(1)) if numbered else ORDINAL_WORDS[doc[first].lower_]
            name_first = first + 1
        name = normalise_space(reading.text_of(first, last))
        local = slug(reading.text_of(name_first, last)) + (f"-{edition}" if edition else "")
        iri = KG + local
        if iri in self.events:
            return
        sentence = reading.sentence(head_first)
        span = (sentence.start, sentence.end)
        name_span = reading.chars(first, last)
        if iri not in reading.draft.new_things:
            reading.draft.propose(NewThing(iri, {cls}, name))
        self.events[iri] = (first, last, cls)
        if edition:
            reading.add(iri, IDD + "edition", literal(str(edition), XSD + "positiveInteger"), span,
                        reading.chars(first, first + 1), 0.8, "events/edition")
        if year is not None:
            reading.add(iri, IDD + "date", literal(doc[year].text, GYEAR), name_span, reading.chars(year, year + 1),
                        0.6, "events/year-in-name", "The year is taken from the event's name.")
        for mention in reading.mentions_in(name_first, last):
            country = reading.country(mention)
            if country:
                reading.add(iri, IDD + "participant", node(country), name_span, (mention.start, mention.end), 0.6,
                            "events/countries-in-name",
                            f"The event's name ('{name}') names the countries that take part in it.")
        if not nested:
            self.around(iri, sentence, first, last)

    def around(self, iri: str, sentence: Segment, first: int, last: int) -> None:
        """Date, organisers, place and larger event from the event's sentence and the next one."""
        reading = self.reading
        span = (sentence.start, sentence.end)
        words = reading.lower(sentence.first_token, sentence.last_token)
        for date in reading.dates_in(last, sentence.last_token)[:1]:
            if date.first - last <= 3:
                reading.add(iri, IDD + "date", literal(date.lexical, date.datatype), span, (date.start, date.end),
                            0.8, "events/date", date.reasoning)
        cue = next((sentence.first_token + i for i, w in enumerate(words) if w in ORGANISED_CUES), None)
        if cue is not None and cue < first:
            for mention in reading.mentions_in(sentence.first_token, cue, AGENT_CATEGORIES):
                agent = reading.agent(mention)
                if agent and "place" not in mention.categories:
                    reading.add(iri, IDD + "organiser", node(agent), span, (mention.start, mention.end), 0.75,
                                "events/organised-by")
        sentences = reading.document.sentences
        following = [s for s in sentences if s.start >= sentence.start][:2]
        for segment in following:
            seg_words = reading.lower(segment.first_token, segment.last_token)
            if "held" in seg_words[:3] or segment is sentence and "held" in seg_words:
                for mention in reading.mentions_in(segment.first_token, segment.last_token, {"place"}):
                    place = mention.of("place")
                    reading.add(iri, IDD + "location", node(place.iri), (segment.start, segment.end),  # type: ignore[union-attr]
                                (mention.start, mention.end), 0.7, "events/held-at")
                    break
            for index, a, b in find_phrases(reading, "side-event", [SIDE_EVENT], segment.first_token, segment.last_token):
                j = b
                while j < segment.last_token and reading.doc[j].lower_ in {"of", "the", "to"}:
                    j += 1
                head = next((i for i in range(j, segment.last_token)
                             if reading.doc[i].lower_ in {"summit", "conference", "meeting", "forum"}), None)
                if head is not None:
                    self.named(head, head + 1, IDD + ("Summit" if reading.doc[head].lower_ == "summit" else "Conference"),
                               nested=True)
                    larger = next((e for e, (f, l, _) in self.events.items() if f <= head < l), None)
                    if larger and larger != iri:
                        mention_span = reading.chars(j, head + 1)
                        reading.add(iri, IDD + "sideEventOf", node(larger), (segment.start, segment.end), mention_span,
                                    0.75, "events/side-event-of")

    # --- "A meets B in P on D" -------------------------------------------------------------

    def meeting(self, first: int, last: int, cls: str) -> None:
        reading = self.reading
        sentence = reading.sentence(first)
        clause_first, clause_last = reading.clause(first, last)
        clause_first = min(clause_first, max(sentence.first_token, first - 8))
        posts = [m for m in reading.mentions_in(clause_first, clause_last, {"post"})]
        countries: list[tuple[str, Mention]] = []
        for mention in posts:
            country = reading.country_of(mention.of("post").iri)  # type: ignore[union-attr]
            if country and country not in [c for c, _ in countries]:
                countries.append((country, mention))
        places = reading.mentions_in(last, clause_last, {"place"})
        dates = reading.dates_in(last, clause_last)
        if len(countries) < 2 or not (places or dates):
            return
        place = places[0] if places else None
        date = dates[0] if dates else None
        said = " and the ".join(m.text for _, m in countries)
        label = f"Meeting of the {said}" + (f" in {place.text}" if place else "") + (f" on {date.text}" if date else "")
        names = "-".join(slug(reading.knowledge.label(c)) for c, _ in countries)
        local = "-".join(x for x in [names, slug(place.text) if place else "", "meeting", slug(date.text) if date else ""] if x)
        iri = KG + local
        visit = "visit" in reading.lower(sentence.first_token, sentence.last_token)
        reading.draft.propose(NewThing(iri, {IDD + ("Visit" if visit else "Meeting")}, label))
        span = reading.chars(clause_first, clause_last)
        self.events[iri] = (first, last, cls)
        for country, mention in countries:
            reading.add(iri, IDD + "participant", node(country), span, (mention.start, mention.end), 0.7,
                        "events/meeting-participant",
                        f"'{mention.text}' holds a post of this country, which takes part through it.")
        if place:
            reading.add(iri, IDD + "location", node(place.of("place").iri), span, (place.start, place.end), 0.75,  # type: ignore[union-attr]
                        "events/meeting-place")
        if date:
            reading.add(iri, IDD + "date", literal(date.lexical, date.datatype), span, (date.start, date.end), 0.8,
                        "events/meeting-date", date.reasoning)
        for instrument in self.found:
            for mention in instrument.mentions:
                if sentence.first_token <= mention.first < sentence.last_token and instrument.status and \
                        instrument.status[0].value == PLANNED:
                    reading.add(iri, IDD + "expectedOutcome", node(instrument.iri), (sentence.start, sentence.end),
                                reading.chars(mention.first, mention.last), 0.65, "events/expected-outcome",
                                "The sentence expects the instrument to be finalised when the meeting takes place.")

    # --- what the event was about ------------------------------------------------------------

    def subjects_and_outcomes(self) -> None:
        reading = self.reading
        # The report's own event is the first one named, leaving aside a larger event named with its
        # year ("AI Action Summit 2025"), which the report mentions only as the setting.
        named = [(iri, f, l) for iri, (f, l, _) in self.events.items()
                 if not re.search(r"-(19|20)\d\d$", iri)]
        if not named:
            return
        doc = reading.doc
        main_iri, main_first, _ = min(named, key=lambda e: e[1])
        sentences = reading.document.sentences
        introducing = reading.sentence(main_first)
        active: str | None = None  # "subject" or "outcome" while bullets follow an introducing sentence
        outcome_n = 0
        for sentence in sentences:
            if sentence.start < introducing.start:
                continue
            words = reading.lower(sentence.first_token, sentence.last_token)
            bullet = doc[sentence.first_token]._.bullet
            if bullet and active:
                self.bullet(main_iri, sentence, active, outcome_n)
                if active == "outcome":
                    outcome_n += 1
                continue
            active = None
            speaks = sentence is introducing or any(w in EVENT_ANAPHORS for w in words[:4]) or any(
                a in {"the", "this"} and b in EVENT_ANAPHORS for a, b in zip(words, words[1:]))
            if not speaks:
                continue
            if words and words[-1] == ":":
                active = "outcome" if set(words) & OUTCOME_CUES else "subject"
            span = (sentence.start, sentence.end)
            for mention in reading.mentions_in(sentence.first_token, sentence.last_token):
                concept = concept_of(reading, mention)
                if concept and not is_activity(reading, concept):
                    reading.add(main_iri, DCT_SUBJECT, node(concept), span, (mention.start, mention.end), 0.55,
                                "events/subject")

    def bullet(self, event: str, sentence: Segment, active: str, n: int) -> None:
        reading = self.reading
        span = (sentence.start, sentence.end)
        mentions = [m for m in reading.mentions_in(sentence.first_token, sentence.last_token)
                    if concept_of(reading, m) and not is_activity(reading, concept_of(reading, m) or "")]
        if active == "subject":
            for mention in mentions:
                reading.add(event, DCT_SUBJECT, node(concept_of(reading, mention)), span,  # type: ignore[arg-type]
                            (mention.start, mention.end), 0.55, "events/discussed")
            return
        text = normalise_space(reading.document.text[sentence.start:sentence.end]).lstrip("-•* ")
        head = re.split(r"\s[–—-]\s|:", text)[0].strip()
        iri = f"{event}-outcome-{slug(head)[:60] or n + 1}"
        reading.draft.propose(NewThing(iri, {IDD + "Outcome"}, head))
        reading.add(event, IDD + "outcome", node(iri), span, span, 0.6, "events/outcome",
                    "The span states the outcome; the node is minted to stand for it.")
        for mention in mentions:
            reading.add(iri, DCT_SUBJECT, node(concept_of(reading, mention)), span,  # type: ignore[arg-type]
                        (mention.start, mention.end), 0.55, "events/outcome-subject")


def add_events(reading: Reading, found: list[Instrument]) -> None:
    EventWriter(reading, found).run()

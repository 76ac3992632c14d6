"""Clauses: how long an instrument lasts, when it starts, and what its numbered provisions lay down.

Genre rules for memoranda and agreements:
- "will last five (5) years", "remain in force for a period of three years": the duration;
- "commence from the date of its signing by both participants", "will start on the date of its
  signature": a commencement provision, and, where the text also gives the signing date, the
  entry into force date (the span then runs from the rule to the date, and the evidence says so);
- "by giving a written notice ... sixty (60) days in advance": a discontinuation provision with its
  notice period;
- renewal, modification ("by mutual written consent"), dispute settlement, funding ("unless
  otherwise concurred in writing"), confidentiality, intellectual property and "does not create
  any legal obligations" clauses, each a provision node of its kind, numbered as the text numbers it;
- "A and B will be nodal agencies", "through Joint Working Group", "recognition by A, B and C".
"""

from __future__ import annotations

from graphsvc.curation.drafting.candidates import IDD, XSD, NewThing, literal, node
from graphsvc.curation.drafting.context import is_instrument_text, sentence_subjects
from graphsvc.curation.drafting.dates import DATE
from graphsvc.curation.drafting.document import Segment
from graphsvc.curation.drafting.instruments import Instrument
from graphsvc.curation.drafting.knowledge import local_name
from graphsvc.curation.drafting.lexicon import (DURATION_CUES, NOT_BINDING, NOTICE_CUES, PROVISION_WORDS,
                                                WRITTEN_CONSENT)
from graphsvc.curation.drafting.quantities import Period
from graphsvc.curation.drafting.reading import AGENT_CATEGORIES, Reading, find_phrases
from graphsvc.curation.drafting.sections import places, section_number

TIME = "http://www.w3.org/2006/time#"
MINTED = "The span is the clause itself; the provision node is minted to stand for it."
MAX_DERIVED_SPAN = 2000

RULE_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("date", "of", "its", "signature", "by", "both"), "CommencesOnSignatureByAllParties"),
    (("date", "of", "its", "signing", "by", "both"), "CommencesOnSignatureByAllParties"),
    (("date", "of", "its", "signature", "by", "all"), "CommencesOnSignatureByAllParties"),
    (("date", "of", "the", "last", "signature"), "CommencesOnSignatureByAllParties"),
    (("date", "determined", "by", "both"), "CommencesOnDateSetByParties"),
    (("date", "agreed", "by", "both"), "CommencesOnDateSetByParties"),
    (("date", "mutually", "agreed"), "CommencesOnDateSetByParties"),
    (("cover", "the", "costs"), "EachPartyBearsOwnCosts"), (("bear", "its", "own", "costs"), "EachPartyBearsOwnCosts"),
    (("bear", "their", "own", "costs"), "EachPartyBearsOwnCosts"),
    (("subject", "to", "the", "availability", "of"), "SubjectToAvailableResources"),
    (("kept", "confidential"), "ExchangedInformationKeptConfidential"),
    (("disclosing", "participant"), "UseOnDisclosingPartyConditions"),
    (("disclosing", "party"), "UseOnDisclosingPartyConditions"),
    (("purposes", "other", "than"), "UseOnlyForStatedPurposes"),
    (("protection", "of", "intellectual", "property"), "IntellectualPropertyProtectedUnderOwnLaws"),
    (("modified", "at", "any", "time"), "ModifiableAtAnyTime"), (("amended", "at", "any", "time"), "ModifiableAtAnyTime"),
    (("written", "notice"), "DiscontinuableByWrittenNotice"),
    (("settled", "amicably"), "AmicableSettlementByConsultation"),
    (("resolved", "amicably"), "AmicableSettlementByConsultation"),
]
UNLESS_IN_WRITING = [("unless", "otherwise", "concurred", "in", "writing"), ("unless", "otherwise", "agreed", "in", "writing"),
                     ("unless", "otherwise", "mutually", "agreed", "in", "writing")]
KIND_SLUG = {"CommencementProvision": "commencement", "DurationProvision": "duration", "RenewalProvision": "renewal",
             "DiscontinuationProvision": "discontinuation", "ModificationProvision": "modification",
             "DisputeSettlementProvision": "dispute-settlement", "FundingProvision": "funding",
             "ConfidentialityProvision": "confidentiality", "IntellectualPropertyProvision": "ipr",
             "LegalStatusProvision": "legal-status", "ImplementationProvision": "implementation"}
KIND_NAME = {"CommencementProvision": "Commencement", "DurationProvision": "Duration", "RenewalProvision": "Renewal",
             "DiscontinuationProvision": "Discontinuation", "ModificationProvision": "Modification",
             "DisputeSettlementProvision": "Dispute settlement", "FundingProvision": "Funding",
             "ConfidentialityProvision": "Confidentiality", "IntellectualPropertyProvision": "Intellectual property",
             "LegalStatusProvision": "Legal status", "ImplementationProvision": "Implementation"}


def is_heading(reading: Reading, sentence: Segment) -> bool:
    """A short line without a sentence's end, such as "Duration and Termination"."""
    words = [t for t in reading.doc[sentence.first_token:sentence.last_token] if t.is_alpha]
    return len(words) <= 6 and reading.doc[sentence.last_token - 1].text not in {".", ";", ":"}


def label_of(reading: Reading, iri: str) -> str:
    thing = reading.draft.new_things.get(iri)
    return thing.label if thing else reading.knowledge.label(iri)


class ClauseWriter:
    """Writes the provisions of the instruments of one reading."""

    def __init__(self, reading: Reading, found: list[Instrument], main: Instrument | None) -> None:
        self.reading = reading
        self.subjects = sentence_subjects(reading, found, main)
        self.instrument_text = is_instrument_text(main)
        self.places = places(reading) if self.instrument_text else {}
        self.provisions: dict[tuple[str, str, str | None], str] = {}

    # --- nodes ---------------------------------------------------------------------------

    def provision(self, instrument: Instrument, kind: str, sentence: Segment, cue: tuple[int, int]) -> str:
        """The provision node of this kind for the clause the sentence stands in (one per item)."""
        place = self.places.get(sentence)
        item_key = section_number(place) if place else f"{sentence.start}"
        key = (instrument.iri, kind, item_key)
        if key in self.provisions:
            return self.provisions[key]
        short = local_name(kind)
        base = f"{instrument.iri}-provision-{KIND_SLUG.get(short, 'clause')}"
        iri, n = base, 2
        while iri in self.provisions.values():
            iri, n = f"{base}-{n}", n + 1
        self.provisions[key] = iri
        label = f"{KIND_NAME.get(short, 'Clause')} provision of the {label_of(self.reading, instrument.iri)}"
        self.reading.draft.propose(NewThing(iri, {IDD + "Provision"}, label))
        span = self.clause_span(sentence)
        self.reading.add(instrument.iri, IDD + "provision", node(iri), span, cue, 0.8, "clauses/provision", MINTED)
        self.reading.add(iri, IDD + "provisionKind", node(kind), span, cue, 0.8, "clauses/provision-kind")
        number = section_number(place) if place else None
        if number and place is not None:
            heading = place.heading
            reasoning = (f"Section number put together from the heading '{self.reading.document.text[heading.start:heading.end]}'"
                         f" and the item mark of the clause." if heading and place.item else None)
            mark_span = (place.item_start.start, place.item_start.start + 6) if place.item_start and place.item else \
                (heading.start, heading.end) if heading else span
            evidence = (min(span[0], mark_span[0]), max(span[1], mark_span[1]))
            cue_span = (mark_span[0], min(mark_span[1], evidence[1]))
            if not place.item and heading is not None:
                evidence = cue_span = (heading.start, heading.end)
                written = self.reading.document.text[heading.start:heading.end]
                if number not in written:
                    reasoning = f"The heading reads '{written}'."
            self.reading.add(iri, IDD + "section", literal(number), evidence, cue_span, 0.75, "clauses/section-number",
                             reasoning)
        return iri

    def clause_span(self, sentence: Segment) -> tuple[int, int]:
        """The sentence, or in an instrument's text the whole numbered item it belongs to."""
        place = self.places.get(sentence)
        if place is None or place.item_start is None:
            return sentence.start, sentence.end
        members = [s for s, p in self.places.items() if p.item_start is place.item_start]
        return min(s.start for s in members), max(s.end for s in members)

    def duration(self, instrument: Instrument, period: Period, sentence: Segment, suffix: str, what: str) -> str:
        iri = f"{instrument.iri}-{suffix}"
        label = f"{what} of the {label_of(self.reading, instrument.iri)}"
        self.reading.draft.propose(NewThing(iri, {TIME + "Duration"}, label, {" ".join(period.text.split())}))
        cue = (period.start, period.end)
        span = (sentence.start, sentence.end)
        self.reading.add(iri, TIME + "numericDuration", literal(str(period.number), XSD + "decimal"), span, cue, 0.85,
                         "clauses/period-number")
        self.reading.add(iri, TIME + "unitType", node(period.unit), span, cue, 0.85, "clauses/period-unit")
        return iri

    # --- rules ---------------------------------------------------------------------------

    def run(self) -> None:
        for sentence, instrument in sorted(self.subjects.items(), key=lambda kv: kv[0].start):
            self.sentence_rules(sentence, instrument)

    def sentence_rules(self, sentence: Segment, instrument: Instrument) -> None:
        reading = self.reading
        first, last = sentence.first_token, sentence.last_token
        words = reading.lower(first, last)
        provisions = find_phrases(reading, "provisions", [w for w, _ in PROVISION_WORDS], first, last)
        kinds = [(PROVISION_WORDS[i][1], a, b) for i, a, b in provisions]
        if not self.instrument_text:
            kinds = [k for k in kinds if k[0].endswith("CommencementProvision")]
        if is_heading(reading, sentence):
            kinds = []  # "Duration and Termination": a heading names the clauses below it, it is none of them
        periods = reading.periods_in(first, last)
        for period in periods:
            tail = reading.lower(period.last, min(last, period.last + 6))
            head = reading.lower(max(first, period.first - 8), period.first)
            if set(tail) & NOTICE_CUES or "notice" in head:
                provision = next((self.provisions[k] for k in self.provisions if k[0] == instrument.iri
                                  and k[1].endswith("DiscontinuationProvision")), None)
                if provision is None:
                    cue = next(((a, b) for kind, a, b in kinds if kind.endswith("DiscontinuationProvision")), None)
                    provision = self.provision(instrument, IDD + "DiscontinuationProvision", sentence,
                                               reading.chars(*(cue or (period.first, period.last))))
                notice = self.duration(instrument, period, sentence, "notice-period", "Notice period for discontinuing")
                reading.add(provision, IDD + "noticePeriod", node(notice), (sentence.start, sentence.end),
                            (period.start, period.end), 0.8, "clauses/notice-period")
            elif set(head) & DURATION_CUES or "for" in head[-3:]:
                duration = self.duration(instrument, period, sentence, "duration", "Duration")
                reading.add(instrument.iri, IDD + "duration", node(duration), (sentence.start, sentence.end),
                            (period.start, period.end), 0.85, "clauses/duration")
                self.provision(instrument, IDD + "DurationProvision", sentence, (period.start, period.end))
        place = self.places.get(sentence)
        item = section_number(place) if place and place.item else None
        if item is not None:  # one clause per numbered item: the kind its first cue names
            held = [k for k in self.provisions if k[0] == instrument.iri and k[2] == item
                    and not k[1].endswith("DurationProvision")]
            kinds = [] if held else kinds[:1]
            for key in held:
                self.provision_details(instrument, self.provisions[key], key[1], sentence)
        for kind, a, b in kinds:
            if kind.endswith("DiscontinuationProvision") and any(k[0] == instrument.iri and k[1] == kind
                                                                for k in self.provisions):
                continue
            provision = self.provision(instrument, kind, sentence, reading.chars(a, b))
            self.provision_details(instrument, provision, kind, sentence)
        self.legal_status(instrument, sentence, words)
        self.implementation(instrument, sentence)

    def provision_details(self, instrument: Instrument, provision: str, kind: str, sentence: Segment) -> None:
        reading = self.reading
        span = self.clause_span(sentence)
        first, last = reading.document.token_at(span[0]), reading.document.token_at(span[1] - 1) + 1
        if kind.endswith(("RenewalProvision", "ModificationProvision")):
            found = find_phrases(reading, "written-consent", [WRITTEN_CONSENT], first, last)
            if found:
                reading.add(provision, IDD + "requiresWrittenConsent", literal("true", XSD + "boolean"), span,
                            reading.chars(found[0][1], found[0][2]), 0.8, "clauses/written-consent")
        if kind.endswith("FundingProvision") and IDD + "exceptionByWrittenConsent" in reading.knowledge.declared:
            found = find_phrases(reading, "unless-in-writing", UNLESS_IN_WRITING, first, last)
            if found:
                reading.add(provision, IDD + "exceptionByWrittenConsent", literal("true", XSD + "boolean"), span,
                            reading.chars(found[0][1], found[0][2]), 0.75, "clauses/unless-in-writing")
        if IDD + "rule" in reading.knowledge.declared:
            for index, a, b in find_phrases(reading, "provision-rules", [w for w, _ in RULE_WORDS], first, last):
                concept = IDD + RULE_WORDS[index][1]
                if concept in reading.knowledge.things:
                    reading.add(provision, IDD + "rule", node(concept), span, reading.chars(a, b), 0.7, "clauses/rule")
        if kind.endswith("CommencementProvision"):
            self.entry_into_force(instrument, sentence, first, last)

    def entry_into_force(self, instrument: Instrument, sentence: Segment, first: int, last: int) -> None:
        """"Commence from the date of its signing" and a stated signing date: the entry into force date."""
        reading = self.reading
        on_signature = any(RULE_WORDS[i][1] == "CommencesOnSignatureByAllParties"
                           for i, _, _ in find_phrases(reading, "provision-rules", [w for w, _ in RULE_WORDS], first, last))
        if not on_signature:
            return
        signed = [c for c in reading.draft.candidates.values()
                  if c.subject == instrument.iri and c.predicate == IDD + "signingDate"]
        dates = [d for d in reading.dates if d.datatype == DATE and signed and d.lexical == signed[0].value.value]
        if not dates:
            return
        nearest = min(dates, key=lambda d: abs(d.start - sentence.start))
        span = (min(sentence.start, nearest.start), max(sentence.end, nearest.end))
        if span[1] - span[0] > MAX_DERIVED_SPAN:
            return
        reading.add(instrument.iri, IDD + "entryIntoForceDate", literal(nearest.lexical, DATE), span,
                    (nearest.start, nearest.end), 0.7, "clauses/entry-into-force-from-signing",
                    "The clause at the start of the span makes the instrument commence on the date of its signing; "
                    "the span runs on to the signing date the text gives.")

    def legal_status(self, instrument: Instrument, sentence: Segment, words: list[str]) -> None:
        found = find_phrases(self.reading, "not-binding", NOT_BINDING, sentence.first_token, sentence.last_token)
        if not found:
            return
        cue = self.reading.chars(found[0][1], found[0][2])
        self.reading.add(instrument.iri, IDD + "legallyBinding", literal("false", XSD + "boolean"),
                         (sentence.start, sentence.end), cue, 0.85, "clauses/not-legally-binding")

    def implementation(self, instrument: Instrument, sentence: Segment) -> None:
        reading = self.reading
        first, last = sentence.first_token, sentence.last_token
        words = reading.lower(first, last)
        span = (sentence.start, sentence.end)
        if "nodal" in words:
            nodal = first + words.index("nodal")
            for mention in reading.mentions_in(first, nodal, AGENT_CATEGORIES):
                iri = reading.agent(mention)
                if iri:
                    reading.add(instrument.iri, IDD + "nodalAgency", node(iri), span, (mention.start, mention.end), 0.8,
                                "clauses/nodal-agencies")
        for index, a, b in find_phrases(reading, "recognition", [("recognition", "by"), ("recognised", "by"),
                                                                  ("recognized", "by")], first, last):
            for mention in reading.mentions_in(b, last, AGENT_CATEGORIES):
                iri = reading.agent(mention)
                thing = reading.knowledge.things.get(iri or "")
                if iri and (thing is None or not thing.is_a("Country")):
                    reading.add(instrument.iri, IDD + "recognisedBy", node(iri), span, (mention.start, mention.end), 0.65,
                                "clauses/recognised-by")
        for index, a, b in find_phrases(reading, "working-group", [("joint", "working", "group")], first, last):
            if reading.doc[b].lower_ == "s" or reading.lower(b, b + 1) == ["meetings"]:
                continue
            iri = f"{instrument.iri}-jwg"
            said = reading.text_of(a, b)
            reading.draft.propose(NewThing(iri, {IDD + "JointWorkingGroup"},
                                           f"Joint Working Group of the {label_of(reading, instrument.iri)}", {said}))
            reading.add(instrument.iri, IDD + "implementedThrough", node(iri), span, reading.chars(a, b), 0.7,
                        "clauses/joint-working-group")


def add_clauses(reading: Reading, found: list[Instrument], main: Instrument | None) -> None:
    ClauseWriter(reading, found, main).run()

"""Drafting one text: read it against the knowledge and run the genre's rules in order."""

from __future__ import annotations

import datetime as dt

from graphsvc.curation.drafting import areas, clauses, events, instruments, signatures
from graphsvc.curation.drafting.agents import add_new_agent_candidates, propose_countries
from graphsvc.curation.drafting.candidates import Draft
from graphsvc.curation.drafting.dates import find_dates
from graphsvc.curation.drafting.document import Document
from graphsvc.curation.drafting.gazetteer import Gazetteer
from graphsvc.curation.drafting.knowledge import Knowledge
from graphsvc.curation.drafting.organisations import find_new_organisations, merge_mentions
from graphsvc.curation.drafting.quantities import find_periods
from graphsvc.curation.drafting.reading import Reading


class Drafter:
    """Drafts texts against one body of knowledge (the gazetteer is built once)."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.gazetteer = Gazetteer(knowledge)

    def draft(self, text: str, source_iri: str, published: dt.date | None = None) -> Draft:
        """Candidate statements for `text`, whose evidence points into the source `source_iri`."""
        document = Document(text)
        known = self.gazetteer.mentions(document)
        new_organisations = find_new_organisations(document, known, self.knowledge)
        mentions = merge_mentions(known, new_organisations)
        reading = Reading(document, self.knowledge, mentions, find_dates(document, published),
                          find_periods(document), Draft(source_iri, text), published)
        add_new_agent_candidates(reading, new_organisations)
        found = [i for i in instruments.group_instruments(reading)]
        for instrument in found:
            instruments.find_parties(reading, instrument)
        found = [i for i in found if i.anchored]
        instruments.name_instruments(reading, found)
        for instrument in found:
            instruments.add_instrument_candidates(reading, instrument)
            instruments.add_approval(reading, instrument)
        main = next((i for i in found if i.main), None)
        signatures.add_signing(reading, main)
        clauses.add_clauses(reading, found, main)
        signatures.add_signatures(reading, main)
        areas.add_areas(reading, found, main)
        events.add_events(reading, found)
        propose_countries(reading)
        return reading.draft

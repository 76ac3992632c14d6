"""New agents a draft proposes: organisations the graph lacks, their governments, and countries.

A new ministry "of <country>" belongs to that country's government (the graph's, or a new one
named "Government of <country>"); a country the graph lacks is proposed from pycountry, with its
ISO code as an identifier from outside the text (the ontology marks that property as such).
"""

from __future__ import annotations

from graphsvc.curation.drafting.candidates import IDD, NewThing, literal, node
from graphsvc.curation.drafting.knowledge import KG, slug
from graphsvc.curation.drafting.organisations import NewOrganisation
from graphsvc.curation.drafting.reading import Reading

ORG = "http://www.w3.org/ns/org#"


def add_new_agent_candidates(reading: Reading, organisations: list[NewOrganisation]) -> None:
    """Each new organisation, and the government it belongs to where the text names its country."""
    for organisation in organisations:
        reading.draft.propose(organisation.thing)
        organisation.thing.alt_labels.discard(organisation.thing.label)
        if organisation.country is None or organisation.country_start is None:
            continue
        country = reading.knowledge.country_by_iri(organisation.country)
        if country is None:
            continue
        span = (organisation.mention.start, organisation.mention.end)
        cue = reading.chars(organisation.country_start, organisation.country_end or organisation.country_start + 1)
        government = reading.knowledge.government_for(organisation.country)
        if government is None:
            government = KG + "government-of-" + slug(country.name)
            reading.draft.propose(NewThing(government, {IDD + "Government"}, f"Government of {country.name}"))
            reading.add(government, IDD + "governmentOf", node(organisation.country), span, cue, 0.8,
                        "agents/government-of-country",
                        f"The government of {country.name}, the country the span names as the organisation's.")
        reading.add(organisation.thing.iri, ORG + "subOrganizationOf", node(government), span, cue, 0.8,
                    "agents/organisation-of-country",
                    f"An organisation of {country.name}, as the span says, belongs to the Government of {country.name}.")


def propose_countries(reading: Reading) -> None:
    """Countries the candidates name that the graph lacks, proposed from pycountry."""
    for candidate in list(reading.draft.candidates.values()):
        value = candidate.value
        for iri in (candidate.subject, getattr(value, "value", "")):
            country = reading.knowledge.country_by_iri(iri)
            if country is None or country.known or iri in reading.draft.new_things:
                continue
            thing = NewThing(iri, {IDD + "Country"}, country.name, set(country.names) - {country.name})
            thing.external[IDD + "iso3166Alpha2"] = literal(country.code)
            thing.origin = "pycountry (ISO 3166-1)"
            reading.draft.propose(thing)

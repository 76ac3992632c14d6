"""The order in which a profile page shows a thing's facts: as a reader asks about it.

Names first, then what it is, who takes part, when, what it is about, its clauses, what it is
related to, and last the identifiers. Within a group the properties keep the order given here;
values of the groups marked `source_order` (cooperation areas, topics, clauses) are in the order
their source states them (the earliest character offset of their evidence), the others by label.
Properties listed nowhere go to "Related". This is layout only: what each property means is the
ontology's to say.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graphsvc.vocabulary import prefixes


@dataclass(frozen=True)
class FactGroup:
    key: str
    title: str
    properties: tuple[str, ...]  # CURIEs, in the order shown
    source_order: bool = False


GROUPS = (
    FactGroup("names", "Names", ("rdfs:label", "skos:prefLabel", "skos:altLabel", "dcterms:title")),
    FactGroup("about", "Description", ("rdfs:comment", "skos:definition", "dcterms:description", "skos:scopeNote",
                                       "skos:editorialNote")),
    FactGroup("kind", "Kind", ("rdf:type", "idd:instrumentKind", "idd:documentKind", "idd:provisionKind",
                               "idd:activityKind", "idd:status", "idd:legallyBinding", "idd:requiresWrittenConsent")),
    FactGroup("parties", "Parties and people", (
        "idd:party", "idd:signing", "idd:signature", "idd:signatory", "idd:signedAs", "idd:signedFor",
        "idd:approvedBy", "idd:negotiatedBy", "idd:nodalAgency", "idd:recognisedBy", "idd:participant",
        "idd:organiser", "idd:runBy", "idd:committedBy", "idd:supportedBy", "idd:candidate", "idd:candidateFor",
        "org:heldBy", "org:postIn", "dcterms:publisher", "idd:creditedTo")),
    FactGroup("dates", "Dates", ("idd:signingDate", "idd:entryIntoForceDate", "idd:endDate", "idd:announcementDate",
                                 "idd:date", "dcterms:issued", "idd:duration", "idd:noticePeriod",
                                 "time:numericDuration", "time:unitType", "idd:edition")),
    FactGroup("areas", "Areas", ("idd:pillar", "idd:cooperationArea", "idd:commitment", "dcterms:subject"),
              source_order=True),
    FactGroup("clauses", "Clauses", ("idd:provision", "idd:section", "idd:numberOfOriginals",
                                     "idd:languageOfOriginals"), source_order=True),
    FactGroup("related", "Related", ()),
    FactGroup("identifiers", "Identifiers", ("skos:exactMatch", "idd:iso3166Alpha2", "idd:fileName",
                                             "idd:characterCount", "idd:sha256")),
)
OTHERS = "related"


def _expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return prefixes()[prefix] + local


@lru_cache(maxsize=1)
def placement() -> dict[str, tuple[int, int]]:
    """Property IRI -> (group index, position in the group)."""
    found: dict[str, tuple[int, int]] = {}
    for group_index, group in enumerate(GROUPS):
        for position, name in enumerate(group.properties):
            found[_expand(name)] = (group_index, position)
    return found


def place(property_iri: str) -> tuple[FactGroup, int]:
    """The group a property's facts go to, and its position there (unlisted ones last, by IRI)."""
    group_index, position = placement().get(property_iri, (_index(OTHERS), 10_000))
    return GROUPS[group_index], position


def _index(key: str) -> int:
    return next(i for i, group in enumerate(GROUPS) if group.key == key)

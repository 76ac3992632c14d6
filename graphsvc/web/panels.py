"""The panels of a profile page: for a country, a ministry, a forum or a technology area, the
questions that matter about it, each answered by a named query of queries/ with the thing bound.

A thing gets the panels of the first kind in `KINDS` whose class it has (directly or through a
subclass). Each panel runs its query as `GET /api/<query>?<parameter>=<thing>` would, shows the
query's name and links to that answer as JSON and CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from fastapi import Request

from graphsvc.vocabulary import curie
from graphsvc.web.named_answers import PageAnswer, answer


@dataclass(frozen=True)
class Column:
    field: str
    heading: str
    date: bool = False  # an empty cell reads "unknown" (the sources do not state it)


@dataclass(frozen=True)
class PanelSpec:
    """One question about a thing: the named query that answers it and the parameter the thing binds."""

    key: str
    title: str
    query: str
    parameter: str
    columns: tuple[Column, ...]
    limit: int = 50


@dataclass(frozen=True)
class Panel:
    spec: PanelSpec
    answer: PageAnswer


INSTRUMENT_COLUMNS = (Column("instrument", "Instrument"), Column("kind", "Kind"), Column("status", "Status"),
                      Column("signingDate", "Signed", date=True),
                      Column("entryIntoForceDate", "In force from", date=True),
                      Column("endDate", "Ends", date=True))
PARTNER_COLUMNS = (Column("partner", "Partner"), Column("instruments", "Shared instruments"))
AREA_COLUMNS = (Column("area", "Area"), Column("instruments", "Instruments"))

COUNTRY = (
    PanelSpec("instruments", "Instruments", "instruments", "partner", INSTRUMENT_COLUMNS),
    PanelSpec("partners", "Partners", "counterparts", "actor", PARTNER_COLUMNS),
    PanelSpec("areas", "Technology areas", "actor-areas", "actor", AREA_COLUMNS),
    PanelSpec("events", "Events", "events", "participant",
              (Column("event", "Event"), Column("type", "Kind"), Column("date", "Date", date=True),
               Column("place", "Place"))),
)
ORGANISATION = (
    PanelSpec("instruments", "Instruments", "actor-instruments", "actor",
              (Column("instrument", "Instrument"), Column("role", "Role"), Column("body", "Through"),
               Column("kind", "Kind"), Column("status", "Status"), Column("signingDate", "Signed", date=True))),
    PanelSpec("partners", "Partners", "counterparts", "actor", PARTNER_COLUMNS),
    PanelSpec("areas", "Technology areas", "actor-areas", "actor", AREA_COLUMNS),
)
FORUM = (
    PanelSpec("instruments", "Instruments, programmes and events that refer to it", "forum-references", "forum",
              (Column("thing", "What"), Column("type", "Kind"), Column("date", "Date", date=True))),
    PanelSpec("partners", "Who engages with it", "forum-actors", "forum",
              (Column("actor", "Actor"), Column("references", "Through how many"))),
)
AREA = (
    PanelSpec("instruments", "Instruments about this area or a narrower one", "instruments", "area",
              INSTRUMENT_COLUMNS),
    PanelSpec("partners", "Partners in this area", "partners-in-area", "area", PARTNER_COLUMNS),
)

# The first kind whose class (a CURIE) the thing has decides its panels.
KINDS: tuple[tuple[str, tuple[PanelSpec, ...]], ...] = (
    ("idd:Country", COUNTRY),
    ("idd:Forum", FORUM),
    ("idd:IntergovernmentalOrganisation", FORUM),
    ("idd:ExportControlRegime", FORUM),
    ("skos:Concept", AREA),
    ("org:Organization", ORGANISATION),
)


def panels_for(classes: Iterable[str]) -> tuple[PanelSpec, ...]:
    """The panels of a thing with these classes (IRIs, superclasses included)."""
    names = {curie(iri) for iri in classes}
    return next((specs for kind, specs in KINDS if kind in names), ())


def run_panels(request: Request, iri: str, classes: Iterable[str]) -> list[Panel]:
    """Each panel of the thing, answered."""
    value = curie(iri)
    return [Panel(spec, answer(request, spec.query, {spec.parameter: value}, limit=spec.limit))
            for spec in panels_for(classes)]

"""What the drafter knows before it reads a text: the graph's named things, and the world's countries.

The graph is read through the queries in queries/drafting/ (names, structure, declared terms),
from a store or anything with a `query` method that answers SPARQL like pyoxigraph does. Countries
the graph does not hold come from pycountry (names, official names) and countryinfo (demonyms
such as "French", other spellings); they are proposed under the project's naming style.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Protocol

import pyoxigraph as ox

from graphsvc import project

QUERIES = project.QUERIES_DIR / "drafting"
KG = project.THING_NS
IDD = project.VOCAB_NS
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TIME = "http://www.w3.org/2006/time#"

ROOTS = {
    PROV + "Agent": "agent", ORG + "Post": "post", SKOS + "Concept": "concept", IDD + "Place": "place",
    IDD + "Instrument": "instrument", IDD + "Event": "event", IDD + "Programme": "programme",
    IDD + "Facility": "facility", TIME + "TemporalUnit": "unit",
}


class Queryable(Protocol):
    def query(self, sparql: str, **options: Any) -> Any: ...


@dataclass
class Thing:
    """A thing the graph names: its IRI, names, root kinds ("agent", "concept", ...) and classes."""

    iri: str
    names: set[str] = field(default_factory=set)
    label: str | None = None
    roots: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)

    def is_a(self, class_local_name: str) -> bool:
        return any(t.endswith(("#" + class_local_name, "/" + class_local_name)) for t in self.types)


@dataclass(frozen=True)
class Country:
    """A country of the world: where the graph has it, its IRI there; else a proposed kg: IRI."""

    code: str
    name: str
    iri: str
    known: bool
    names: tuple[str, ...]
    demonyms: tuple[str, ...]


@dataclass
class Knowledge:
    """The graph's named things and their links, and the world's countries."""

    things: dict[str, Thing] = field(default_factory=dict)
    parent: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    government_of: dict[str, str] = field(default_factory=dict)
    post_in: dict[str, str] = field(default_factory=dict)
    held_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    schemes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    broader: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    iso_codes: dict[str, str] = field(default_factory=dict)
    declared: set[str] = field(default_factory=set)
    countries: dict[str, Country] = field(default_factory=dict)  # by ISO code

    # --- questions the rules ask ---------------------------------------------------------------

    def label(self, iri: str) -> str:
        thing = self.things.get(iri)
        if thing and thing.label:
            return thing.label
        return " ".join(word[:1].upper() + word[1:] for word in local_name(iri).split("-"))  # minted: kg:brazil

    def country_of(self, iri: str, depth: int = 6) -> str | None:
        """The country an organisation belongs to (through its government), or the country itself."""
        seen = 0
        frontier = [iri]
        while frontier and seen < depth:
            seen += 1
            nxt: list[str] = []
            for node in frontier:
                thing = self.things.get(node)
                if thing is not None and thing.is_a("Country"):
                    return node
                if node in self.government_of:
                    return self.government_of[node]
                if node in self.post_in:
                    nxt.append(self.post_in[node])
                nxt.extend(self.parent.get(node, ()))
            frontier = nxt
        return None

    def government_for(self, country_iri: str) -> str | None:
        for government, country in self.government_of.items():
            if country == country_iri:
                return government
        return None

    def country_by_iri(self, iri: str) -> Country | None:
        for country in self.countries.values():
            if country.iri == iri:
                return country
        return None

    def posts_held_by(self, person_iri: str) -> set[str]:
        return {post for post, people in self.held_by.items() if person_iri in people}

    def is_vocabulary_concept(self, iri: str) -> bool:
        return iri.startswith(IDD) or iri.startswith(TIME)


def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def slug(text: str) -> str:
    """The project's naming style for a local name: lower-case kebab, ASCII letters and digits."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("&", " and ").replace("'s ", " ").replace("’s ", " ")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# ----------------------------------------------------------------------------- reading the graph

def _query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def _rows(store: Queryable, name: str) -> Iterable[Any]:
    text = _query_text(name)
    if isinstance(store, ox.Store):
        return store.query(text, use_default_graph_as_union=True)
    return store.query(text)


def _value(term: Any) -> str:
    return str(term.value)


def read_knowledge(store: Queryable) -> Knowledge:
    """Everything the drafter needs from the graph, and the world's countries joined to it."""
    knowledge = Knowledge()
    for row in _rows(store, "names"):
        iri = _value(row["thing"])
        thing = knowledge.things.setdefault(iri, Thing(iri))
        thing.roots.add(ROOTS[_value(row["root"])])
        thing.types.add(_value(row["type"]))
        name = row["name"]
        thing.names.add(name.value)
        if _value(row["property"]).endswith("#label") and (name.language in (None, "", "en")):
            thing.label = name.value
    for row in _rows(store, "structure"):
        subject, relation, other = _value(row["thing"]), _value(row["relation"]), _value(row["other"])
        if relation in (ORG + "subOrganizationOf", ORG + "unitOf"):
            knowledge.parent[subject].add(other)
        elif relation == IDD + "governmentOf":
            knowledge.government_of[subject] = other
        elif relation == ORG + "postIn":
            knowledge.post_in[subject] = other
        elif relation == ORG + "heldBy":
            knowledge.held_by[subject].add(other)
        elif relation == IDD + "iso3166Alpha2":
            knowledge.iso_codes[subject] = other
        elif relation in (SKOS + "inScheme", SKOS + "topConceptOf"):
            knowledge.schemes[subject].add(other)
        elif relation == SKOS + "broader":
            knowledge.broader[subject].add(other)
    knowledge.declared = {_value(row["term"]) for row in _rows(store, "declared-terms")}
    knowledge.countries = _join_countries(knowledge)
    return knowledge


# ----------------------------------------------------------------------------- the world's countries

@dataclass(frozen=True)
class WorldCountry:
    code: str
    name: str
    names: tuple[str, ...]
    demonyms: tuple[str, ...]


@lru_cache(maxsize=1)
def world_countries() -> tuple[WorldCountry, ...]:
    """Every ISO 3166-1 country, with its names (pycountry) and demonyms (countryinfo)."""
    import pycountry
    from countryinfo import CountryInfo

    found = []
    for entry in pycountry.countries:
        code = entry.alpha_2
        common = getattr(entry, "common_name", None) or entry.name
        names = {entry.name, common}
        official = getattr(entry, "official_name", None)
        if official:
            names.add(official)
        demonyms: set[str] = set()
        try:
            info = CountryInfo(code)
            demonym = info.demonym()
            if demonym:
                demonyms.add(demonym)
            for spelling in info.alt_spellings() or []:
                if len(spelling) > 3 and spelling.isascii() and spelling[0].isupper():
                    names.add(spelling)
        except Exception:  # countryinfo knows no entry for a few territories
            pass
        names = {n for n in names if "," not in n}  # "Korea, Republic of" is a sort key, not a name in prose
        found.append(WorldCountry(code, common, tuple(sorted(names)), tuple(sorted(demonyms))))
    return tuple(found)


def _join_countries(knowledge: Knowledge) -> dict[str, Country]:
    """The world's countries, each under the graph's IRI where the graph has it (by ISO code or name)."""
    by_code = {code: iri for iri, code in knowledge.iso_codes.items()}
    by_name: dict[str, str] = {}
    for thing in knowledge.things.values():
        if thing.is_a("Country"):
            for name in thing.names:
                by_name[name.casefold()] = thing.iri
    joined = {}
    for world in world_countries():
        iri = by_code.get(world.code) or next(
            (by_name[n.casefold()] for n in world.names if n.casefold() in by_name), None)
        names = set(world.names)
        if iri is not None:
            names |= {n for n in knowledge.things[iri].names if n.isascii()} if iri in knowledge.things else set()
        joined[world.code] = Country(world.code, world.name, iri or KG + slug(world.name), iri is not None,
                                     tuple(sorted(names)), world.demonyms)
    return joined

"""Synthetic data in the project's own vocabulary, at any size, deterministic from a seed.

The world is modelled on data/*.ttl: partner countries with their governments, ministries, posts
and office holders; Indian ministries under kg:government-of-india; technology areas (SKOS
concepts in kg:technology-areas with skos:broader); forums; places; source documents with a
character count; and then instruments (kind, status, parties, signing with one signature per
party, dates as xsd:date, a duration in years or months, provisions, cooperation areas, topics,
forums) and events, each statement of note backed by an idd:Evidence record pointing to a text
span (oa:TextPositionSelector) inside a synthetic source document.

Everything is written as N-Triples line by line (never held as Python objects), so 5M triples
take no more memory than 10k. The triple count is the target rounded up to the end of the last
instrument or event (within a few hundred triples).

The world refers to three things data/ already defines: kg:india, kg:government-of-india and the
scheme kg:technology-areas. With `anchors=True` (a standalone sample, as the validity test uses)
the generator writes their defining triples too, exactly as data/ states them; without (the
benchmark, which loads data/ first) it leaves them to data/, since the same triple in two named
graphs would be counted twice by the union default graph.

Batches for ingest (`write_batch`) add new instruments that refer to the world's existing
countries, ministries, concepts, forums and source documents, so validating them needs context
from the store; `faults=True` plants violations that only that context can reveal.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

KG = "https://w3id.org/iddkg/id/"
IDD = "https://w3id.org/iddkg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
TIME = "http://www.w3.org/2006/time#"
OA = "http://www.w3.org/ns/oa#"
WD = "http://www.wikidata.org/entity/Q"

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}

KINDS = ["MemorandumOfUnderstanding", "MemorandumOfCooperation", "JointDeclarationOfIntent", "Roadmap",
         "StrategicPartnership", "Agreement", "Initiative"]
PROVISION_KINDS = ["CommencementProvision", "DurationProvision", "RenewalProvision", "DiscontinuationProvision",
                   "ModificationProvision", "DisputeSettlementProvision", "FundingProvision",
                   "ConfidentialityProvision", "IntellectualPropertyProvision", "LegalStatusProvision"]
DOCUMENT_KINDS = ["PressRelease", "WebPage", "NewsArticle", "InstrumentText", "EventReport"]
EVENT_CLASSES = ["Meeting", "Visit", "Summit", "Roundtable", "Conference"]
SYLLABLES = ["ka", "lo", "mi", "ra", "to", "ve", "san", "dor", "bel", "qui", "nar", "os", "tel", "vin",
             "zu", "pa", "ri", "mon", "gal", "ess"]
AREA_WORDS = ["artificial intelligence", "semiconductors", "cyber security", "quantum computing", "cloud",
              "digital public infrastructure", "telecom", "startups", "e-governance", "supercomputing",
              "data governance", "fintech", "skills", "research", "space technology", "health technology"]


def iri(local: str) -> str:
    return f"<{KG}{local}>"


def term(ns: str, local: str) -> str:
    return f"<{ns}{local}>"


def lit(text: str, lang: str | None = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


A = f"<{RDF}type>"
LABEL = f"<{RDFS}label>"


class Writer:
    """Counts and writes N-Triples lines; blank nodes get labels unique to this writer's tag."""

    def __init__(self, out: IO[str], tag: str) -> None:
        self.out = out
        self.tag = tag
        self.count = 0
        self._blank = 0
        self._lines: list[str] = []

    def t(self, s: str, p: str, o: str) -> None:
        self._lines.append(f"{s} {p} {o} .\n")
        self.count += 1
        if len(self._lines) >= 20_000:
            self.flush()

    def blank(self) -> str:
        self._blank += 1
        return f"_:{self.tag}b{self._blank}"

    def flush(self) -> None:
        self.out.write("".join(self._lines))
        self._lines.clear()


@dataclass(frozen=True)
class World:
    """The pools of things instruments and events refer to; sizes follow the target triple count."""

    seed: int
    target: int

    @property
    def countries(self) -> int:
        return max(8, min(150, self.target // 8_000))

    ministries_per_country = 3
    indian_ministries = 8

    @property
    def concepts(self) -> int:
        return max(24, min(3_000, self.target // 400))

    @property
    def forums(self) -> int:
        return max(4, min(300, self.target // 4_000))

    @property
    def sources(self) -> int:
        return max(3, min(2_000, self.target // 5_000))

    # ---- names of pool members (the same for the world and for every batch) ----
    def country(self, i: int) -> str:
        return iri(f"bench-country-{i}")

    def government(self, i: int) -> str:
        return iri(f"bench-government-{i}")

    def ministry(self, i: int, j: int) -> str:
        return iri(f"bench-ministry-{i}-{j}")

    def post(self, i: int, j: int) -> str:
        return iri(f"bench-post-{i}-{j}")

    def person(self, i: int, j: int) -> str:
        return iri(f"bench-person-{i}-{j}")

    def indian_ministry(self, k: int) -> str:
        return iri(f"bench-in-ministry-{k}")

    def indian_post(self, k: int) -> str:
        return iri(f"bench-in-post-{k}")

    def indian_person(self, k: int) -> str:
        return iri(f"bench-in-person-{k}")

    def concept(self, i: int) -> str:
        return iri(f"bench-area-{i}")

    def forum(self, i: int) -> str:
        return iri(f"bench-forum-{i}")

    def place(self, i: int) -> str:
        return iri(f"bench-place-{i}")

    def source(self, i: int) -> str:
        return iri(f"bench-source-{i}")

    def source_length(self, i: int) -> int:
        return 20_000 + (i * 7919) % 180_000

    def country_name(self, i: int) -> str:
        rnd = random.Random(f"{self.seed}-country-{i}")
        return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize() + "ia"

    def iso(self, i: int) -> str:
        # Codes Z? are free of real ones in use; avoid "IN" anyway.
        letters = "ABCDEFGHJKLMNOPQRSTUVWXY"
        return letters[i // len(letters) % len(letters)] + letters[i % len(letters)] if i < 576 else "ZZ"


INDIA = iri("india")
GOV_INDIA = iri("government-of-india")
TECH_AREAS = iri("technology-areas")


def write_anchors(w: Writer) -> None:
    """The defining triples of kg:india, kg:government-of-india and kg:technology-areas, as in data/."""
    w.t(INDIA, A, term(IDD, "Country"))
    w.t(INDIA, LABEL, lit("India"))
    w.t(INDIA, term(IDD, "iso3166Alpha2"), lit("IN", None))
    w.t(INDIA, term(SKOS, "exactMatch"), f"<{WD}668>")
    w.t(GOV_INDIA, A, term(IDD, "Government"))
    w.t(GOV_INDIA, LABEL, lit("Government of India"))
    w.t(GOV_INDIA, term(IDD, "governmentOf"), INDIA)
    w.t(TECH_AREAS, A, term(SKOS, "ConceptScheme"))
    w.t(TECH_AREAS, LABEL, lit("technology areas"))


def write_pools(w: Writer, world: World, rnd: random.Random) -> None:
    for i in range(world.sources):
        src = world.source(i)
        w.t(src, A, term(IDD, "SourceDocument"))
        w.t(src, LABEL, lit(f"Synthetic source document {i}"))
        w.t(src, term(IDD, "fileName"), lit(f"bench_{i:05d}.txt", None))
        w.t(src, term(IDD, "characterCount"), typed(world.source_length(i), "integer"))
        w.t(src, term(IDD, "sha256"), lit(hashlib.sha256(f"{world.seed}-{i}".encode()).hexdigest(), None))
        w.t(src, term(IDD, "documentKind"), term(IDD, DOCUMENT_KINDS[i % len(DOCUMENT_KINDS)]))
        w.t(src, term(DCT, "title"), lit(f"Synthetic source {i}"))
    for i in range(world.countries):
        name = world.country_name(i)
        c, g = world.country(i), world.government(i)
        w.t(c, A, term(IDD, "Country"))
        w.t(c, LABEL, lit(name))
        w.t(c, term(SKOS, "prefLabel"), lit(name.replace("ia", "ie"), "fr"))
        w.t(c, term(IDD, "iso3166Alpha2"), lit(world.iso(i), None))
        w.t(c, term(SKOS, "exactMatch"), f"<{WD}{900000 + i}>")
        w.t(g, A, term(IDD, "Government"))
        w.t(g, LABEL, lit(f"Government of {name}"))
        w.t(g, term(IDD, "governmentOf"), c)
        place = world.place(i)
        w.t(place, A, term(IDD, "Place"))
        w.t(place, LABEL, lit(f"Capital of {name}"))
        w.t(place, term(IDD, "locatedIn"), c)
        for j in range(world.ministries_per_country):
            m, post, person = world.ministry(i, j), world.post(i, j), world.person(i, j)
            w.t(m, A, term(IDD, "Ministry"))
            w.t(m, LABEL, lit(f"Ministry {j + 1} of {name}"))
            w.t(m, term(ORG, "subOrganizationOf"), g)
            w.t(person, A, term(FOAF, "Person"))
            w.t(person, LABEL, lit(f"Minister {j + 1} of {name}"))
            w.t(post, A, term(ORG, "Post"))
            w.t(post, LABEL, lit(f"Head of ministry {j + 1} of {name}"))
            w.t(post, term(ORG, "postIn"), m)
            w.t(post, term(ORG, "heldBy"), person)
    for k in range(world.indian_ministries):
        m, post, person = world.indian_ministry(k), world.indian_post(k), world.indian_person(k)
        w.t(m, A, term(IDD, "Ministry"))
        w.t(m, LABEL, lit(f"Indian ministry {k + 1}"))
        w.t(m, term(ORG, "subOrganizationOf"), GOV_INDIA)
        w.t(person, A, term(FOAF, "Person"))
        w.t(person, LABEL, lit(f"Indian minister {k + 1}"))
        w.t(post, A, term(ORG, "Post"))
        w.t(post, LABEL, lit(f"Head of Indian ministry {k + 1}"))
        w.t(post, term(ORG, "postIn"), m)
        w.t(post, term(ORG, "heldBy"), person)
    tops = 6
    for i in range(world.concepts):
        c = world.concept(i)
        word = AREA_WORDS[i % len(AREA_WORDS)]
        w.t(c, A, term(SKOS, "Concept"))
        w.t(c, LABEL, lit(f"{word} {i}"))
        w.t(c, term(SKOS, "inScheme"), TECH_AREAS)
        if i < tops:
            w.t(c, term(SKOS, "topConceptOf"), TECH_AREAS)
        else:
            w.t(c, term(SKOS, "broader"), world.concept(rnd.randrange(i)))
    for i in range(world.forums):
        f = world.forum(i)
        w.t(f, A, term(IDD, "Forum"))
        w.t(f, LABEL, lit(f"Forum {world.country_name(i + 1000)}"))
        w.t(f, term(SKOS, "exactMatch"), f"<{WD}{950000 + i}>")


def evidence(w: Writer, world: World, rnd: random.Random, subject: str, predicate: str, objects: list[str],
             source: int | None = None, past_end: bool = False) -> None:
    """One idd:Evidence record with a span inside (or, with past_end, beyond) a source document."""
    src = rnd.randrange(world.sources) if source is None else source
    length = world.source_length(src)
    start = rnd.randrange(0, length - 400)
    end = start + rnd.randint(20, 390)
    if past_end:
        end = length + 100
    e, target, selector = w.blank(), w.blank(), w.blank()
    w.t(e, A, term(IDD, "Evidence"))
    w.t(e, term(IDD, "evidenceSubject"), subject)
    w.t(e, term(IDD, "evidencePredicate"), predicate)
    for o in objects:
        w.t(e, term(IDD, "evidenceObject"), o)
    w.t(e, term(OA, "hasTarget"), target)
    w.t(target, A, term(OA, "SpecificResource"))
    w.t(target, term(OA, "hasSource"), world.source(src))
    w.t(target, term(OA, "hasSelector"), selector)
    w.t(selector, A, term(OA, "TextPositionSelector"))
    w.t(selector, term(OA, "start"), typed(start, "integer"))
    w.t(selector, term(OA, "end"), typed(end, "integer"))


def _date(rnd: random.Random, first_year: int = 2000, last_year: int = 2026) -> str:
    year = rnd.randint(first_year, last_year)
    month = rnd.randint(1, 12)
    day = rnd.randint(1, 28)
    return f"{year:04d}-{month:02d}-{day:02d}"


def write_instrument(w: Writer, world: World, rnd: random.Random, name: str, fault: str | None = None) -> None:
    """One instrument with its signing, signatures, duration, provisions, areas and evidence."""
    inst = iri(name)
    country = rnd.randrange(world.countries)
    cname = world.country_name(country)
    kind = KINDS[rnd.randrange(len(KINDS))]
    indian = rnd.randrange(world.indian_ministries)
    level = rnd.random()
    # Parties and who signs for them: (party, signatory, post, signedFor)
    if level < 0.2:  # country level: the partner country itself and the Government of India
        parties = [(world.country(country), world.person(country, 0), world.post(country, 0), world.country(country)),
                   (GOV_INDIA, world.indian_person(indian), world.indian_post(indian), GOV_INDIA)]
    else:
        j = rnd.randrange(world.ministries_per_country)
        parties = [(world.ministry(country, j), world.person(country, j), world.post(country, j),
                    world.ministry(country, j)),
                   (world.indian_ministry(indian), world.indian_person(indian), world.indian_post(indian),
                    world.indian_ministry(indian))]
        if level > 0.9:  # trilateral: a ministry of another country too
            other = (country + 1 + rnd.randrange(world.countries - 1)) % world.countries
            parties.append((world.ministry(other, 0), world.person(other, 0), world.post(other, 0),
                            world.ministry(other, 0)))
    signed = rnd.random() < 0.85
    year_label = ""
    w.t(inst, A, term(IDD, "Instrument"))
    w.t(inst, term(IDD, "instrumentKind"), term(IDD, kind))
    w.t(inst, term(IDD, "status"), term(IDD, "Signed" if signed else rnd.choice(["Planned", "Announced"])))
    for party, *_ in parties:
        w.t(inst, term(IDD, "party"), party)
    if fault == "party-not-agent":
        w.t(inst, term(IDD, "party"), world.concept(0))
    topics = sorted({rnd.randrange(world.concepts) for _ in range(rnd.randint(1, 3))})
    for t in topics:
        w.t(inst, term(DCT, "subject"), world.concept(t))
    if rnd.random() < 0.3:
        w.t(inst, term(IDD, "refersTo"), world.forum(rnd.randrange(world.forums)))
    w.t(inst, term(IDD, "legallyBinding"), typed("false", "boolean"))
    w.t(inst, term(IDD, "nodalAgency"), parties[-1][0] if parties[-1][0] != GOV_INDIA else parties[0][0])
    if signed:
        signing_date = _date(rnd)
        year_label = f" ({signing_date[:4]})"
        w.t(inst, term(IDD, "signingDate"),
            lit(signing_date, None) if fault == "date-as-string" else typed(signing_date, "date"))
        w.t(inst, term(IDD, "entryIntoForceDate"), typed(signing_date, "date"))
        duration = iri(f"{name}-duration")
        w.t(inst, term(IDD, "duration"), duration)
        years = rnd.random() < 0.8
        amount = rnd.choice([3, 5, 10]) if years else rnd.choice([18, 24, 36])
        w.t(duration, A, term(TIME, "Duration"))
        w.t(duration, LABEL, lit(f"Duration of {name}"))
        w.t(duration, term(TIME, "numericDuration"), typed(amount, "decimal"))
        w.t(duration, term(TIME, "unitType"), term(TIME, "unitYear" if years else "unitMonth"))
        signing = iri(f"{name}-signing")
        w.t(inst, term(IDD, "signing"), signing)
        w.t(signing, A, term(IDD, "Signing"))
        w.t(signing, LABEL, lit(f"Signing of {name}"))
        w.t(signing, term(IDD, "numberOfOriginals"), typed(len(parties), "integer"))
        for n, (_party, person, post, side) in enumerate(parties):
            sig = iri(f"{name}-signature-{n}")
            w.t(signing, term(IDD, "signature"), sig)
            w.t(sig, A, term(IDD, "Signature"))
            w.t(sig, term(IDD, "signatory"), person)
            w.t(sig, term(IDD, "signedAs"), post)
            w.t(sig, term(IDD, "signedFor"), side)
        evidence(w, world, rnd, inst, term(IDD, "signingDate"), [typed(signing_date, "date")],
                 past_end=fault == "span-past-end")
        evidence(w, world, rnd, duration, term(TIME, "numericDuration"), [typed(amount, "decimal")])
    w.t(inst, LABEL, lit(f"{kind} between India and {cname} {name.rsplit('-', 1)[-1]}{year_label}"))
    for p in rnd.sample(range(len(PROVISION_KINDS)), 2):
        prov = iri(f"{name}-provision-{p}")
        w.t(inst, term(IDD, "provision"), prov)
        w.t(prov, A, term(IDD, "Provision"))
        w.t(prov, LABEL, lit(f"{PROVISION_KINDS[p]} of {name}"))
        w.t(prov, term(IDD, "provisionKind"), term(IDD, PROVISION_KINDS[p]))
        w.t(prov, term(IDD, "section"), lit(str(p + 1), None))
    for a in range(2):
        area = iri(f"{name}-area-{a}")
        w.t(inst, term(IDD, "cooperationArea"), area)
        w.t(area, A, term(IDD, "CooperationArea"))
        w.t(area, LABEL, lit(f"Area {a + 1} of {name}"))
        w.t(area, term(DCT, "subject"), world.concept(rnd.randrange(world.concepts)))
        if rnd.random() < 0.2:
            w.t(area, term(IDD, "refersTo"), world.forum(rnd.randrange(world.forums)))
    evidence(w, world, rnd, inst, term(IDD, "instrumentKind"), [term(IDD, kind)])
    evidence(w, world, rnd, inst, term(IDD, "party"), [p for p, *_ in parties])
    evidence(w, world, rnd, inst, term(DCT, "subject"), [world.concept(t) for t in topics])


def write_event(w: Writer, world: World, rnd: random.Random, name: str) -> None:
    event = iri(name)
    country = rnd.randrange(world.countries)
    cls = EVENT_CLASSES[rnd.randrange(len(EVENT_CLASSES))]
    date = _date(rnd, 2010, 2026)
    w.t(event, A, term(IDD, cls))
    w.t(event, LABEL, lit(f"{cls} of India and {world.country_name(country)} on {date}"))
    w.t(event, term(IDD, "date"), typed(date, "date"))
    w.t(event, term(IDD, "location"), world.place(country))
    w.t(event, term(IDD, "participant"), INDIA)
    w.t(event, term(IDD, "participant"), world.country(country))
    w.t(event, term(IDD, "organiser"), world.ministry(country, rnd.randrange(world.ministries_per_country)))
    if rnd.random() < 0.4:
        w.t(event, term(IDD, "refersTo"), world.forum(rnd.randrange(world.forums)))
    evidence(w, world, rnd, event, term(IDD, "date"), [typed(date, "date")])


def generate(out: IO[str], target: int, seed: int = 1, anchors: bool = False) -> int:
    """Write a world of about `target` triples to `out` as N-Triples; returns the count."""
    world = World(seed, target)
    rnd = random.Random(seed)
    w = Writer(out, f"w{seed}")
    if anchors:
        write_anchors(w)
    write_pools(w, world, rnd)
    n = 0
    while w.count < target:
        if n % 5 == 4:
            write_event(w, world, rnd, f"bench-event-{n}")
        else:
            write_instrument(w, world, rnd, f"bench-instrument-{n}")
        n += 1
    w.flush()
    return w.count


FAULTS = ("date-as-string", "span-past-end", "party-not-agent")


def write_batch(out: IO[str], world: World, tag: str, target: int, faults: bool = False) -> int:
    """New instruments of about `target` triples that refer to `world`'s pools (for ingest)."""
    rnd = random.Random(f"{world.seed}-{tag}")
    w = Writer(out, f"{tag}x")
    n = 0
    while w.count < target:
        fault = FAULTS[n] if faults and n < len(FAULTS) else None
        write_instrument(w, world, rnd, f"bench-{tag}-instrument-{n}", fault=fault)
        n += 1
    w.flush()
    return w.count


def size_of(name: str) -> int:
    try:
        return SIZES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown size {name!r}: choose one of {', '.join(SIZES)}") from None


def to_file(path: Path, target: int, seed: int, anchors: bool = False) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        return generate(out, target, seed, anchors)


def lines(target: int, seed: int = 1, anchors: bool = False) -> Iterator[str]:
    """The N-Triples lines of a world, for small samples held in memory (tests)."""
    import io

    buffer = io.StringIO()
    generate(buffer, target, seed, anchors)
    yield from buffer.getvalue().splitlines()

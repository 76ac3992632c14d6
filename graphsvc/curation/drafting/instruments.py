"""Instruments: where a text names one, which it is, who its parties are, its stage and its dates.

Rules of the genre, not of any one text:
- the kind comes from the words used ("MoU", "Memorandum of Cooperation", "pact", "Road map");
  plural or generic uses ("MeitY has signed MoUs with ...") name no instrument;
- the instrument a document is about is the one in its title block ("MEMORANDUM OF COOPERATION
  BETWEEN ... AND ... ON ...") or its headline ("Cabinet approves MoU between ..."); "this MoU",
  "the MoC" refer back to it, or to the last instrument of the same kind;
- an instrument named with its own signing and date ("pursuant to the MoC ... signed by A and B
  on 20 July 2023") is another instrument, which the document's builds on;
- parties are the organisations "between A and B", "signed by A and B", the subject pair of
  "A and B are expected to finalise an agreement", "the two sides" of a news item, or the
  countries of a compound name ("Indo-French"); a ministry's country is not added beside it;
- a stage comes from the verbs in the name's clause (signed, approved the signing, likely to
  sign, announced), a date from a date in that clause, typed as precisely as the text allows;
- a mention with nothing of this (no stage, party or date) is not proposed at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphsvc.curation.drafting.candidates import IDD, NewThing, literal, node
from graphsvc.curation.drafting.dates import DATE, DateMention
from graphsvc.curation.drafting.gazetteer import COUNTRY, DEMONYM, Mention
from graphsvc.curation.drafting.knowledge import KG, slug
from graphsvc.curation.drafting.lexicon import (ABBREVIATION, APPROVED, DATE_PROPERTY_FOR_STATUS, INITIATIVE_WORD,
                                                KIND_WORDS, PAIR_ANAPHORS, PLURAL_KIND_WORDS, SIGNED,
                                                STATUS_WORDS)
from graphsvc.curation.drafting.reading import AGENT_CATEGORIES, Reading, find_phrases, normalise_space

BUILDS_ON_CUES = [("pursuant", "to"), ("based", "on"), ("in", "continuation", "of"), ("building", "on"),
                  ("builds", "on"), ("under", "the", "framework", "of")]
PARTY_LEADS = {"between", "by"}
PARTY_STOPS = {"on", "in", "for", "to", "regarding", "concerning", "which", "that", "hereinafter", "who", "with",
               "at", "during", "under", ".", ";", ":"}
PARTY_CONNECTORS = {"and", ",", "the", "(", ")", "&", "**", "\"", "“", "”"}
KIND_LABEL = {IDD + "MemorandumOfUnderstanding": "Memorandum of Understanding",
              IDD + "MemorandumOfCooperation": "Memorandum of Cooperation",
              IDD + "JointDeclarationOfIntent": "Joint Declaration of Intent", IDD + "Roadmap": "Roadmap",
              IDD + "Agreement": "agreement", IDD + "StrategicPartnership": "Strategic Partnership",
              IDD + "FreeTradeAgreement": "Free Trade Agreement", IDD + "Initiative": "Initiative",
              IDD + "MinisterialDeclaration": "ministerial declaration", IDD + "Declaration": "joint declaration",
              IDD + "Communique": "joint communiqué",
              IDD + "IndustrialPromotionAgreement": "industrial promotion agreement"}


@dataclass
class KindMention:
    """A place where the text names an instrument kind."""

    first: int
    last: int
    kind: str
    confidence: float
    plural: bool
    determiner: str | None = None
    name: tuple[int, int] | None = None  # tokens of the instrument's own name, where it has one
    in_title: bool = False
    headline: bool = False
    quoted: bool = False
    generic: bool = False


@dataclass
class Status:
    value: str
    first: int
    last: int
    confidence: float


@dataclass
class Instrument:
    """An instrument the text speaks of, gathered from its mentions."""

    kind: str
    mentions: list[KindMention] = field(default_factory=list)
    main: bool = False
    iri: str = ""
    name: tuple[int, int] | None = None
    topic: tuple[int, int] | None = None
    parties: dict[str, tuple[tuple[int, int], tuple[int, int], str, str | None]] = field(default_factory=dict)
    status: tuple[Status, KindMention] | None = None
    dates: list[tuple[str, DateMention, KindMention, Status | None]] = field(default_factory=list)
    builds_on: list[tuple["Instrument", KindMention, int]] = field(default_factory=list)
    approved_by: list[tuple[str, Mention, KindMention]] = field(default_factory=list)

    @property
    def anchored(self) -> bool:
        return self.main or bool(self.status or self.parties or self.dates)


# ----------------------------------------------------------------------------- finding kind names

def _kind_mentions(reading: Reading) -> list[KindMention]:
    doc = reading.doc
    phrases = [words for words, _, _ in KIND_WORDS]
    found: list[KindMention] = []
    taken: set[int] = set()
    for index, first, last in sorted(find_phrases(reading, "kinds", phrases), key=lambda m: (m[1], -(m[2] - m[1]))):
        if any(i in taken for i in range(first, last)):
            continue
        words, kind, confidence = KIND_WORDS[index]
        held = reading.mention_at(first)
        if held is not None and held.last >= last and (held.first < first or held.last > last) \
                and "instrument" not in held.categories:
            continue  # part of another name, such as "Free Trade Agreement" inside a programme's name
        taken.update(range(first, last))
        plural = any(w in PLURAL_KIND_WORDS for w in words) or doc[last - 1].lower_.endswith("s") and words[-1] != "mous"
        found.append(KindMention(first, last, kind, confidence, plural or words[-1] in PLURAL_KIND_WORDS))
    for token in doc:
        if token.lower_ == INITIATIVE_WORD and token.is_title and token.i not in taken:
            found.append(KindMention(token.i, token.i + 1, IDD + "Initiative", 0.7, False))
    found.sort(key=lambda m: m.first)
    for mention in found:
        _describe(reading, mention)
    return [m for m in found if not m.plural and not m.generic and not _is_abbreviation_of_previous(reading, m, found)
            and not (m.kind == IDD + "Initiative" and m.name is None)]


def _is_abbreviation_of_previous(reading: Reading, mention: KindMention, found: list[KindMention]) -> bool:
    """"(MoU)" right after "Memorandum of Understanding(s)": the same name again, not another instrument."""
    doc = reading.doc
    if mention.first == 0 or doc[mention.first - 1].text != "(":
        return False
    return any(other.last in (mention.first - 1, mention.first - 2) for other in found if other is not mention) \
        or any(m.last == mention.first - 1 for m in reading.mentions)


def _describe(reading: Reading, mention: KindMention) -> None:
    """The determiner before a kind name, the instrument's own name around it, title or headline."""
    doc = reading.doc
    i = mention.first - 1
    while i >= 0 and doc[i].text in {"\"", "“", "”", "'", "**", "*"}:
        i -= 1
    name_first = mention.first
    while i >= 0:
        token = doc[i]
        if token.lower_ in {"the", "this", "a", "an", "and", "of", "that", "such"}:
            break
        if token.is_title or token.is_upper and token.is_alpha or token.text == "-" or token.like_num:
            name_first = i
            i -= 1
            if token.is_sent_start:
                break
            continue
        break
    if i >= 0:
        mention.determiner = doc[i].lower_ if doc[i].lower_ in {"the", "this", "a", "an", "such", "that"} else None
        if doc[i].text in {"'s", "’s"}:
            mention.determiner = "the"
    quoted = mention.first > 0 and doc[mention.first - 1].text in {"\"", "“"}
    if name_first < mention.first and _has_proper_modifier(reading, name_first, mention.first):
        mention.name = (name_first, _name_end(reading, mention.last))
    mention.quoted = quoted
    title = title_block(reading)
    if title is not None and title.first_token <= mention.first < title.last_token:
        mention.in_title = True
    headline = reading.document.lines[0] if reading.document.lines else None
    if headline is not None and headline.first_token <= mention.first < headline.last_token \
            and doc[headline.last_token - 1].text != ".":
        mention.headline = True
    after = doc[mention.last].text if mention.last < len(doc) else ""
    before = doc[mention.first - 1].text if mention.first > 0 else ""
    if "/" in (after, before) or after == ":" and doc[mention.first]._.line_start:
        mention.generic = True  # "MoUs/ MoCs/ JDIs", or a glossary heading "Ministerial Declaration: ..."


def title_block(reading: Reading):  # type: ignore[no-untyped-def]
    """The first paragraph when it is made of heading lines only ("MEMORANDUM OF COOPERATION / BETWEEN ...")."""
    paragraphs = reading.document.paragraphs
    if not paragraphs:
        return None
    first = paragraphs[0]
    lines = [line for line in reading.document.lines if first.first_token <= line.first_token < first.last_token]
    doc = reading.doc
    if len(lines) < 2 or any(line.last_token - line.first_token > 14 or doc[line.last_token - 1].text == "."
                             for line in lines):
        return None
    return first


def _is_country_word(reading: Reading, i: int) -> bool:
    held = reading.mention_at(i)
    return held is not None and bool(held.categories & {COUNTRY, DEMONYM})


def _has_proper_modifier(reading: Reading, first: int, last: int) -> bool:
    """A name's modifiers include a country ("Indo-French", "India-Japan") or a capitalised proper word."""
    doc = reading.doc
    if any(_is_country_word(reading, i) for i in range(first, last)):
        return True
    return any(doc[i].is_title and not doc[i].is_sent_start for i in range(first, last))


def _name_end(reading: Reading, last: int) -> int:
    """Where a named instrument's name ends: "Road map on Cyber security and Digital Technology"."""
    doc = reading.doc
    if last < len(doc) and doc[last].lower_ in {"on", "for"} and last + 1 < len(doc) and (
            doc[last + 1].is_title or doc[last + 1].is_upper):
        j = last + 1
        end = last
        while j < len(doc):
            token = doc[j]
            inside = reading.mention_at(j)
            if token.is_title or token.is_upper and token.is_alpha or token.like_num or inside is not None \
                    and "concept" in inside.categories:
                end = j + 1
                j += 1
            elif token.lower_ in {"and", "of", "&", "-"}:
                j += 1
            else:
                break
        return end
    return last


# ----------------------------------------------------------------------------- grouping mentions

def _status_near(reading: Reading, mention: KindMention) -> Status | None:
    first, last = reading.clause(mention.first, mention.last)
    phrases = [words for words, _, _ in STATUS_WORDS]
    best: tuple[int, Status] | None = None
    for index, a, b in find_phrases(reading, "statuses", phrases, first, last):
        _, value, confidence = STATUS_WORDS[index]
        distance = min(abs(a - mention.last), abs(mention.first - b))
        if distance > 25:
            continue
        candidate = Status(value, a, b, confidence - 0.01 * distance)
        if best is None or (candidate.confidence, -distance) > (best[1].confidence, -best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def _dates_near(reading: Reading, mention: KindMention, status: Status | None) -> list[DateMention]:
    first, last = reading.clause(mention.first, mention.last)
    if status is None:
        return []
    found = []
    for date in reading.dates_in(first, last):
        gap_from_status = date.first - status.last
        if -3 <= gap_from_status <= 25 or (date.last <= status.first and status.first - date.last <= 12):
            found.append(date)
    return found[:1]


def _builds_on_cue(reading: Reading, mention: KindMention) -> int | None:
    first = max(0, mention.first - 5)
    for index, a, b in find_phrases(reading, "builds-on", BUILDS_ON_CUES, first, mention.first):
        return a
    return None


def group_instruments(reading: Reading) -> list[Instrument]:
    """The instruments of the text, each with all the mentions that refer to it."""
    instruments: list[Instrument] = []
    main: Instrument | None = None
    for mention in _kind_mentions(reading):
        status = _status_near(reading, mention)
        own_dates = _dates_near(reading, mention, status)
        cue = _builds_on_cue(reading, mention)
        target: Instrument | None = None
        named = _name_key(reading, mention)
        if named:
            target = next((i for i in instruments if _name_key(reading, i.mentions[0]) == named), None)
        elif mention.in_title and main is None or mention.headline and main is None and mention.determiner != "a":
            target = None
        elif mention.determiner in {"a", "an"} and not _restates_headline(main, mention, instruments):
            target = None
        elif mention.determiner in {"a", "an"}:
            target = main
        else:
            same_kind = [i for i in instruments if i.kind == mention.kind]
            antecedent = main if main is not None and main.kind == mention.kind else (same_kind[-1] if same_kind else None)
            distinct = own_dates and antecedent is not None and any(
                d[1].lexical != own_dates[0].lexical for d in antecedent.dates) or (cue is not None and own_dates)
            target = None if distinct else antecedent
        if target is None:
            target = Instrument(mention.kind)
            target.name = mention.name
            instruments.append(target)
            if main is None and (mention.in_title or mention.headline):
                target.main = True
                main = target
            if cue is not None and main is not None and target is not main:
                main.builds_on.append((target, mention, cue))
        target.mentions.append(mention)
        if status is not None and (target.status is None or status.confidence > target.status[0].confidence):
            target.status = (status, mention)
        for date in own_dates:
            prop = _date_property(status, date, reading)
            if prop:
                target.dates.append((prop, date, mention, status))
    return instruments


def _restates_headline(main: Instrument | None, mention: KindMention, instruments: list[Instrument]) -> bool:
    """A press note's first sentence restates its headline: "approved the signing of a MoU between ..."."""
    return (main is not None and main.kind == mention.kind and main.mentions[0].headline and len(main.mentions) == 1
            and not main.mentions[0].in_title and instruments[-1] is main)


def _name_key(reading: Reading, mention: KindMention) -> str | None:
    if mention.name is None:
        return None
    return slug(reading.text_of(*mention.name))


def _date_property(status: Status | None, date: DateMention, reading: Reading) -> str | None:
    """Which date a stage makes of a date: signed with a full date is the signing date; "entered
    into" gives the announcement (entry) date; a signing with only part of a date is a plain date."""
    if status is None:
        return None
    if status.value == SIGNED:
        entered = "entered" in reading.lower(status.first, status.last)
        if entered:
            return IDD + "announcementDate"
        return IDD + "signingDate" if date.datatype == DATE else IDD + "date"
    return DATE_PROPERTY_FOR_STATUS.get(status.value)


# ----------------------------------------------------------------------------- parties

def principal_pair(reading: Reading) -> tuple[list[Mention], tuple[int, int]] | None:
    """The two countries a news item is about: those of its headline, else of its first sentence naming two."""
    for sentence in reading.document.sentences[:4]:
        countries: dict[str, Mention] = {}
        for mention in reading.mentions_in(sentence.first_token, sentence.last_token):
            iri = reading.country(mention)
            if iri and mention.of(DEMONYM) is None or iri and "-" in mention.text:
                countries.setdefault(iri, mention)
        if len(countries) == 2:
            return list(countries.values()), (sentence.start, sentence.end)
    return None


def _parties_between(reading: Reading, first: int, last: int) -> list[Mention]:
    """Agents after "between"/"by" up to the end of the list ("A (METI) and B, Government of X")."""
    doc = reading.doc
    for i in range(first, last):
        if doc[i].lower_ not in PARTY_LEADS:
            continue
        found: list[Mention] = []
        j = i + 1
        while j < last:
            mention = reading.mention_at(j)
            if mention is not None and mention.first == j and mention.categories & AGENT_CATEGORIES:
                found.append(mention)
                j = mention.last
                continue
            if doc[j].lower_ in PARTY_CONNECTORS or doc[j].is_punct and doc[j].text not in {".", ";", ":"}:
                j += 1
                continue
            if doc[j].is_upper and j + 1 < last and doc[j + 1].text == ")":  # an abbreviation in brackets
                j += 1
                continue
            break
        if len(found) >= 2:
            return found
    return []


def _parties_before(reading: Reading, sentence_first: int, mention_first: int) -> list[Mention]:
    """The pair that is the subject of the clause: "India and France are expected to finalise an agreement"."""
    doc = reading.doc
    found: list[Mention] = []
    j = sentence_first
    while j < mention_first:
        mention = reading.mention_at(j)
        if mention is not None and mention.first == j and mention.categories & AGENT_CATEGORIES:
            found.append(mention)
            j = mention.last
            continue
        if doc[j].lower_ in {"and", ",", "the", "both"}:
            j += 1
            continue
        break
    return found if len(found) >= 2 else []


def _drop_appositions(reading: Reading, mentions: list[Mention]) -> list[Mention]:
    """"Ministry ..., Government of India": the government is the ministry's, not another party."""
    kept: list[Mention] = []
    for mention in mentions:
        iri = reading.agent(mention)
        if iri is None:
            continue
        if kept and any(_is_above(reading, iri, reading.agent(k)) for k in kept) and \
                reading.doc[mention.first - 1].text == ",":
            continue
        if any(reading.agent(k) == iri for k in kept):
            continue
        kept.append(mention)
    return kept


def _is_above(reading: Reading, upper: str, lower: str | None) -> bool:
    if lower is None:
        return False
    frontier, seen = [lower], set()
    while frontier:
        current = frontier.pop()
        if current in seen:
            continue
        seen.add(current)
        parents = set(reading.knowledge.parent.get(current, ()))
        if current in reading.knowledge.government_of:
            parents.add(reading.knowledge.government_of[current])
        if upper in parents:
            return True
        frontier.extend(parents)
    country = reading.country_of(lower)
    return country == upper or reading.knowledge.government_for(upper or "") == lower


def find_parties(reading: Reading, instrument: Instrument) -> None:
    """Fill in the parties of an instrument from each of its mentions' clauses."""
    pair = principal_pair(reading)
    for mention in instrument.mentions:
        sentence = reading.document.paragraph_of(mention.first) if mention.in_title else reading.sentence(mention.first)
        clause_first, clause_last = (sentence.first_token, sentence.last_token) if mention.in_title else \
            reading.clause(mention.first, mention.last)
        between = _drop_appositions(reading, _parties_between(reading, mention.last, clause_last))
        rule = "parties/between"
        if not between:
            between = _drop_appositions(reading, _parties_before(reading, clause_first, mention.first))
            rule = "parties/subject-pair"
        span = reading.chars(clause_first, clause_last)
        for party in between:
            iri = reading.agent(party)
            if iri:
                instrument.parties.setdefault(iri, (span, (party.start, party.end), rule, None))
                instrument.parties[iri] = min(instrument.parties[iri], (span, (party.start, party.end), rule, None),
                                              key=lambda p: 0 if p[2] == "parties/between" else 1)
        if between:
            continue
        anaphor = find_phrases(reading, "pair-anaphors", PAIR_ANAPHORS, clause_first, clause_last)
        if anaphor and pair is not None:
            a, b = anaphor[0][1], anaphor[0][2]
            said = reading.text_of(a, b)
            where = reading.chars(*reading.clause(mention.first, mention.last))
            for country in pair[0]:
                iri = reading.country(country)
                if iri:
                    reasoning = (f"'{said}' in the sentence on the instrument ({reading.document.text[where[0]:where[1]][:120]}"
                                 f"...) are the two countries this span names.")
                    instrument.parties.setdefault(iri, (pair[1], (country.start, country.end), "parties/two-sides",
                                                        reasoning))
    if not instrument.parties and instrument.name is not None:
        for mention in reading.mentions_in(*instrument.name):
            iri = reading.country(mention)
            if iri:
                span = reading.chars(*instrument.name)
                reasoning = f"The instrument's name ('{reading.text_of(*instrument.name)}') names the countries it joins."
                instrument.parties.setdefault(iri, (span, (mention.start, mention.end), "parties/name", reasoning))
    _drop_subsumed_countries(reading, instrument)


def _drop_subsumed_countries(reading: Reading, instrument: Instrument) -> None:
    """Where a ministry of a country is a party, the country itself is not listed beside it."""
    organisations = [iri for iri in instrument.parties if reading.knowledge.country_by_iri(iri) is None]
    for iri in list(instrument.parties):
        if reading.knowledge.country_by_iri(iri) is not None and any(
                reading.country_of(o) == iri for o in organisations):
            del instrument.parties[iri]


# ----------------------------------------------------------------------------- naming

def name_instruments(reading: Reading, instruments: list[Instrument]) -> None:
    """IRIs and labels in the project's style: countries, topic or name, and the kind's short name."""
    used: set[str] = set()
    for instrument in instruments:
        known = _known_instrument(reading, instrument)
        countries = _party_countries(reading, instrument)
        prefix = "-".join(slug(reading.knowledge.label(c)) for c in countries)
        topic = _topic_text(reading, instrument)
        abbreviation = ABBREVIATION.get(instrument.kind, "instrument")
        kind_label = KIND_LABEL.get(instrument.kind, "instrument")
        topic_slug = slug(topic) if topic else _clause_concepts_slug(reading, instrument)
        if instrument.name is not None:
            label = normalise_space(reading.text_of(*instrument.name))
            local = slug(label)
        elif instrument.mentions[0].in_title:
            label = f"{kind_label[0].upper()}{kind_label[1:]}" + (f" on {topic}" if topic else "")
            local = slug(" ".join(x for x in [prefix if not topic_slug.startswith(prefix) else "", topic_slug,
                                              abbreviation] if x))
        else:
            countries_label = "-".join(reading.knowledge.label(c) for c in countries)
            label = " ".join(x for x in [countries_label, kind_label, f"on {topic}" if topic else ""] if x)
            label = label[0].upper() + label[1:]
            local = slug(" ".join(x for x in [prefix if not topic_slug.startswith(prefix) else "", topic_slug,
                                              abbreviation] if x))
        base, n = local or "instrument", 2
        local = base
        while local in used or (KG + local) in reading.knowledge.things and not known:
            local, n = f"{base}-{n}", n + 1
        used.add(local)
        instrument.iri = known or KG + local
        if not known:
            reading.draft.propose(NewThing(instrument.iri, {IDD + "Instrument"}, label))


def _clause_concepts_slug(reading: Reading, instrument: Instrument) -> str:
    mention = instrument.mentions[0]
    first, last = reading.clause(mention.first, mention.last)
    concepts = [m for m in reading.mentions_in(mention.last, last, {"concept"})]
    return "-".join(slug(reading.knowledge.label(m.of("concept").iri)) for m in concepts[:2])  # type: ignore[union-attr]


def _known_instrument(reading: Reading, instrument: Instrument) -> str | None:
    if instrument.name is None:
        return None
    for mention in reading.mentions_in(*instrument.name, {"instrument"}):
        entry = mention.of("instrument")
        if entry and mention.first <= instrument.name[0] + 1:
            return entry.iri
    return None


def _party_countries(reading: Reading, instrument: Instrument) -> list[str]:
    countries: list[str] = []
    for iri in instrument.parties:
        country = reading.country_of(iri) or iri
        if reading.knowledge.country_by_iri(country) is not None and country not in countries:
            countries.append(country)
    india = KG + "india"
    return sorted(countries, key=lambda c: (c != india and reading.knowledge.country_by_iri(c).code != "IN",  # type: ignore[union-attr]
                                            countries.index(c)))


TOPIC_LEADS = [("on", "cooperation", "in", "the", "field", "of"), ("on", "cooperation", "in", "the", "fields", "of"),
               ("on", "cooperation", "in"), ("on", "cooperation", "on"), ("in", "the", "field", "of"),
               ("in", "the", "fields", "of"), ("to", "strengthen"), ("for", "cooperation", "in"), ("on",),
               ("regarding",), ("concerning",)]
TOPIC_STOPS = {"signed", "announced", "which", "that", "will", "is", "was", "has", "have", "between", "by", "when",
               "concluded", "between", "approved", "hereinafter", "made"}
SKIPPED_BEFORE_TOPIC = {"between", "and", ",", "the", "(", ")", "**", "\"", "“", "”"}


def _topic_tokens(reading: Reading, instrument: Instrument) -> tuple[int, int] | None:
    """The words after "on", "to strengthen" or "in the field of" that follow the name and its
    parties: what the instrument is about."""
    doc = reading.doc
    for mention in instrument.mentions:
        segment = reading.document.paragraph_of(mention.first) if mention.in_title else reading.sentence(mention.first)
        limit = segment.last_token
        j = instrument.name[1] if instrument.name and mention is instrument.mentions[0] else mention.last
        while j < limit:
            held = reading.mention_at(j)
            if held is not None and held.first == j and held.categories & AGENT_CATEGORIES:
                j = held.last
            elif doc[j].lower_ in SKIPPED_BEFORE_TOPIC or doc[j].is_upper and j + 1 < limit and doc[j + 1].text == ")":
                j += 1
            else:
                break
        for lead in TOPIC_LEADS:
            if tuple(reading.lower(j, j + len(lead))) == lead:
                start = end = j + len(lead)
                while end < limit and (not doc[end].is_punct or doc[end].text in {"-", "&", "/"}) \
                        and doc[end].lower_ not in TOPIC_STOPS:
                    end += 1
                if end > start:
                    return start, end
                break
    return None


def _topic_text(reading: Reading, instrument: Instrument) -> str | None:
    tokens = _topic_tokens(reading, instrument)
    instrument.topic = tokens
    if tokens is None:
        return None
    text = normalise_space(reading.text_of(*tokens))
    return _smart_title(reading, tokens) if text.isupper() else text


def _smart_title(reading: Reading, tokens: tuple[int, int]) -> str:
    """Upper-case title words in their usual case: known names as the graph writes them."""
    doc = reading.doc
    words: list[str] = []
    for token in doc[tokens[0]:tokens[1]]:
        mention = reading.mention_at(token.i)
        if mention is not None and mention.of(COUNTRY):
            country = reading.knowledge.country_by_iri(mention.of(COUNTRY).iri)  # type: ignore[union-attr]
            word = country.name if country and country.name.upper() == token.text else token.text.capitalize()
        elif token.is_alpha:
            word = token.text.capitalize()
        else:
            word = token.text
        words.append(word + token.whitespace_)
    return "".join(words).strip()


# ----------------------------------------------------------------------------- candidates

def add_instrument_candidates(reading: Reading, instrument: Instrument) -> None:
    """The kind, stage, parties, dates, approval and earlier instruments of one instrument."""
    subject = instrument.iri
    first = instrument.mentions[0]
    kind_sentence = _evidence_span(reading, first)
    reading.add(subject, IDD + "instrumentKind", node(instrument.kind), kind_sentence,
                reading.chars(first.first, first.last), first.confidence, "instrument/kind-word")
    if instrument.status is not None:
        status, mention = instrument.status
        span = _evidence_span(reading, mention)
        cue = reading.chars(status.first, status.last)
        reading.add(subject, IDD + "status", node(status.value), span, cue, status.confidence, "instrument/status-verb")
    for iri, (span, cue, rule, reasoning) in instrument.parties.items():
        confidence = {"parties/between": 0.9, "parties/subject-pair": 0.8, "parties/two-sides": 0.7}.get(rule, 0.6)
        reading.add(subject, IDD + "party", node(iri), span, cue, confidence, rule, reasoning)
    for prop, date, mention, status in instrument.dates:
        span = _evidence_span(reading, mention)
        reading.add(subject, prop, literal(date.lexical, date.datatype), span, (date.start, date.end), 0.85,
                    "instrument/date-of-stage", date.reasoning)
    for earlier, mention, cue_token in instrument.builds_on:
        span = _evidence_span(reading, mention)
        reading.add(subject, IDD + "buildsOn", node(earlier.iri), span,
                    reading.chars(cue_token, mention.last), 0.7, "instrument/pursuant-to",
                    "The text says this instrument is pursuant to, or based on, the earlier one it names here.")


def _evidence_span(reading: Reading, mention: KindMention) -> tuple[int, int]:
    if mention.in_title:
        paragraph = reading.document.paragraph_of(mention.first)
        return paragraph.start, paragraph.end
    sentence = reading.sentence(mention.first)
    return sentence.start, sentence.end


def add_approval(reading: Reading, instrument: Instrument) -> None:
    """"The Union Cabinet ... has approved the signing of the MoU": the approving body."""
    if instrument.status is None or instrument.status[0].value not in (APPROVED, SIGNED):
        return
    status, mention = instrument.status
    if status.value == SIGNED and "approval" not in reading.text_of(status.first, status.last).lower():
        return
    sentence = reading.sentence(status.first)
    for body in reading.mentions_in(sentence.first_token, status.first, {"agent"}):
        iri = reading.agent(body)
        thing = reading.knowledge.things.get(iri or "")
        if iri and thing is not None and thing.is_a("GovernmentBody") and "cabinet" in body.text.lower():
            reading.add(instrument.iri, IDD + "approvedBy", node(iri), (sentence.start, sentence.end),
                        (body.start, body.end), 0.85, "instrument/approved-by")


__all__ = ["Instrument", "group_instruments", "find_parties", "name_instruments", "add_instrument_candidates",
           "add_approval"]

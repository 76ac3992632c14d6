"""Organisations the graph does not know yet: "the Ministry of Digital Affairs of the Republic of Poland".

A name is an organisation's head word ("Ministry", "Department", "Agency", ...) followed by
"of" or "for" and capitalised words, and, where the text says so, the country it belongs to: "of
<country>", ", Government of <country>", or a demonym or possessive before it ("the Polish
Ministry of ...", "Poland's Ministry of ..."). It becomes a new organisation under the project's
naming style, and a mention that the other rules treat like any name the graph knows.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.curation.drafting.candidates import NewThing
from graphsvc.curation.drafting.document import Document
from graphsvc.curation.drafting.gazetteer import COUNTRY, DEMONYM, Entry, Mention
from graphsvc.curation.drafting.knowledge import KG, Knowledge, slug
from graphsvc.curation.drafting.lexicon import ORGANISATION_HEADS


@dataclass(frozen=True)
class NewOrganisation:
    """A proposed organisation: its mention, the thing, and the country the text ties it to."""

    mention: Mention
    thing: NewThing
    country: str | None
    country_start: int | None  # token where the country is named
    country_end: int | None


def _country_entry(mention: Mention | None) -> Entry | None:
    if mention is None:
        return None
    return mention.of(COUNTRY) or mention.of(DEMONYM)


def find_new_organisations(document: Document, mentions: list[Mention], knowledge: Knowledge) -> list[NewOrganisation]:
    """New organisations named in the text, outside every name the graph already knows."""
    doc = document.doc
    by_token = {i: m for m in mentions for i in range(m.first, m.last)}
    found: list[NewOrganisation] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        head = ORGANISATION_HEADS.get(token.lower_)
        held = by_token.get(i)
        if head is None or not (token.is_title or token.is_upper) or (held is not None and held.of(COUNTRY) is None
                                                    and held.of(DEMONYM) is None):
            i += 1
            continue
        if i + 1 >= len(doc) or doc[i + 1].lower_ not in {"of", "for"}:
            i += 1
            continue
        j = i + 2
        last_word = i + 1
        country_mention: Mention | None = None
        while j < len(doc):
            word = doc[j]
            mention = by_token.get(j)
            if word.lower_ in {"of", ","} and j + 1 < len(doc):
                k = j + 1
                if doc[k].lower_ == "the":
                    k += 1
                if k + 1 < len(doc) and doc[k].lower_ == "government" and doc[k + 1].lower_ == "of":
                    k += 2
                following = by_token.get(k)
                if _country_entry(following) is not None and following.first == k:
                    country_mention = following
                    break
            if mention is not None and mention.first == j and _country_entry(mention) is None \
                    and mention.categories & {"agent", "post"}:
                break  # another organisation's or post's name begins: this organisation's name has ended
            if word.is_title or word.is_upper and len(word) > 1 or word.lower_ in {"and", "&", ",", "of", "for"}:
                if word.is_alpha and (word.is_title or word.is_upper):
                    last_word = j
                j += 1
                continue
            break
        if last_word <= i + 1:
            i += 1
            continue
        first = i
        prefix_country: Mention | None = None
        before = by_token.get(i - 1)
        if before is not None and before.last == i and before.of(DEMONYM) is not None:
            prefix_country, first = before, before.first
        elif i >= 2 and doc[i - 1].text in {"'s", "’s"}:
            owner = by_token.get(i - 2)
            if owner is not None and owner.of(COUNTRY) is not None:
                prefix_country, first = owner, owner.first
        name_first, name_last = i, last_word + 1
        full_last = country_mention.last if country_mention is not None else name_last
        start, end = document.char_span(first, full_last)
        name = document.text[document.offsets[name_first][0]:document.offsets[name_last - 1][1]]
        name = " ".join(name.split())
        country_source = country_mention or prefix_country
        entry = _country_entry(country_source)
        country_iri = entry.iri if entry else None
        country = knowledge.country_by_iri(country_iri) if country_iri else None
        demonym = country.demonyms[0] if country and country.demonyms else (country.name if country else "")
        local = slug(f"{demonym} {name}") if demonym else slug(name)
        full = " ".join(document.text[start:end].split())
        thing = NewThing(KG + local, {head}, name, {full} - {name})
        mention = Mention(first, full_last, start, end, document.text[start:end], (Entry(thing.iri, "agent", False),))
        found.append(NewOrganisation(mention, thing, country_iri,
                                     country_source.first if country_source else None,
                                     country_source.last if country_source else None))
        i = full_last
    return _same_names_same_organisation(found)


def _same_names_same_organisation(found: list[NewOrganisation]) -> list[NewOrganisation]:
    """"For the Ministry of X" in a signature block is the "Ministry of X of <country>" named before."""
    with_country = {o.thing.label.casefold(): o for o in found if o.country is not None}
    merged = []
    for organisation in found:
        earlier = with_country.get(organisation.thing.label.casefold())
        if organisation.country is None and earlier is not None:
            mention = Mention(organisation.mention.first, organisation.mention.last, organisation.mention.start,
                              organisation.mention.end, organisation.mention.text, earlier.mention.entries)
            organisation = NewOrganisation(mention, earlier.thing, None, None, None)
        merged.append(organisation)
    return merged


def merge_mentions(mentions: list[Mention], new: list[NewOrganisation]) -> list[Mention]:
    """The mentions with each new organisation's name replacing the names inside it."""
    taken = {i for organisation in new for i in range(organisation.mention.first, organisation.mention.last)}
    kept = [m for m in mentions if not any(i in taken for i in range(m.first, m.last))]
    return sorted(kept + [o.mention for o in new], key=lambda m: m.first)

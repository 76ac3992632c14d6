"""Signings and signatures: "Signed on ... in two originals in English", "For the Ministry of ...", names and posts.

Genre rules for instrument texts and press notes:
- a line that opens with "Signed" or "Done" and gives a date is the signing of the document's
  instrument: its date, the number of originals ("in two originals", "in duplicate") and their
  languages (any language pycountry knows by name);
- the signature block pairs each "For <organisation>" line, in order, with the name and post
  printed under it (a name the graph knows, or two to four capitalised words on a line of their own);
- in prose, "signed by <name>, <post>, and <name>, <post>" gives the signatories and their posts,
  and each signed for the organisation the post is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graphsvc.curation.drafting.candidates import IDD, XSD, NewThing, literal, node
from graphsvc.curation.drafting.clauses import label_of
from graphsvc.curation.drafting.dates import DATE
from graphsvc.curation.drafting.document import Segment
from graphsvc.curation.drafting.gazetteer import Mention
from graphsvc.curation.drafting.instruments import Instrument
from graphsvc.curation.drafting.knowledge import KG, local_name, slug
from graphsvc.curation.drafting.lexicon import HONORIFICS, POST_HEADS, SIGNED
from graphsvc.curation.drafting.quantities import WORD_VALUES
from graphsvc.curation.drafting.reading import AGENT_CATEGORIES, Reading, normalise_space

ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
MINTED = "The node is minted to stand for the signing or signature that the span reports."


@lru_cache(maxsize=1)
def language_codes() -> dict[str, str]:
    """English language names ("english", "hindi") to their two-letter codes, from pycountry."""
    import pycountry

    return {lang.name.lower(): lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")}


@dataclass
class Signatory:
    person: str
    person_span: tuple[int, int]
    post: str | None
    post_span: tuple[int, int] | None
    block: tuple[int, int]


def add_signing(reading: Reading, main: Instrument | None) -> None:
    """The signing line of the document's instrument, before its clauses are read (for their dates)."""
    if main is not None:
        _signing_line(reading, main)


def add_signatures(reading: Reading, main: Instrument | None) -> None:
    if main is None:
        return
    signing = f"{main.iri}-signing" if f"{main.iri}-signing" in reading.draft.new_things else None
    fors = _for_lines(reading)
    people = _signatory_blocks(reading, fors)
    if not people:
        people, fors = _signed_by(reading, main)
    if not people:
        return
    signing_iri = signing or _signing_node(reading, main, people[0].block, people[0].person_span)
    for index, signatory in enumerate(people):
        organisation = fors[index] if index < len(fors) else None
        if organisation is not None and not organisation[0]:
            organisation = None  # the text does not say whom the signatory signed for
        if signatory.person:
            _signature(reading, main, signing_iri, signatory, organisation)


def _signing_node(reading: Reading, main: Instrument, span: tuple[int, int], cue: tuple[int, int]) -> str:
    iri = f"{main.iri}-signing"
    reading.draft.propose(NewThing(iri, {IDD + "Signing"}, f"Signing of the {label_of(reading, main.iri)}"))
    reading.add(main.iri, IDD + "signing", node(iri), span, cue, 0.8, "signatures/signing", MINTED)
    return iri


def _signing_line(reading: Reading, main: Instrument) -> str | None:
    """"Signed on the 25th day of August 2025 in two originals in English."""
    doc = reading.doc
    for sentence in reading.document.sentences:
        first = sentence.first_token
        while first < sentence.last_token and doc[first].text in {"*", "**"}:
            first += 1
        if doc[first].lower_ not in {"signed", "done"}:
            continue
        dates = reading.dates_in(first, sentence.last_token)
        if not dates:
            continue
        span = (sentence.start, sentence.end)
        cue = reading.chars(first, first + 1)
        iri = _signing_node(reading, main, span, cue)
        date = dates[0]
        reading.add(main.iri, IDD + "status", node(SIGNED), span, cue, 0.9, "signatures/signed-line")
        prop = IDD + "signingDate" if date.datatype == DATE else IDD + "date"
        reading.add(main.iri, prop, literal(date.lexical, date.datatype), span, (date.start, date.end), 0.9,
                    "signatures/signed-line-date", date.reasoning)
        words = reading.lower(first, sentence.last_token)
        for i, word in enumerate(words):
            if word in {"originals", "copies"} and i > 0 and words[i - 1] in WORD_VALUES | {str(n): n for n in range(1, 10)}:
                count = WORD_VALUES.get(words[i - 1]) or int(words[i - 1])
                reading.add(iri, IDD + "numberOfOriginals", literal(str(count), XSD + "integer"), span,
                            reading.chars(first + i - 1, first + i + 1), 0.85, "signatures/originals")
            if word == "duplicate":
                reading.add(iri, IDD + "numberOfOriginals", literal("2", XSD + "integer"), span,
                            reading.chars(first + i, first + i + 1), 0.7, "signatures/in-duplicate",
                            "'In duplicate' means in two originals.")
            code = language_codes().get(word)
            if code and i > 0 and words[i - 1] in {"in", "and", ",", "the"} and doc[first + i].is_title:
                reading.add(iri, IDD + "languageOfOriginals", literal(code, XSD + "language"), span,
                            reading.chars(first + i, first + i + 1), 0.8, "signatures/language",
                            f"'{doc[first + i].text}' is the language whose BCP 47 tag is '{code}'.")
        return iri
    return None


def _for_lines(reading: Reading) -> list[tuple[str, Mention, Segment]]:
    """"For the Ministry of ..." lines of a signature block, in order."""
    doc = reading.doc
    found = []
    for line in reading.document.lines:
        first = line.first_token
        while first < line.last_token and doc[first].text in {"*", "**"}:
            first += 1
        if doc[first].lower_ != "for" or not doc[first].is_title:
            continue
        agents = [m for m in reading.mentions_in(first + 1, reading.document.paragraph_of(first).last_token,
                                                 AGENT_CATEGORIES)]
        if agents and agents[0].first <= first + 2:
            iri = reading.agent(agents[0])
            if iri:
                paragraph = reading.document.paragraph_of(first)
                found.append((iri, agents[0], paragraph))
    return found


def _is_name_line(reading: Reading, line: Segment) -> bool:
    tokens = [t for t in reading.doc[line.first_token:line.last_token] if t.text not in {"*", "**"}]
    if not 2 <= len(tokens) <= 4 or not all(t.is_alpha and (t.is_title or t.is_upper) for t in tokens):
        return False
    if tokens[0].lower_ in POST_HEADS or tokens[0].lower_ in {"for", "the", "government", "ministry"}:
        return False
    return not reading.mentions_in(line.first_token, line.last_token, AGENT_CATEGORIES | {"post"})


def _person(reading: Reading, first: int, last: int) -> tuple[str, tuple[int, int]] | None:
    """A person named in tokens first..last: one the graph knows, or a new one from a name line."""
    for mention in reading.mentions_in(first, last, {"agent"}):
        thing = reading.knowledge.things.get(mention.of("agent").iri)  # type: ignore[union-attr]
        if thing is not None and thing.is_a("Person"):
            return thing.iri, (mention.start, mention.end)
    line = reading.document.line_of(first)
    if not _is_name_line(reading, line):
        return None
    written = normalise_space(reading.document.text[line.start:line.end].replace("*", ""))
    label = " ".join(w if not w.isupper() else w.capitalize() for w in written.split())
    iri = KG + slug(label)
    reading.draft.propose(NewThing(iri, {FOAF + "Person"}, label, {written} - {label}))
    return iri, (line.start, line.end)


def _post(reading: Reading, first: int, last: int) -> tuple[str, tuple[int, int]] | None:
    """The post named in tokens first..last: the graph's, or a new one from words such as "Minister of ..."."""
    for mention in reading.mentions_in(first, last, {"post"}):
        return mention.of("post").iri, (mention.start, mention.end)  # type: ignore[union-attr]
    doc = reading.doc
    for i in range(first, last):
        if doc[i].lower_ in POST_HEADS and doc[i].is_title:
            start, end = reading.chars(i, last)
            written = normalise_space(reading.document.text[start:end].replace("*", "").strip(" ,."))
            iri = KG + slug(written)
            reading.draft.propose(NewThing(iri, {ORG + "Post"}, written))
            return iri, (start, end)
    return None


def _title_goes_on(reading: Reading, comma: int, last: int) -> bool:
    """Whether the words after a comma in a post's title still belong to it: "Minister for Energy,
    Business and Industry of Sweden" goes on (capitalised words joined by "and" or "of", up to the
    next comma); ", and Ms. ...", ", in the presence of ..." and another name do not."""
    doc = reading.doc
    k = comma + 1
    if k >= last or not doc[k].is_title or doc[k].lower_ in HONORIFICS or doc[k].lower_ in POST_HEADS:
        return False
    chunk = []
    while k < last and doc[k].text not in {",", ";", "."}:
        chunk.append(doc[k])
        k += 1
    joined = any(t.lower_ in {"and", "of", "&"} for t in chunk)
    return joined and all(t.is_title or t.lower_ in {"and", "of", "&", "the"} for t in chunk) and not any(
        t.lower_ in POST_HEADS for t in chunk)


def _signatory_blocks(reading: Reading, fors: list[tuple[str, Mention, Segment]]) -> list[Signatory]:
    """The name-and-post paragraphs that follow the "For ..." lines."""
    if not fors:
        return []
    found = []
    after = fors[-1][2].last_token
    for paragraph in reading.document.paragraphs:
        if paragraph.first_token < after:
            continue
        person = _person(reading, paragraph.first_token, reading.document.line_of(paragraph.first_token).last_token)
        if person is None:
            continue
        name_line = reading.document.line_of(paragraph.first_token)
        post = _post(reading, name_line.last_token, paragraph.last_token)
        found.append(Signatory(person[0], person[1], post[0] if post else None, post[1] if post else None,
                               (paragraph.start, paragraph.end)))
    return found[:len(fors)]


def _signed_by(reading: Reading, main: Instrument) -> tuple[list[Signatory], list[tuple[str, Mention, Segment]]]:
    """"signed by Shri A, Minister of X, and Mr B, Minister of Y" in a sentence about the instrument."""
    doc = reading.doc
    people: list[Signatory] = []
    fors: list[tuple[str, Mention, Segment]] = []
    for mention in main.mentions:
        sentence = reading.sentence(mention.first)
        words = reading.lower(sentence.first_token, sentence.last_token)
        for i in range(len(words) - 1):
            if words[i] != "signed" or "by" not in words[i + 1:i + 9]:
                continue  # "signed by ...", or "signed on 10th September 2023 by ..."
            j = sentence.first_token + i + 1 + words[i + 1:i + 9].index("by") + 1
            while j < sentence.last_token:
                while j < sentence.last_token and (doc[j].lower_ in HONORIFICS or doc[j].text == "."):
                    j += 1
                name_first = j
                while j < sentence.last_token and doc[j].is_title and doc[j].is_alpha and doc[j].lower_ not in POST_HEADS:
                    j += 1
                if not 2 <= j - name_first <= 4 or j >= sentence.last_token or doc[j].text != ",":
                    break
                name_span = reading.chars(name_first, j)
                written = reading.document.text[name_span[0]:name_span[1]]
                known = _person(reading, name_first, j)
                person = known[0] if known else KG + slug(written)
                if not known:
                    reading.draft.propose(NewThing(person, {FOAF + "Person"}, written))
                post_first = j + 1
                k = post_first
                while k < sentence.last_token and not (
                        doc[k].lower_ == "and" and k + 1 < sentence.last_token and doc[k + 1].lower_ in HONORIFICS):
                    if doc[k].text in {";", "."} or (doc[k].text == "," and not _title_goes_on(reading, k, sentence.last_token)):
                        break
                    k += 1
                post = _post(reading, post_first, k)
                block = (sentence.start, sentence.end)
                people.append(Signatory(person, name_span, post[0] if post else None, post[1] if post else None, block))
                if post:
                    fors.append((_signed_for(reading, main, post[0], post_first, k), None, sentence))  # type: ignore[arg-type]
                j = k + 1
                while j < sentence.last_token and doc[j].lower_ in {"and", ","}:
                    j += 1
        if people:
            break
    return people, fors


def _signed_for(reading: Reading, main: Instrument, post: str, first: int, last: int) -> str | None:
    """The party a signatory signed for: the organisation the post is in, or the party of the post's country."""
    known = reading.knowledge.post_in.get(post)
    if known:
        return known
    countries = {reading.country(m) for m in reading.mentions_in(first, last)} - {None}
    for party in main.parties:
        if reading.country_of(party) in countries and reading.knowledge.country_by_iri(party) is None:
            return party
    return next(iter(countries), None)  # type: ignore[return-value]


def _signature(reading: Reading, main: Instrument, signing: str, signatory: Signatory,
               organisation: tuple[str, Mention | None, Segment] | None) -> None:
    suffix = local_name(organisation[0]) if organisation else local_name(signatory.person)
    iri = f"{signing}-{suffix}"
    for_label = f" for {label_of(reading, organisation[0])}" if organisation else ""
    reading.draft.propose(NewThing(iri, {IDD + "Signature"}, f"Signature of the {label_of(reading, main.iri)}{for_label}"))
    block = signatory.block
    reading.add(signing, IDD + "signature", node(iri), block, signatory.person_span, 0.8, "signatures/signature", MINTED)
    reading.add(iri, IDD + "signatory", node(signatory.person), block, signatory.person_span, 0.85,
                "signatures/signatory")
    if signatory.post and signatory.post_span:
        reading.add(iri, IDD + "signedAs", node(signatory.post), block, signatory.post_span, 0.8, "signatures/post")
        reading.add(signatory.post, ORG + "heldBy", node(signatory.person), block, signatory.person_span, 0.75,
                    "signatures/post-held-by")
    if organisation is not None and organisation[0] and organisation[1] is None and signatory.post_span:
        reading.add(iri, IDD + "signedFor", node(organisation[0]), block, signatory.post_span, 0.6,
                    "signatures/signed-for-post",
                    f"The signatory's post is in {label_of(reading, organisation[0])}, a party the text names.")
        if signatory.post in reading.draft.new_things:
            reading.add(signatory.post, ORG + "postIn", node(organisation[0]), block, signatory.post_span, 0.55,
                        "signatures/post-in", "The post belongs to the party of the post's country.")
    elif organisation is not None:
        org_iri, mention, segment = organisation
        if mention is not None:
            span = (min(segment.start, block[0]), max(segment.end, block[1])) if segment.start < block[0] else \
                (segment.start, segment.end)
            reading.add(iri, IDD + "signedFor", node(org_iri), span, (mention.start, mention.end), 0.8,
                        "signatures/signed-for")
            if signatory.post and signatory.post in reading.draft.new_things and signatory.post_span:
                reading.add(signatory.post, ORG + "postIn", node(org_iri), span, (mention.start, mention.end), 0.6,
                            "signatures/post-in",
                            "The signatory signed in this post for the organisation named in the span.")

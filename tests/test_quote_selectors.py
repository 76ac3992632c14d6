"""Every evidence span of data/ carries, beside its offsets, a quote (oa:TextQuoteSelector) from
which the span is found again: in the text as registered, and in a text whose offsets have moved."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest

from graphsvc import project
from graphsvc.curation.quotes import Quote, anchor, occurrences, quote_for, quote_triples
from graphsvc.curation.sources import source_text

QUERY = f"""
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?target ?source ?start ?end ?quote ?exact ?prefix ?suffix WHERE {{
  GRAPH ?g {{
    ?target oa:hasSource ?source ; oa:hasSelector ?position .
    ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
    OPTIONAL {{ ?target oa:hasSelector ?quote . ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
               OPTIONAL {{ ?quote oa:prefix ?prefix }} OPTIONAL {{ ?quote oa:suffix ?suffix }} }}
  }}
  FILTER(STRSTARTS(STR(?g), "{project.GRAPH_NS}data/"))
}}"""


@pytest.fixture(scope="module")
def targets(kg_store) -> dict:
    found: dict = defaultdict(list)
    for row in kg_store.query(QUERY):
        key = (row["target"], row["source"].value, int(row["start"].value), int(row["end"].value))
        if row["quote"] is not None:
            found[key].append(Quote(row["exact"].value, row["prefix"].value if row["prefix"] else "",
                                    row["suffix"].value if row["suffix"] else ""))
        else:
            found.setdefault(key, [])
    return found


def test_every_span_has_exactly_one_quote(targets) -> None:
    assert len(targets) > 400
    wrong = [f"{source} {start}-{end}: {len(quotes)} quotes" for (_, source, start, end), quotes in targets.items()
             if len(quotes) != 1]
    assert not wrong, "\n".join(wrong[:20])


def test_every_span_is_found_again_from_its_quote_alone(kg_store, targets) -> None:
    texts = {source: source_text(kg_store, source) for _, source, _, _ in targets}
    assert all(texts.values()), "every source's text is held by the store"
    lost = [f"{source} {start}-{end}: anchored at {anchor(texts[source], quotes[0])}"
            for (_, source, start, end), quotes in targets.items()
            if anchor(texts[source], quotes[0]) != (start, end)]
    assert not lost, "\n".join(lost[:20])


def test_spans_are_found_again_after_the_offsets_moved(kg_store, targets) -> None:
    """A header put before the text (a re-encoded or re-published copy) moves every offset; the
    quotes still find every span, at its new place."""
    header = "\ufeffRe-published copy, with a header line.\r\n\r\n"
    texts = {source: header + source_text(kg_store, source) for _, source, _, _ in targets}
    moved = [anchor(texts[source], quotes[0]) == (start + len(header), end + len(header))
             for (_, source, start, end), quotes in targets.items()]
    assert all(moved) and len(moved) > 400


def test_data_copies_no_text_of_its_sources() -> None:
    """The quotes are derived when the project is loaded; the files of data/ hold offsets only."""
    for path in project.data_files():
        assert "TextQuoteSelector" not in path.read_text(encoding="utf-8"), path.name


def test_a_quote_takes_as_much_context_as_makes_it_unique() -> None:
    text = "the MoU. " * 3 + "the MoU was signed. the MoU. "
    start = text.index("the MoU was") + len("the MoU was signed. ")
    quote = quote_for(text, start, start + len("the MoU"))
    assert occurrences(text, quote) == [start]
    assert anchor(text, Quote("the MoU", "", "")) is None, "a bare quote that occurs several times is ambiguous"


def test_a_quote_is_derived_for_each_position_selector_that_has_none() -> None:
    oa = "http://www.w3.org/ns/oa#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    text = "Alpha beta gamma delta."

    def target(source: str, start: int, end: int, quoted: bool = False) -> list[ox.Triple]:
        t, p = ox.BlankNode(), ox.BlankNode()
        triples = [ox.Triple(t, ox.NamedNode(oa + "hasSource"), ox.NamedNode(project.THING_NS + source)),
                   ox.Triple(t, ox.NamedNode(oa + "hasSelector"), p),
                   ox.Triple(p, rdf_type, ox.NamedNode(oa + "TextPositionSelector")),
                   ox.Triple(p, ox.NamedNode(oa + "start"), ox.Literal(str(start), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))),
                   ox.Triple(p, ox.NamedNode(oa + "end"), ox.Literal(str(end), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")))]
        if quoted:
            q = ox.BlankNode()
            triples += [ox.Triple(t, ox.NamedNode(oa + "hasSelector"), q),
                        ox.Triple(q, rdf_type, ox.NamedNode(oa + "TextQuoteSelector"))]
        return triples

    triples = target("source-x", 6, 10) + target("source-x", 0, 5, quoted=True) + target("source-y", 0, 5)
    added, problems = quote_triples(triples, {project.THING_NS + "source-x": text}.get)
    exact = [t.object.value for t in added if t.predicate.value == oa + "exact"]
    assert exact == ["beta"], "one new quote: the quoted target keeps its own, source-y has no text"
    assert problems == [f"no text is held for {project.THING_NS}source-y"]

"""Drafting: candidate statements, each with the span of text that states it, for a curator to review.

`Drafter(read_knowledge(store)).draft(text, source_iri)` reads a text against what the graph
knows and returns a `Draft`; `writer.to_turtle` writes it in the evidence model of data/;
`span_rule` checks that every span contains its value; `evaluation` scores the drafter on the
project's own sources (`graphsvc draft --evaluate`). The rules are the genre's (Cabinet notes on
memoranda, instrument texts with numbered clauses, news of joint declarations), built on spaCy's
rule-based matchers over a blank English pipeline, with pycountry and countryinfo for countries.
"""

from graphsvc.curation.drafting.drafter import Drafter
from graphsvc.curation.drafting.knowledge import read_knowledge

__all__ = ["Drafter", "read_knowledge"]

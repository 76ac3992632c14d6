"""Properties of the query guard, checked against the real engine.

The differential property: queries hide SERVICE among every lexical construct of SPARQL, and
whenever the guard accepts one, running it on an in-process pyoxigraph store opens no connection
to a listener on 127.0.0.1 (every IRI and namespace in the queries points at that listener, which
closes each connection it accepts, so a request fails at once). Legitimate queries, the named
queries and queries that mention "service" only as data, are accepted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.catalog import catalog
from graphsvc.guard import RefusedQuery, explain_syntax_error, inspect_query
from graphsvc.guard.lexer import KEYWORDS, PYOXIGRAPH, LexicalError, Scanner
from tests.listener import Listener
from tests.test_sparql_guard import connections_made

URL = "http://127.0.0.1:0"  # in the generated queries; each test puts its listener's address there
DIFFERENTIAL = settings(max_examples=200, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
QUICK = settings(max_examples=100, deadline=None)


@pytest.fixture(scope="module")
def witness() -> Iterator[Listener]:
    counter = Listener()
    yield counter
    counter.close()


# --- the pieces a query is made of ------------------------------------------------------------------

PROLOGUE = (f"PREFIX ex: <{URL}/ex/> PREFIX : <{URL}/> PREFIX x: <{URL}/x/> PREFIX h: <{URL}/h#> "
            f"PREFIX p: <{URL}> ")
TERMS = [
    '"str\\"ing"', "'it\\'s'", '"""a "" b " c"""', "'''x ' '' y'''", '"tab\\t\\u0053ERVICE"',
    "'\\U00000053ERVICE <x> {}'", '"""SERVICE <x> { }\r\n"""', f"<{URL}/i#SERVICE>", f"<{URL}/a\\u0053>",
    "ex:a\\#", "ex:a\\.b", "ex:%41b", "ex:SERVICE", "ex:a.b", "ex:a.b.c", "h:a\\#", "h:SERVICE", "p:x",
    ":SERVICE", "x:y", "?SERVICE", "$LOAD", "_:SERVICE", "_:b.c", "12.5e3", "-7", "+ 3", ".5", "1.",
    '"x"@en-GB', '"x"@ar--rtl', '"1"^^ex:int', "true", "false", "()", "[]",
]
COMMENT_ENDS = ["\r", "\n", "\r\n"]
SEPARATORS = ["", " ", "\t", "\r", "\n", "\r\n", ".", " . ", "# c\r", "# c\n", "# c\r\n", "}", "{",
              ";", ")", "1<2)", "#>", "#>\n", "\\u0020", "\\u000A"]
OPERATIONS = [
    f"SERVICE <{URL}/s> {{}}", f"SERVICE SILENT <{URL}/s> {{ ?a ?b ?c }}", f"SeRvIcE<{URL}/s>{{}}",
    f"\\u0053ERVICE <{URL}/s> {{}}", f"SERVIC\\u0045 <{URL}/s> {{}}", "SERVICE:s {}", "SERVICEx:s {}",
    "serviceSILENT:s {}", "SERVICE :s {}", "SERVICE ?one {}", "SERVICE:s#>\n{}", "?s ?p trueSERVICE:s {}",
    "?s ?p 1SERVICE:s {}", "?s ?p ex:a.b.SERVICE:s {}", "?s ?p h:SERVICE:s\\# {}", "?s ?p p:SERVICE:s {}",
    "FILTER(1<2)SERVICE:s#>\n{}", "FILTER(?one<2)SERVICE:s#>\r{}", "{}SERVICE:s{}", f"LOAD <{URL}/d>",
    "?s ?p true.SERVICE:s {}", "?s a1SERVICE:s {}",
]
# A word glued before SERVICE, in a place where a term may end: `?s ?p trueSERVICE:s {}`.
glued_operations = st.builds(
    "{}{}{}{}".format, st.sampled_from(["?s ?p ", "?s ", ""]),
    st.sampled_from(sorted(KEYWORDS | {"a", "1", "1.5", "ex:o", "?o", '"o"'})),
    st.sampled_from(["", ".", "1", "-", " "]),
    st.sampled_from(["SERVICE:s {}", "SERVICEx:s {}", f"SERVICE<{URL}/s>{{}}"]))
operations = st.one_of(st.sampled_from(OPERATIONS), glued_operations)


def filler(term: str, kind: int, index: int, end: str) -> str:
    """A group element around a term that keeps the one solution the group starts with."""
    return [f"BIND({term} AS ?v{index})", f"OPTIONAL {{ ?s ?p {term} }}", f"# {term}{end}",
            f"VALUES ?w{index} {{ {term} }}", f"FILTER(true || {term} < {term})", term][kind]


fillers = st.lists(st.builds(filler, st.sampled_from(TERMS), st.integers(0, 5), st.integers(0, 99),
                             st.sampled_from(COMMENT_ENDS)), max_size=3).map(" ".join)


@st.composite
def hiding_queries(draw: st.DrawFn) -> str:
    """A query with an outbound operation among other constructs, sometimes with text inserted
    anywhere in it."""
    body = (draw(fillers) + draw(st.sampled_from(SEPARATORS)) + draw(operations)
            + draw(st.sampled_from(SEPARATORS)) + draw(fillers))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from(SEPARATORS + TERMS)) + body[at:]
    base = draw(st.sampled_from(["", f"BASE <{URL}/base/> "]))
    return f"{base}{PROLOGUE}\nSELECT * WHERE {{ BIND(1 AS ?one) {body} }}"


@DIFFERENTIAL
@given(query=hiding_queries())
def test_an_accepted_query_connects_nowhere(witness: Listener, query: str) -> None:
    query = query.replace(URL, witness.url)
    try:
        inspect_query(query)
    except RefusedQuery:
        return
    assert connections_made(witness, query) == 0, query


def test_the_listener_sees_the_engine_connect(witness: Listener) -> None:
    query = f"{PROLOGUE} SELECT * WHERE {{ SERVICE SILENT :s {{}} }}".replace(URL, witness.url)
    assert connections_made(witness, query) >= 1


# --- legitimate queries are accepted ------------------------------------------------------------------

NAMED = sorted(catalog().values(), key=lambda q: q.name)
WORDS = st.sampled_from(["SERVICE", "service", "LOAD", "Service Area", "SERVICE <x> { }", "INSERT", "x"])


@pytest.mark.parametrize("named", NAMED, ids=[q.name for q in NAMED])
def test_every_named_query_is_accepted_with_its_form(named) -> None:
    assert inspect_query(named.text).form == named.form


@QUICK
@given(st.sampled_from(NAMED), WORDS, st.sampled_from(COMMENT_ENDS), st.booleans())
def test_named_queries_with_service_in_comments_are_accepted(named, word: str, end: str, first: bool) -> None:
    comment = f"# {word}{end}"
    text = comment + named.text if first else named.text + "\n" + comment
    assert inspect_query(text).form == named.form


short_text = st.text(st.characters(blacklist_characters="\"'\\\r\n", blacklist_categories=("Cs",)), max_size=12)


def data_term(kind: int, word: str, text: str) -> str:
    """A term that holds `word` as data: a string of each kind, an IRI, a prefixed name, a
    literal with a language tag or datatype."""
    name = "".join(c for c in word if c.isalpha()) or "x"
    return [f'"{text}{word}"', f"'{word}\\t{text}'", f'"""{word}\n{text}"""', f"'''{text} {word}'''",
            f"<http://ex/{name}#{name}>", f"ex:{name}", f'"{word}"@en', f'"{word}"^^ex:t',
            f'"\\u0053{text}"'][kind]


@QUICK
@given(st.integers(0, 8), WORDS, short_text)
def test_queries_with_service_as_data_are_accepted_and_valid(kind: int, word: str, text: str) -> None:
    term = data_term(kind, word, text)
    query = (f"PREFIX ex: <http://ex/> PREFIX myservice: <http://ex/s/>\n"
             f"SELECT ?v ?service WHERE {{ ?service myservice:p ?o . BIND({term} AS ?v) }}")
    assert inspect_query(query).form == "SELECT"
    list(ox.Store().query(query))  # the engine reads it too


# --- the guard and the lexer on any text ---------------------------------------------------------------

sparqlish = st.text(st.sampled_from(list("SERVICEselect?$_:<>{}()[].;,#'\"\\u0053 \r\n\t@^|/!=+-*0123456789ax")),
                    max_size=60)


@QUICK
@given(st.one_of(sparqlish, st.text(max_size=40)))
def test_any_text_is_accepted_or_refused_and_nothing_else(text: str) -> None:
    try:
        shape = inspect_query(text)
    except RefusedQuery as error:
        assert "\n" not in str(error)
    else:
        assert shape.form in {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}


@QUICK
@given(sparqlish)
def test_tokens_are_the_text_between_white_space_and_comments(text: str) -> None:
    scanner = Scanner(text, PYOXIGRAPH)
    try:
        tokens = scanner.tokens()
    except LexicalError:
        return
    position = 0
    for token in tokens:
        assert token.text == text[token.offset:token.end]
        assert scanner.skip_trivia(position) == token.offset
        assert scanner.line_column(token.offset) == (token.line, token.column)
        position = token.end
    assert scanner.skip_trivia(position) == len(text)


@QUICK
@given(sparqlish)
def test_engine_errors_are_explained_on_one_short_line(text: str) -> None:
    try:
        ox.Store().query(text)
        return
    except SyntaxError as error:
        message = str(error)
    explained = explain_syntax_error(text, message)
    assert len(explained.message) <= 200 and "\n" not in explained.message
    assert "\\u{" not in explained.message

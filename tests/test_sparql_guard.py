"""The SPARQL tokenizer, the query guard built on it and the readable syntax errors.

Spellings that pyoxigraph really reads as SERVICE are checked twice: an in-process store run on
the query connects to a listener on 127.0.0.1 (the spelling is real), and the guard refuses it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from graphsvc.guard import MAX_NESTING, RefusedQuery, explain_syntax_error, inspect_query, keywords
from graphsvc.guard.lexer import (
    PYOXIGRAPH, SPEC, Dialect, Kind, LexicalError, engine_tokens, spec_tokens, tokenize,
)
from tests.listener import Listener


def connections_made(listener: Listener, query: str) -> int:
    """How many connections running `query` on an in-process store opens to the listener."""
    before = listener.connections
    try:
        result = ox.Store().query(query)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return listener.connections - before


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    counter = Listener()
    yield counter
    counter.close()


def refusal(query: str) -> RefusedQuery:
    with pytest.raises(RefusedQuery) as caught:
        inspect_query(query)
    return caught.value


# --- the lexer ----------------------------------------------------------------------------------

def kinds(query: str, dialect: Dialect = SPEC) -> list[tuple[str, str]]:
    return [(t.kind.value, t.text) for t in tokenize(query, dialect)]


@pytest.mark.parametrize(("text", "kind"), [
    ("<http://ex/a#b>", Kind.IRIREF), ("ex:", Kind.PNAME_NS), (":", Kind.PNAME_NS),
    ("ex:a\\#b", Kind.PNAME_LN), ("ex:%41b", Kind.PNAME_LN), (":a:b", Kind.PNAME_LN),
    ("ex:a.b", Kind.PNAME_LN), ("_:b1.x", Kind.BLANK_NODE_LABEL), ("?v", Kind.VAR1), ("$v", Kind.VAR2),
    ("@en-GB", Kind.LANGTAG), ("@ar--rtl", Kind.LANGTAG), ("42", Kind.INTEGER), ("4.2", Kind.DECIMAL),
    (".5", Kind.DECIMAL), ("1e3", Kind.DOUBLE), ("1.E-3", Kind.DOUBLE), ("+4", Kind.INTEGER_POSITIVE),
    ("-.5", Kind.DECIMAL_NEGATIVE), ("-1e3", Kind.DOUBLE_NEGATIVE), ("'it\\'s'", Kind.STRING_LITERAL1),
    ('"a\\"b"', Kind.STRING_LITERAL2), ("'''a ' '' b'''", Kind.STRING_LITERAL_LONG1),
    ('"""a\n"" b"""', Kind.STRING_LITERAL_LONG2), ("( \n)", Kind.NIL), ("[\t]", Kind.ANON),
    ("SeLeCt", Kind.KEYWORD), ("a", Kind.KEYWORD), ("^^", Kind.PUNCT), ("||", Kind.PUNCT),
    ("&&", Kind.PUNCT), ("!=", Kind.PUNCT), ("<=", Kind.PUNCT), (">=", Kind.PUNCT),
])
def test_each_terminal_is_one_token(text: str, kind: Kind) -> None:
    tokens = tokenize(text)
    assert [(t.kind, t.text) for t in tokens] == [(kind, text)]


def test_tokenization_is_longest_match() -> None:
    assert kinds("?a<?b>") == [("VAR1", "?a"), ("IRIREF", "<?b>")]  # the spec's reading
    assert kinds("?a <= ?b") == [("VAR1", "?a"), ("PUNCT", "<="), ("VAR1", "?b")]
    assert kinds("SELECTDISTINCT*WHERE{}") == [
        ("KEYWORD", "SELECT"), ("KEYWORD", "DISTINCT"), ("PUNCT", "*"),
        ("KEYWORD", "WHERE"), ("PUNCT", "{"), ("PUNCT", "}")]
    assert kinds("SERVICE:x") == [("PNAME_LN", "SERVICE:x")]
    assert kinds("1.") == [("INTEGER", "1"), ("PUNCT", ".")]
    assert kinds("?x+1") == [("VAR1", "?x"), ("INTEGER_POSITIVE", "+1")]
    assert kinds("ex:p?x") == [("PNAME_LN", "ex:p"), ("VAR1", "?x")]
    assert kinds("ex:p/ex:q*") == [("PNAME_LN", "ex:p"), ("PUNCT", "/"), ("PNAME_LN", "ex:q"), ("PUNCT", "*")]


def test_the_keyword_a_is_case_sensitive_and_others_are_not() -> None:
    assert tokenize("a")[0].keyword == "A"
    with pytest.raises(LexicalError):
        tokenize("A")
    assert [t.keyword for t in tokenize("select Where fiLTer")] == ["SELECT", "WHERE", "FILTER"]


def test_local_names_follow_the_dot_rules() -> None:
    assert kinds("ex:a.b.c.") == [("PNAME_LN", "ex:a.b.c"), ("PUNCT", ".")]
    assert kinds("ex:a..b") == [("PNAME_LN", "ex:a..b")]
    assert kinds("ex:a.b.ex:c", PYOXIGRAPH) == [("PNAME_LN", "ex:a.b"), ("PUNCT", "."), ("PNAME_LN", "ex:c")]
    assert kinds("ex:a\\.b\\-") == [("PNAME_LN", "ex:a\\.b\\-")]


def test_comments_end_at_cr_or_lf() -> None:
    for end in ("\r", "\n", "\r\n"):
        assert kinds(f"?a # note{end}?b") == [("VAR1", "?a"), ("VAR1", "?b")]
    assert kinds("?a # no end") == [("VAR1", "?a")]


def test_tokens_carry_offset_line_and_column() -> None:
    tokens = tokenize('SELECT\n  ?x # c\r  ?y\r\n"é" ?z')
    assert [(t.text, t.offset, t.line, t.column) for t in tokens] == [
        ("SELECT", 0, 1, 1), ("?x", 9, 2, 3), ("?y", 18, 2, 12), ('"é"', 22, 3, 1), ("?z", 26, 3, 5)]


def test_codepoint_escapes_have_two_readings() -> None:
    query = 'SELECT * { "\\u0041" \\u0053ERVICE }'
    spec = spec_tokens(query)
    assert [t.text for t in spec][-3:] == ['"A"', "SERVICE", "}"]
    assert spec[-2].offset == query.index("\\u0053") and spec[-2].end == query.index(" }")
    with pytest.raises(LexicalError) as caught:
        engine_tokens(query)
    assert (caught.value.line, caught.value.column) == (1, 21)
    assert [t.text for t in engine_tokens('"\\u0041" <ex:\\u0041>')] == ['"\\u0041"', "<ex:\\u0041>"]


@pytest.mark.parametrize(("text", "column"), [
    ('?a "open', 4), ("?a 'x\ny'", 4), ("?a \\x", 4), ("?a word", 4), ("?a \u00a0", 4), ("?a %", 4)])
def test_lexical_errors_say_where(text: str, column: int) -> None:
    with pytest.raises(LexicalError) as caught:
        tokenize(text)
    assert (caught.value.line, caught.value.column) == (1, column)
    assert f"line 1, column {column}" in str(caught.value)


# --- the three spellings that passed the old guard, and others the engine reads as SERVICE -------

def real_spellings(url: str) -> dict[str, str]:
    """Queries that pyoxigraph 0.5 runs as a SERVICE call to `url`."""
    declarations = (f"PREFIX ex: <http://ex/> PREFIX : <{url}/> PREFIX x: <{url}/x/> "
                    f"PREFIX h: <{url}/h#>\n")
    body = "SELECT * WHERE {{ BIND(1 AS ?one) {} }}"
    return {name: declarations + body.format(text) for name, text in {
        "escaped local name": f"OPTIONAL {{ ?s ex:a\\# ?o }} SERVICE <{url}/sparql> {{ ?x ?y ?z }}",
        "after a dot": f".SERVICE <{url}/sparql> {{ ?s ?p ?o }}",
        "after a comment ended by CR": f"# a comment\rSERVICE <{url}/x> {{ ?s ?p ?o }}",
        "after a brace": f"{{}}SERVICE<{url}/x>{{}}",
        "silent": f"SERVICE SILENT <{url}/x> {{}}",
        "mixed case": f"SeRvIcE <{url}/x> {{}}",
        "keyword glued to the default prefix": "SERVICE:x { ?s ?p ?o }",
        "keyword glued to a prefix": "SERVICEx:y {}",
        "keyword and SILENT glued to a prefix": "serviceSILENT:y {}",
        "after a boolean glued to it": "?s ?p trueSERVICE:y {}",
        "after a boolean and a dot in one prefix": "?s ?p true.SERVICE:y {}",
        "after the keyword a and a number glued to it": "?s a1SERVICE:y {}",
        "after a number glued to it": "?s ?p 1SERVICE:y {}",
        "after a local name's second run of dots": "?s ?p ex:a.b.SERVICE:y {}",
        "after a local name that makes no valid IRI": "?s ?p h:SERVICE:y\\# {}",
        "after a less-than read as an IRI": "FILTER(1<2)SERVICE:x#>\n{}",
        "after a less-than, comment ended by CR": "FILTER(?one<2)SERVICE:x#>\r{}",
    }.items()}


@pytest.mark.parametrize("name", list(real_spellings("http://127.0.0.1:1")))
def test_spellings_that_the_engine_runs_as_service_are_refused(listener: Listener, name: str) -> None:
    query = real_spellings(listener.url)[name]
    assert connections_made(listener, query) >= 1, "the engine does not read this as SERVICE"
    error = refusal(query)
    assert str(error).startswith("SERVICE (federated query) is not allowed on this endpoint")
    assert error.line is not None and error.column is not None


def test_the_refusal_points_at_the_service_keyword() -> None:
    error = refusal("PREFIX ex: <http://ex/>\nSELECT * WHERE {\n  OPTIONAL { ?s ex:a\\# ?o }"
                    " SERVICE <http://127.0.0.1:1/sparql> { ?x ?y ?z } }")
    assert (error.line, error.column) == (3, 29)
    assert "(line 3, column 29)" in str(error)


def test_a_glued_prefix_is_refused_saying_why() -> None:
    error = refusal("PREFIX : <http://127.0.0.1:1/> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }")
    assert "the keyword SERVICE" in str(error) and "prefix" in str(error)
    assert "service:" in str(refusal("PREFIX service: <http://ex/> SELECT * WHERE { ?s service:p ?o }"))


def test_a_less_than_that_hides_service_is_refused_saying_why() -> None:
    error = refusal("PREFIX : <http://127.0.0.1:1/> SELECT * WHERE { FILTER(1<2)SERVICE:x#>\n{} }")
    assert "less-than" in str(error) or "the keyword SERVICE" in str(error)


def test_service_written_with_codepoint_escapes_is_refused() -> None:
    for spelling in ("\\u0053ERVICE", "\\u0073ervice", "SERVIC\\U00000045", "SERVICE\\u0020"):
        error = refusal(f"SELECT * WHERE {{ {spelling} <http://127.0.0.1:1/x> {{}} }}")
        assert "\\u escapes" in str(error) or "SERVICE" in str(error)


def test_a_service_variable_endpoint_is_refused() -> None:
    refusal("SELECT * WHERE { BIND(<http://127.0.0.1:1/> AS ?e) SERVICE ?e { ?s ?p ?o } }")


# --- SERVICE as data is not refused ---------------------------------------------------------------

@pytest.mark.parametrize("where", [
    '"SERVICE <http://x/> {}"', "'service'", '"""a SERVICE\n{ }"""', "'''SERVICE'''",
    '"\\"SERVICE"', "<http://ex/SERVICE>", "<http://ex/a#service>", "ex:SERVICE", "ex:service",
    "ex:a.SERVICE", "ex:SERVICE\\.x", "ex:%53ERVICE", "?service", "$SERVICE", "_:service", '"x"@service',
])
def test_service_inside_data_is_not_refused(listener: Listener, where: str) -> None:
    query = f"PREFIX ex: <http://ex/> PREFIX myservice: <http://ex/m/> SELECT * WHERE {{ ?s ?p {where} }}"
    assert inspect_query(query).form == "SELECT"
    assert connections_made(listener, query) == 0


VALID_QUERIES = [
    "PREFIX ex: <http://ex/> SELECT ?s (COUNT(DISTINCT ?o) AS ?n) (GROUP_CONCAT(?l; SEPARATOR=', ') AS ?ls) "
    "WHERE { ?s ex:p/ex:q*|^ex:r ?o ; ex:l ?l . FILTER(?o != ex:x && (?o >= 1 || !BOUND(?l))) } "
    "GROUP BY ?s HAVING(COUNT(?o) > 0) ORDER BY DESC(?n) ASC(?s) LIMIT 10 OFFSET 2",
    "PREFIX : <http://ex/> SELECT * WHERE { ?s a :C ; :p [ :q ( 1 2.5 -3e2 \"x\"@en-GB 'y'^^:t true ) ] . "
    "OPTIONAL { ?s :r ?r } MINUS { ?s :z ?z } FILTER NOT EXISTS { ?s :w ?w } }",
    "SELECT * WHERE { VALUES (?a ?b) { (1 UNDEF) (<http://ex/a> <http://ex/b>) } FILTER(?a<?b || ?a>=?b) }",
    'SELECT * WHERE {?s?p?o.?s?p"x"@en.FILTER(?o<1)}',
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<<http://ex/a>) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = - 1 || ?o = ?s+1) } # SERVICE\r\n LIMIT 1",
    "PREFIX ex: <http://ex/> SELECT * WHERE { ?s ex:a\\.b ?o ; ex:%41 ?p ; ex:a:b ?q ; ex:_x ?r ; ex:1 ?t }",
    'SELECT * WHERE { <<( ?s ?p ?o )>> ?q ?r . ?a ?b ?c ~ ?reif {| ?x ?y |} BIND("a"@en--ltr AS ?l) }',
    'VERSION "1.2" SELECT * WHERE { ?s ?p \'\'\'a\'b\'\'c\'\'\' . ?s ?p """a"b""c""" }',
    "PREFIX : <http://ex/> SELECT * WHERE { ?s a:C }",  # `a:` is undeclared: the keyword a, then :C
]


@pytest.mark.parametrize("query", VALID_QUERIES)
def test_valid_queries_of_every_construct_are_accepted(query: str) -> None:
    list(ox.Store().query(query))  # the engine reads it
    assert inspect_query(query).form == "SELECT"


def test_service_in_comments_and_other_prefixes_is_not_refused() -> None:
    for query in ("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
                  "# SERVICE\rSELECT * WHERE { ?s ?p ?o }",
                  "PREFIX myservice: <http://ex/> SELECT * WHERE { ?s myservice:p ?o }",
                  "PREFIX ex: <http://ex/> SELECT * WHERE { ?s ?p ex:SERVICE }",
                  "PREFIX ex: <http://ex/> SELECT * WHERE { ?s ?p ex:a.b } # ex:a.b.SERVICE"):
        assert inspect_query(query).form == "SELECT"


# --- LOAD, updates, no query form, nesting, syntax ---------------------------------------------------

def test_load_is_refused_as_outbound() -> None:
    for query in ("LOAD <http://127.0.0.1:1/data.ttl>", "load silent <http://x/> INTO GRAPH <g:x>",
                  "SELECT * WHERE { } LOAD <http://x/>"):
        assert str(refusal(query)).startswith("LOAD is not allowed on this endpoint")


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", "DELETE DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
    "DELETE WHERE { ?s ?p ?o }", "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR ALL", "DROP GRAPH <urn:x:g>", "CREATE GRAPH <urn:x:g>", "ADD DEFAULT TO <urn:x:g>",
    "MOVE <urn:x:a> TO <urn:x:b>", "COPY <urn:x:a> TO DEFAULT", "PREFIX ex: <http://ex/> insert data {}",
    "\\u0049NSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
])
def test_updates_are_refused_as_read_only(update: str) -> None:
    error = refusal(update)
    assert "read-only" in str(error) and error.line == 1


def test_a_prefix_named_like_a_forbidden_keyword_is_refused() -> None:
    assert "prefix `load:`" in str(refusal("PREFIX load: <http://ex/> SELECT * WHERE { ?s load:p ?o }"))


@pytest.mark.parametrize("query", ["", "   ", "# only a comment\n", "PREFIX ex: <http://ex/>",
                                   "{ ?s ?p ?o }", "BASE <http://ex/> ?x"])
def test_text_without_a_query_form_is_refused(query: str) -> None:
    assert "no query form" in str(refusal(query))


@pytest.mark.parametrize(("opener", "closer"), [("{", "}"), ("(", ")"), ("[ ?p ", "]")])
def test_nesting_is_limited(opener: str, closer: str) -> None:
    def nested(depth: int) -> str:
        inner = {"{": "", "(": "1", "[ ?p ": "1"}[opener]
        wrap = {"{": ("", ""), "(": ("FILTER", ""), "[ ?p ": ("?s ?p ", "")}[opener]
        return ("SELECT * WHERE { " + wrap[0] + opener * depth + inner + closer * depth + " }")
    inspect_query(nested(MAX_NESTING - 1))  # the WHERE braces count too
    error = refusal(nested(MAX_NESTING + 1))
    assert "nests brackets too deeply" in str(error) and error.column is not None


def test_empty_brackets_do_not_nest() -> None:
    inspect_query("SELECT * WHERE { ?s ?p " + "( ) [ ] " * 1000 + "}")


def test_unreadable_text_is_refused_with_its_position() -> None:
    error = refusal('SELECT * WHERE {\n  ?s ?p "open\n}')
    assert (error.line, error.column) == (2, 9) and "syntax error at line 2, column 9" in str(error)


def test_anything_is_refused_or_accepted_without_other_errors() -> None:
    for text in ("\x00", "\ud800", "SELECT * WHERE { ?s ?p '''", "PREFIX : <", "<<( ?a ?b ?c )>>",
                 "\\U0011FFFF", "\\uD800", "SELECT * { ?a ?b ?c }" + ")" * 300):
        try:
            inspect_query(text)
        except RefusedQuery:
            pass


# --- what the guard learns of an allowed query -------------------------------------------------------

def test_the_shape_gives_form_dataset_and_keywords() -> None:
    shape = inspect_query(
        "BASE <http://b.example/dir/> PREFIX g: <graphs/> PREFIX ex: <http://ex/>\n"
        "CONSTRUCT { ?s ?p ?o } FROM <http://ex/a> FROM g:one FROM <rel> FROM NAMED g:two\\.x "
        "FROM NAMED <../up> WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?o != \"FROM <http://no/>\") } LIMIT 5")
    assert shape.form == "CONSTRUCT" and shape.returns_graph
    assert shape.from_graphs == ("http://ex/a", "http://b.example/dir/graphs/one", "http://b.example/dir/rel")
    assert shape.from_named_graphs == ("http://b.example/dir/graphs/two.x", "http://b.example/up")
    assert {"CONSTRUCT", "FROM", "NAMED", "WHERE", "GRAPH", "FILTER", "LIMIT", "BASE", "PREFIX"} <= shape.keywords


@pytest.mark.parametrize(("reference", "resolved"), [
    ("g", "http://a/b/c/g"), ("./g/", "http://a/b/c/g/"), ("/g", "http://a/g"), ("//g", "http://g"),
    ("?y", "http://a/b/c/d;p?y"), ("#s", "http://a/b/c/d;p?q#s"), ("", "http://a/b/c/d;p?q"),
    ("../..", "http://a/"), ("../../../g", "http://a/g"), ("g;x=1/../y", "http://a/b/c/y"), ("g:h", "g:h"),
])
def test_relative_iris_resolve_as_rfc_3986_says(reference: str, resolved: str) -> None:
    from graphsvc.guard.iris import resolve

    assert resolve("http://a/b/c/d;p?q", reference) == resolved


def test_relative_from_iris_stay_relative_without_a_base() -> None:
    shape = inspect_query("SELECT * FROM <rel> FROM NAMED <http://ex/g\\u0041> WHERE { }")
    assert shape.from_graphs == ("rel",) and shape.from_named_graphs == ("http://ex/gA",)
    assert not shape.returns_graph


@pytest.mark.parametrize(("query", "form"), [
    ("ask {}", "ASK"), ("DESCRIBE <http://ex/a>", "DESCRIBE"), ("VERSION '1.2' SELECT * {}", "SELECT"),
    ("PREFIX a: <http://ex/> select ?x { ?x a a:C }", "SELECT")])
def test_every_form_is_recognised(query: str, form: str) -> None:
    assert inspect_query(query).form == form


def test_keywords_ignore_strings_comments_iris_and_names() -> None:
    assert keywords('SELECT * WHERE { ?s ?p "LIMIT 5" } # OFFSET 3') == {"SELECT", "WHERE"}
    assert keywords("SELECT * WHERE { ?s <http://ex/VALUES> ?limit } limit 5") == {"SELECT", "WHERE", "LIMIT"}
    assert "VALUES" in keywords("SELECT * WHERE { VALUES ?x { 1 } }")
    assert keywords('SELECT * WHERE { "open') == {"SELECT", "WHERE"}


def test_the_remote_row_cap_reads_keywords_with_the_lexer() -> None:
    from graphsvc.remote_store import with_row_cap

    assert with_row_cap("SELECT * WHERE { ?s ?p ?o } # LIMIT 3", 5).endswith("LIMIT 5")
    assert with_row_cap("SELECT * WHERE { ?s ?p ?o } limit 3", 5).endswith("limit 3")


# --- readable syntax errors ----------------------------------------------------------------------------

def engine_error(query: str) -> str:
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query(query)
    return str(caught.value)


def test_an_undeclared_known_prefix_is_explained_with_its_namespace() -> None:
    query = "PREFIX ex: <http://ex/>\nSELECT * WHERE {\n    ?s skos:prefLabel ?l .\n}"
    explained = explain_syntax_error(query, engine_error(query))
    assert explained.message == ("unknown prefix `skos:` at line 3, column 8; declare it with "
                                 "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>")
    assert (explained.line, explained.column) == (3, 8)


def test_an_undeclared_unknown_prefix_is_explained() -> None:
    query = "SELECT * WHERE { ?s zz:p ?o }"
    explained = explain_syntax_error(query, engine_error(query))
    assert explained.message.startswith("unknown prefix `zz:` at line 1, column 21")
    assert explained.message.endswith("declare it with PREFIX zz: <namespace IRI>")


def test_iri_errors_are_sentences() -> None:
    query = "SELECT * WHERE { ?s <rel> ?o }"
    explained = explain_syntax_error(query, engine_error(query))
    assert "relative" in explained.message and "BASE" in explained.message and explained.column == 21
    query = "SELECT * WHERE { ?s <http://a b> ?o }"
    assert "is not a valid IRI" in explain_syntax_error(query, engine_error(query)).message


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o ", "ASK {", "SELECT * WHERE { ?s ?p ?o } ORDER BY",
    "SELECT * WHERE { FILTER(?x = ) }", "SELECT ?x WHERE { ?s ?p ?o } LIMIT x",
    "SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s", "SELECT * WHERE { ?s ?p ?o } }",
    'SELECT * WHERE { BIND("x"@en-toolongsubtagx AS ?l) }',
])
def test_other_errors_are_short_and_keep_the_position(query: str) -> None:
    message = engine_error(query)
    explained = explain_syntax_error(query, message)
    line, column = message.split("error at ")[1].split(":")[:2]
    assert (explained.line, explained.column) == (int(line), int(column))
    assert explained.message.startswith(f"syntax error at line {line}, column {column}: ")
    assert len(explained.message) <= 200 and "\n" not in explained.message
    assert "\\u{" not in explained.message and "..=" not in explained.message


def test_expected_tokens_and_keywords_are_kept() -> None:
    query = "SELECT * WHERE { ?s ?p ?o "
    assert "`.`" in explain_syntax_error(query, engine_error(query)).message
    query = "SELECT ?x WHERE { ?s ?p ?o } LIMIT x"
    message = explain_syntax_error(query, engine_error(query)).message
    assert "OFFSET" in message and "a number" in message and "found `x`" in message


def test_a_message_of_another_shape_is_kept_on_one_line() -> None:
    explained = explain_syntax_error("x", "something\nelse " + "y" * 300)
    assert explained.line is None and len(explained.message) <= 200 and "\n" not in explained.message

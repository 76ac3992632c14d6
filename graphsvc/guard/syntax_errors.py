"""pyoxigraph's syntax errors in one readable line.

pyoxigraph reports what its parser expected at the furthest position it reached, for instance
`error at 1:27: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' | ...` with hundreds of
characters of Unicode ranges. This keeps the position, says what an undeclared prefix or a bad IRI
is and how to fix it, and turns the rest into a short list of tokens, keywords and words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphsvc.guard.iris import is_absolute
from graphsvc.guard.lexer import KEYWORDS, PREFIXED_NAMES, PYOXIGRAPH, Kind, LexicalError, Scanner, Token
from graphsvc.guard.readings import Reading, read_prologue

MAX_ITEMS = 8
MAX_LENGTH = 200
_ENGINE_MESSAGE = re.compile(r"\s*error at (\d+):(\d+): expected (?:one of )?(.*)", re.DOTALL)
_ITEM = re.compile(r""""(?:[^"\\]|\\.)*"|\[(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\]'"])*\]|[^,]+""")
_KEYWORD_ITEM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STRUCTURAL = frozenset("""
    BASE PREFIX VERSION SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED GROUP BY
    HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS UNION
    FILTER LATERAL SEPARATOR
""".split())
_END = "the end of the query"
_ENGINE_IRI = re.compile(r"<[^<>\n]*>")
_NOISE = {"[_]", "<unreported>", '"\\\\"', '"\\\\u"', '"\\\\U"'}


@dataclass(frozen=True)
class SyntaxExplanation:
    message: str
    line: int | None
    column: int | None


def _items(expected: str) -> list[str]:
    return [m.group().strip() for m in _ITEM.finditer(expected) if m.group().strip()]


def _word_for_class(item: str) -> str:
    """A character class of the parser's message as a word."""
    if re.search(r"'[A-Za-z]' ?\.\.= ?'[A-Za-z]'", item) and "'0'" in item and "\\u" not in item:
        return "a letter or digit"
    if re.search(r"'[A-Za-z]' ?\.\.= ?'[A-Za-z]'|\\u\{|'[%.:_]'", item):
        return "a name"
    if re.fullmatch(r"\['0' ?\.\.= ?'9'\]", item):
        return "a number"
    chars = re.findall(r"'((?:[^'\\]|\\.)+)'", item)
    if chars and len(chars) <= 3 and ".." not in item:
        return " or ".join(f"`{c}`" for c in chars)
    return "a character"


def _describe(item: str) -> str | None:
    """One expected item as text; None for what says nothing to a reader."""
    if item in _NOISE:
        return None
    if item.startswith('"'):
        return "`" + re.sub(r"\\(.)", r"\1", item[1:-1]) + "`"
    if item.startswith("["):
        return _word_for_class(item)
    if item.upper() in KEYWORDS and item.upper() not in _STRUCTURAL:
        return "an expression"
    return item if _KEYWORD_ITEM.fullmatch(item) else None


def _offset(query: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        found = query.find("\n", start)
        if found < 0:
            return len(query)
        start = found + 1
    return min(start + column - 1, len(query))


def _read(query: str) -> tuple[list[Token], LexicalError | None]:
    """pyoxigraph's reading of the query, and the lexical error it runs into if none is complete."""
    reading = Reading(query, PYOXIGRAPH, depth_limit=10**9)
    return reading.principal_tokens(), None if reading.readable else reading.first_error()


def _found_at(query: str, offset: int) -> str:
    scanner = Scanner(query, PYOXIGRAPH)
    position = scanner.skip_trivia(offset)
    if position >= len(query):
        return _END
    try:
        text = scanner.longest_match(position).token.text
    except LexicalError:
        text = query[position]
    return f"`{text[:30]}`"


def _undeclared_prefixes(tokens: list[Token]) -> list[int]:
    """Indexes of the prefixed names whose prefix no PREFIX before them declares."""
    declared: set[str] = set()
    found = []
    for index, token in enumerate(tokens):
        if token.kind not in PREFIXED_NAMES:
            continue
        if index and tokens[index - 1].keyword == "PREFIX":
            declared.add(token.prefix or "")
        elif (token.prefix or "") not in declared:
            found.append(index)
    return found


def _undeclared_prefix(tokens: list[Token], offset: int, anywhere: bool) -> Token | None:
    """With `anywhere`, the first prefixed name with an undeclared prefix; without, the last one
    before `offset` if at most two tokens lie between it and `offset` (the engine then failed on
    it, or just after it)."""
    indexes = _undeclared_prefixes(tokens)
    if anywhere:
        return tokens[indexes[0]] if indexes else None
    before = [i for i in indexes if tokens[i].offset <= offset]
    if not before:
        return None
    between = sum(1 for t in tokens[before[-1] + 1:] if t.offset < offset)
    return tokens[before[-1]] if between <= 2 else None


def _prefix_message(token: Token) -> str:
    from graphsvc.vocabulary import prefixes  # reads the ontology once; not needed to guard

    prefix = token.prefix or ""
    namespace = prefixes().get(prefix)
    iri = f"<{namespace}>" if namespace else "<namespace IRI>"
    return (f"unknown prefix `{prefix}:` at line {token.line}, column {token.column}; "
            f"declare it with PREFIX {prefix}: {iri}")


def _iri_at(query: str, tokens: list[Token], offset: int) -> tuple[str, int, Kind] | None:
    """The IRI or prefixed name that ends where pyoxigraph failed to make an IRI of it: its
    text, offset and kind (pyoxigraph reads `<` to the next `>` before it checks the IRI)."""
    for token in tokens:
        if token.end == offset and (token.kind is Kind.IRIREF or token.kind in PREFIXED_NAMES):
            return token.text, token.offset, token.kind
    for match in _ENGINE_IRI.finditer(query, 0, offset):
        if match.end() == offset:
            return match.group(), match.start(), Kind.IRIREF
    return None


def _iri_message(query: str, tokens: list[Token], offset: int) -> tuple[str, int, int] | None:
    found = _iri_at(query, tokens, offset)
    if found is None:
        return None
    text, start, kind = found
    line, column = Scanner(query, PYOXIGRAPH).line_column(start)
    shown = text if len(text) <= 60 else text[:57] + "..."
    where = f"at line {line}, column {column}"
    if kind is Kind.IRIREF and not is_absolute(text[1:-1]) and read_prologue(tokens)[0].base is None:
        return (f"the IRI `{shown}` {where} is relative and the query has no BASE: "
                "write the IRI in full or declare BASE <...>", line, column)
    what = "is not a valid IRI" if kind is Kind.IRIREF else "does not make a valid IRI"
    return f"`{shown}` {where} {what}", line, column


def _shorten(message: str) -> str:
    return message if len(message) <= MAX_LENGTH else message[:MAX_LENGTH - 3] + "..."


def _specific(query: str, items: list[str], offset: int) -> SyntaxExplanation | None:
    """An undeclared prefix, a bad IRI or a lexical error that explains the engine's error."""
    tokens, lexical_error = _read(query)
    token = _undeclared_prefix(tokens, offset, anywhere=True) if "Prefix not found" in items else None
    if token is None and "IRI parsing failed" in items:
        explained = _iri_message(query, tokens, offset)
        if explained is not None:
            return SyntaxExplanation(_shorten(explained[0]), explained[1], explained[2])
    if token is None and lexical_error is not None and lexical_error.offset < offset:
        return SyntaxExplanation(_shorten(f"syntax error at line {lexical_error.line}, column "
                                          f"{lexical_error.column}: {lexical_error.reason}"),
                                 lexical_error.line, lexical_error.column)
    token = token or _undeclared_prefix(tokens, offset, anywhere=False)
    if token is not None:
        return SyntaxExplanation(_shorten(_prefix_message(token)), token.line, token.column)
    return None


def _expectation(query: str, items: list[str], offset: int) -> str:
    """What the engine expected, in words, and what it found."""
    reasons = [i for i in items if " " in i and i not in ("Prefix not found", "IRI parsing failed")
               and not i.startswith(("[", '"'))]
    if reasons:
        return reasons[0][0].lower() + reasons[0][1:]
    words: list[str] = []
    for item in items:
        word = _describe(item)
        if word and word not in words:
            words.append(word)
    found = _found_at(query, offset)
    if not words:
        if found == _END:
            return "unexpected end of the query; check the brackets and dots before it"
        return f"unexpected {found}"
    listed = ", ".join(words[:MAX_ITEMS]) + (", ..." if len(words) > MAX_ITEMS else "")
    return f"expected {'one of ' if len(words) > 1 else ''}{listed}; found {found}"


def explain_syntax_error(query: str, engine_message: str) -> SyntaxExplanation:
    """pyoxigraph's message about `query` as one readable line with its position (1-based)."""
    match = _ENGINE_MESSAGE.match(engine_message)
    if not match:
        return SyntaxExplanation(_shorten(" ".join(engine_message.split())), None, None)
    line, column = int(match.group(1)), int(match.group(2))
    offset = _offset(query, line, column)
    items = _items(match.group(3))
    specific = _specific(query, items, offset)
    if specific is not None:
        return specific
    message = f"syntax error at line {line}, column {column}: {_expectation(query, items, offset)}"
    return SyntaxExplanation(_shorten(message), line, column)

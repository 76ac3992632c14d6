"""The terminals of the SPARQL 1.1 grammar (Query spec, section 19.8), read by longest match.

A `Scanner` reads one dialect of the query text left to right: at each position every terminal
production is tried and the longest match is the token ("tokenization is longest match").
Keywords are case-insensitive, except `a`. Two dialects differ in where codepoint escapes
(\\uXXXX, \\UXXXXXXXX) count:

* SPEC: the spec replaces them anywhere in the query before parsing;
* PYOXIGRAPH: pyoxigraph replaces them only inside strings and IRIs; its local names also take at
  most one run of dots (`ex:a.b.c` is `ex:a.b`, `.`, `c`).

Lines are counted at LF and columns in characters, both from 1, as pyoxigraph reports them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import NamedTuple


class Kind(str, Enum):
    """The terminals of section 19.8, and KEYWORD and PUNCT for the grammar's literal strings."""

    IRIREF = "IRIREF"
    PNAME_NS = "PNAME_NS"
    PNAME_LN = "PNAME_LN"
    BLANK_NODE_LABEL = "BLANK_NODE_LABEL"
    VAR1 = "VAR1"
    VAR2 = "VAR2"
    LANGTAG = "LANGTAG"
    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    DOUBLE = "DOUBLE"
    INTEGER_POSITIVE = "INTEGER_POSITIVE"
    DECIMAL_POSITIVE = "DECIMAL_POSITIVE"
    DOUBLE_POSITIVE = "DOUBLE_POSITIVE"
    INTEGER_NEGATIVE = "INTEGER_NEGATIVE"
    DECIMAL_NEGATIVE = "DECIMAL_NEGATIVE"
    DOUBLE_NEGATIVE = "DOUBLE_NEGATIVE"
    STRING_LITERAL1 = "STRING_LITERAL1"
    STRING_LITERAL2 = "STRING_LITERAL2"
    STRING_LITERAL_LONG1 = "STRING_LITERAL_LONG1"
    STRING_LITERAL_LONG2 = "STRING_LITERAL_LONG2"
    NIL = "NIL"
    ANON = "ANON"
    KEYWORD = "KEYWORD"
    PUNCT = "PUNCT"


NUMBERS = frozenset(k for k in Kind if k.name.split("_")[0] in {"INTEGER", "DECIMAL", "DOUBLE"})
STRINGS = frozenset(k for k in Kind if k.name.startswith("STRING_LITERAL"))
PREFIXED_NAMES = frozenset({Kind.PNAME_NS, Kind.PNAME_LN})

# Every keyword of SPARQL 1.1 Query and Update, plus the SPARQL 1.2 ones pyoxigraph 0.5 reads.
KEYWORDS = frozenset("""
    BASE PREFIX VERSION SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED
    GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND
    MINUS UNION FILTER NOT IN EXISTS LATERAL TRUE FALSE
    LOAD INTO CLEAR DROP CREATE ADD TO MOVE COPY INSERT DELETE DATA WITH USING DEFAULT ALL
    STR LANG LANGMATCHES LANGDIR DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT
    STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH
    DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512
    COALESCE IF STRLANG STRLANGDIR STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC
    HASLANG HASLANGDIR ISTRIPLE TRIPLE SUBJECT PREDICATE OBJECT ADJUST REGEX SUBSTR REPLACE
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR
""".split())
_KEYWORD_LENGTHS = sorted({len(k) for k in KEYWORDS} | {1}, reverse=True)  # 1: `a`

# Longest first, so that the first one that matches is the longest.
PUNCTUATION = ("<<(", ")>>", "^^", "&&", "||", "!=", "<=", ">=", "<<", ">>", "{|", "|}",
               "{", "}", "(", ")", "[", "]", ";", ",", ".", "=", "<", ">", "!", "+", "-", "*",
               "/", "^", "|", "?", "~")
_PUNCTUATION_BY_FIRST: dict[str, tuple[str, ...]] = {
    first: tuple(p for p in PUNCTUATION if p[0] == first) for first in {p[0] for p in PUNCTUATION}}
OPENERS = frozenset({"{", "(", "[", "<<", "<<(", "{|"})
CLOSERS = frozenset({"}", ")", "]", ">>", ")>>", "|}"})

_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_VARNAME = f"[{_CHARS_U}0-9][{_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_PN_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_LOCAL_START = f"(?:[{_CHARS_U}:0-9]|{_PLX})"
_LOCAL_CHAR = f"(?:[{_CHARS}:]|{_PLX})"
_PN_LOCAL = f"{_LOCAL_START}(?:(?:{_LOCAL_CHAR}|\\.)*{_LOCAL_CHAR})?"
_PN_LOCAL_ONE_DOT_RUN = f"{_LOCAL_START}{_LOCAL_CHAR}*(?:\\.+{_LOCAL_CHAR}+)?"
_EXPONENT = "[eE][+-]?[0-9]+"
_ECHAR = r"\\[tbnrf\\\"']"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRI_CHAR = "[^<>\"{}|^`\\\\\x00-\x20]"
_KEYWORD_WORD = re.compile("[A-Za-z][A-Za-z0-9_]{0,%d}" % (max(map(len, KEYWORDS)) - 1))
_WORD = re.compile("[A-Za-z][A-Za-z0-9_]{0,39}")
_NAME_RUN = re.compile(f"[{_CHARS}.]*")
_TRIVIA = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@lru_cache(maxsize=None)
def _productions(escapes_in_terms: bool, one_dot_run: bool) -> dict[str, list[tuple[Kind, re.Pattern[str]]]]:
    """The terminal productions as regular expressions, in the spec's order."""
    escape = f"(?:{_ECHAR}|{_UCHAR})" if escapes_in_terms else _ECHAR
    iri_char = f"(?:{_IRI_CHAR}|{_UCHAR})" if escapes_in_terms else _IRI_CHAR
    local = _PN_LOCAL_ONE_DOT_RUN if one_dot_run else _PN_LOCAL
    number = {Kind.INTEGER: "[0-9]+", Kind.DECIMAL: r"[0-9]*\.[0-9]+",
              Kind.DOUBLE: fr"(?:[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT})"}
    table: list[tuple[Kind, str]] = [
        (Kind.IRIREF, f"<{iri_char}*>"),
        (Kind.PNAME_LN, f"(?:{_PN_PREFIX})?:{local}"),
        (Kind.PNAME_NS, f"(?:{_PN_PREFIX})?:"),
        (Kind.BLANK_NODE_LABEL, f"_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?"),
        (Kind.VAR1, rf"\?{_VARNAME}"),
        (Kind.VAR2, rf"\${_VARNAME}"),
        (Kind.LANGTAG, "@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?"),  # with 1.2's direction
        *((kind, pattern) for kind, pattern in number.items()),
        *((Kind[f"{kind.name}_POSITIVE"], rf"\+{pattern}") for kind, pattern in number.items()),
        *((Kind[f"{kind.name}_NEGATIVE"], f"-{pattern}") for kind, pattern in number.items()),
        (Kind.STRING_LITERAL_LONG1, f"'''(?:(?:'|'')?(?:[^'\\\\]|{escape}))*'''"),
        (Kind.STRING_LITERAL_LONG2, f'"""(?:(?:"|"")?(?:[^"\\\\]|{escape}))*"""'),
        (Kind.STRING_LITERAL1, f"'(?:[^'\\\\\\n\\r]|{escape})*'"),
        (Kind.STRING_LITERAL2, f'"(?:[^"\\\\\\n\\r]|{escape})*"'),
        (Kind.NIL, r"\([ \t\r\n]*\)"),
        (Kind.ANON, r"\[[ \t\r\n]*\]"),
    ]
    compiled = [(kind, re.compile(pattern)) for kind, pattern in table]
    return _by_first_character(compiled)


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_FIRST_CHARACTERS = {Kind.IRIREF: "<", Kind.BLANK_NODE_LABEL: "_", Kind.VAR1: "?", Kind.VAR2: "$",
                     Kind.LANGTAG: "@", Kind.NIL: "(", Kind.ANON: "[", Kind.STRING_LITERAL1: "'",
                     Kind.STRING_LITERAL_LONG1: "'", Kind.STRING_LITERAL2: '"',
                     Kind.STRING_LITERAL_LONG2: '"', Kind.PNAME_LN: ":" + _LETTERS, Kind.PNAME_NS: ":" + _LETTERS}
NON_ASCII = ""  # the key of the productions that can start with a character outside ASCII


def _first_characters(kind: Kind) -> str:
    """The ASCII characters a token of `kind` can start with."""
    if kind in NUMBERS:
        return "+" if kind.name.endswith("POSITIVE") else "-" if kind.name.endswith("NEGATIVE") else "0123456789."
    return _FIRST_CHARACTERS[kind]


def _by_first_character(productions: list[tuple[Kind, re.Pattern[str]]]
                        ) -> dict[str, list[tuple[Kind, re.Pattern[str]]]]:
    """The productions worth trying at each ASCII character, and (key NON_ASCII) at the others:
    only prefixed names start with a character outside ASCII."""
    table: dict[str, list[tuple[Kind, re.Pattern[str]]]] = {NON_ASCII: []}
    for kind, pattern in productions:
        for char in _first_characters(kind):
            table.setdefault(char, []).append((kind, pattern))
        if kind in PREFIXED_NAMES:
            table[NON_ASCII].append((kind, pattern))
    return table


@dataclass(frozen=True)
class Dialect:
    """How a reader of SPARQL treats codepoint escapes and dots in local names."""

    name: str
    escapes_everywhere: bool
    one_dot_run_in_local_names: bool

    def productions(self) -> dict[str, list[tuple[Kind, re.Pattern[str]]]]:
        return _productions(not self.escapes_everywhere, self.one_dot_run_in_local_names)


SPEC = Dialect("the SPARQL 1.1 spec", escapes_everywhere=True, one_dot_run_in_local_names=False)
PYOXIGRAPH = Dialect("pyoxigraph", escapes_everywhere=False, one_dot_run_in_local_names=True)


class Token(NamedTuple):
    """One terminal: its kind, its text as the dialect reads it, and where it is in the query."""

    kind: Kind
    text: str
    offset: int  # in the query as written, like `end`
    end: int
    line: int
    column: int

    @property
    def keyword(self) -> str | None:
        """The keyword upper-cased (`a` as "A"), or None for other tokens."""
        return self.text.upper() if self.kind is Kind.KEYWORD else None

    @property
    def prefix(self) -> str | None:
        """The prefix of a prefixed name, without its colon."""
        return self.text.split(":", 1)[0] if self.kind in PREFIXED_NAMES else None

    @property
    def local_name(self) -> str | None:
        return self.text.split(":", 1)[1] if self.kind is Kind.PNAME_LN else None


class LexicalError(ValueError):
    """Text where no terminal of the grammar starts."""

    def __init__(self, message: str, line: int, column: int, offset: int) -> None:
        super().__init__(f"{message} at line {line}, column {column}")
        self.reason = message
        self.line = line
        self.column = column
        self.offset = offset


class Lexeme(NamedTuple):
    """A token and the position (in the scanner's text) where the next one starts."""

    token: Token
    next_position: int


def decode_codepoint_escapes(text: str) -> tuple[str, list[int] | None]:
    """The text with \\u and \\U escapes replaced, and each character's offset in `text`
    (plus the end), or None when there is nothing to replace."""
    if "\\u" not in text and "\\U" not in text:
        return text, None
    decoded: list[str] = []
    origin: list[int] = []
    position = 0
    for match in _CODEPOINT_ESCAPE.finditer(text):
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF:
            continue
        decoded.append(text[position:match.start()])
        origin.extend(range(position, match.start()))
        decoded.append(chr(code))
        origin.append(match.start())
        position = match.end()
    decoded.append(text[position:])
    origin.extend(range(position, len(text) + 1))
    return "".join(decoded), origin


class Scanner:
    """Reads tokens of one dialect from any position of a query."""

    def __init__(self, query: str, dialect: Dialect = SPEC) -> None:
        self.query = query
        self.dialect = dialect
        if dialect.escapes_everywhere:
            self.text, self._origin = decode_codepoint_escapes(query)
        else:
            self.text, self._origin = query, None
        self._productions = dialect.productions()
        self._line_starts = [0] + [i + 1 for i, c in enumerate(query) if c == "\n"]
        self._run = (0, 0)  # the last run of name characters measured: (start, end)

    def original_offset(self, position: int) -> int:
        return position if self._origin is None else self._origin[position]

    def line_column(self, offset: int) -> tuple[int, int]:
        """Line and column (from 1) of an offset in the query as written."""
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def skip_trivia(self, position: int) -> int:
        """The position after any white space and comments (a comment ends at CR or LF)."""
        match = _TRIVIA.match(self.text, position)
        return match.end() if match else position

    def make(self, kind: Kind, start: int, end: int) -> Lexeme:
        offset = self.original_offset(start)
        line, column = self.line_column(offset)
        token = Token(kind, self.text[start:end], offset, self.original_offset(end), line, column)
        return Lexeme(token, self.skip_trivia(end))

    def error(self, position: int) -> LexicalError:
        offset = self.original_offset(position)
        line, column = self.line_column(offset)
        return LexicalError(_describe_unreadable(self.text, position), line, column, offset)

    def _may_start_prefixed_name(self, position: int) -> bool:
        """Whether a colon ends the run of name characters at `position` (a prefix needs one); the
        run is measured once however many of its positions are asked about."""
        start, end = self._run
        if not start <= position < end:
            end = _NAME_RUN.match(self.text, position).end()  # type: ignore[union-attr]
            self._run = (position, end)
        return self.text.startswith(":", end)

    def longest_match(self, position: int) -> Lexeme:
        """The token that starts at `position` by longest match; raises LexicalError."""
        text = self.text
        first = text[position]
        best_kind, best_end = None, position
        candidates = self._productions.get(first) if first < "\x80" else self._productions[NON_ASCII]
        names = first == ":" or self._may_start_prefixed_name(position)
        for kind, pattern in candidates or ():
            if kind in PREFIXED_NAMES and not names:
                continue
            match = pattern.match(text, position)
            if match and match.end() > best_end:
                best_kind, best_end = kind, match.end()
        if "A" <= first <= "Z" or "a" <= first <= "z":
            lengths = self.keyword_lengths(position)
            if lengths and position + lengths[0] > best_end:
                best_kind, best_end = Kind.KEYWORD, position + lengths[0]
        punct = next((p for p in _PUNCTUATION_BY_FIRST.get(first, ()) if text.startswith(p, position)), None)
        if punct and position + len(punct) > best_end:
            best_kind, best_end = Kind.PUNCT, position + len(punct)
        if best_kind is None:
            raise self.error(position)
        return self.make(best_kind, position, best_end)

    def keyword_lengths(self, position: int) -> list[int]:
        """Lengths of the keywords that the text at `position` starts with, longest first."""
        match = _KEYWORD_WORD.match(self.text, position)
        if not match:
            return []
        word = match.group()
        return [n for n in _KEYWORD_LENGTHS if n <= len(word) and (
            word[:n] == "a" if n == 1 else word[:n].upper() in KEYWORDS)]

    def tokens(self) -> list[Token]:
        """All tokens by longest match, left to right; raises LexicalError."""
        found: list[Token] = []
        position = self.skip_trivia(0)
        while position < len(self.text):
            lexeme = self.longest_match(position)
            found.append(lexeme.token)
            position = lexeme.next_position
        return found


def _describe_unreadable(text: str, position: int) -> str:
    char = text[position]
    if char in "\"'":
        return "a string that is not closed (a short string must end on its line)"
    if char == "\\":
        return "a backslash outside a string, IRI or local name"
    word = _WORD.match(text, position)
    if word:
        return f"`{word.group()[:40]}` is not a keyword (a prefixed name needs a colon)"
    return f"unexpected character {char!r}"


def tokenize(query: str, dialect: Dialect = SPEC) -> list[Token]:
    """The query's tokens as `dialect` reads them, by longest match; raises LexicalError."""
    return Scanner(query, dialect).tokens()


def spec_tokens(query: str) -> list[Token]:
    """The spec's reading: codepoint escapes replaced everywhere first."""
    return tokenize(query, SPEC)


def engine_tokens(query: str) -> list[Token]:
    """pyoxigraph's reading: escapes only inside strings and IRIs, one run of dots in local names."""
    return tokenize(query, PYOXIGRAPH)

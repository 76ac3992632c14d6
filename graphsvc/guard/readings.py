"""Every way a query's characters can be read as tokens, by the spec's longest match and by the
other readings that pyoxigraph's parser can take.

pyoxigraph parses with a backtracking PEG parser that has no tokenizer: each grammar rule reads
characters. Besides the longest-match token, at some places it may read:

* NAMESPACE_ONLY: `p:local` as `p:` then `local`, when `p:local` does not make a valid IRI;
* LESS_THAN: `<` after an operand as the operator, not the start of an IRI (`1<2)SERVICE:x#>`).

A `Reading` explores both as a graph of states (a position, and whether the token before ends
an operand), each state visited once. pyoxigraph also matches keywords on their length alone and
retries a failed rule another way, so it may read a keyword where a longer word only starts with
it (`SERVICEx:y` as SERVICE then `x:y`); `keyword_inside` finds those in prefixes.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import NamedTuple

from graphsvc.guard.iris import is_plainly_valid, resolve
from graphsvc.guard.lexer import (
    CLOSERS, KEYWORDS, NUMBERS, OPENERS, PREFIXED_NAMES, STRINGS, Dialect, Kind, Lexeme,
    LexicalError, Scanner, Token,
)

_LOCAL_ESCAPE = re.compile(r"\\(.)")
_KEYWORDS_AND_A = KEYWORDS | {"A"}  # matched after folding to capitals
_NUMBER_IN_NAME = re.compile(r"[.\-]|[0-9]+(?:\.[0-9]+)?(?:[eE][0-9]+)?")
_OPERAND_KINDS = NUMBERS | STRINGS | PREFIXED_NAMES | {
    Kind.VAR1, Kind.VAR2, Kind.IRIREF, Kind.LANGTAG, Kind.NIL, Kind.ANON, Kind.BLANK_NODE_LABEL}
_OPERAND_PUNCT = frozenset({")", "]", ">>", ")>>"})
_OPERAND_KEYWORDS = frozenset({"TRUE", "FALSE", "UNDEF"})


class Reason(Enum):
    LONGEST_MATCH = "longest match"
    NAMESPACE_ONLY = "namespace only"
    LESS_THAN = "less than"


class State(NamedTuple):
    position: int  # in the scanner's text, at the start of a token (or the end)
    after_operand: bool  # only kept where it matters: when the next token starts with `<`


class Step(NamedTuple):
    token: Token
    target: State
    reason: Reason


class Found(NamedTuple):
    """A token of some reading, with the alternative step that led to it (None: longest match)."""

    token: Token
    via: Step | None


def local_name_value(local: str) -> str:
    """A local name with its backslash escapes removed (percent escapes stay)."""
    return _LOCAL_ESCAPE.sub(r"\1", local)


def _ascii_fold(char: str) -> str:
    """The ASCII capital a character stands for in a case-insensitive reading (`ſ` is S), or
    the character itself."""
    for folded in (char.upper(), char.lower().upper()):
        if len(folded) == 1 and "A" <= folded <= "Z":
            return folded
    return char


def _keyword_sequence(text: str) -> bool:
    """Whether `text` is keywords, dots, minus signs and numbers one after the other, or empty
    (`true`, `true.`, `a1.`)."""
    reachable = {0}
    for start in range(len(text)):
        if start not in reachable:
            continue
        number = _NUMBER_IN_NAME.match(text, start)
        if number:
            reachable.add(number.end())
        reachable.update(start + n for n in range(1, min(len(text) - start, 14) + 1)
                         if text[start:start + n].upper() in _KEYWORDS_AND_A)
    return len(text) in reachable


def keyword_inside(token: Token, keyword: str) -> int | None:
    """Where in a prefixed name's prefix a parser matching keywords by length alone can read
    `keyword` after keywords only (`SERVICEx:`, `trueSERVICE:`); None if nowhere."""
    if token.kind not in PREFIXED_NAMES:
        return None
    prefix = "".join(map(_ascii_fold, token.prefix or ""))
    at = prefix.find(keyword)
    while at >= 0:
        if _keyword_sequence(prefix[:at]):
            return at
        at = prefix.find(keyword, at + 1)
    return None


def ends_operand(token: Token) -> bool:
    if token.kind is Kind.PUNCT:
        return token.text in _OPERAND_PUNCT
    if token.kind is Kind.KEYWORD:
        return token.text.upper() in _OPERAND_KEYWORDS
    return token.kind in _OPERAND_KINDS


def nesting_change(token: Token) -> int:
    if token.kind is Kind.PUNCT:
        return 1 if token.text in OPENERS else -1 if token.text in CLOSERS else 0
    return 0


@dataclass
class Prologue:
    """The BASE and PREFIX declarations at the start of a query, namespaces resolved."""

    base: str | None = None
    namespaces: dict[str, str] = field(default_factory=dict)

    def absolute(self, iri: str) -> str:
        return resolve(self.base, iri) if self.base and not _has_scheme(iri) else iri

    def expand(self, token: Token) -> str | None:
        """The IRI that a prefixed name stands for, or None when its prefix is not declared."""
        namespace = self.namespaces.get(token.prefix or "")
        if namespace is None:
            return None
        return namespace + local_name_value(token.local_name or "")


def _has_scheme(iri: str) -> bool:
    return re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) is not None


def iri_value(token: Token) -> str:
    """The IRI written in an IRIREF token, its codepoint escapes decoded."""
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                  lambda m: chr(int(m.group(1) or m.group(2), 16)), token.text[1:-1])


def read_prologue(tokens: list[Token]) -> tuple[Prologue, int]:
    """The declarations at the start of `tokens`, and the index of the first token after them."""
    prologue = Prologue()
    index = 0
    while index < len(tokens):
        word = tokens[index].keyword
        rest = tokens[index + 1:index + 3]
        if word == "BASE" and rest and rest[0].kind is Kind.IRIREF:
            prologue.base = prologue.absolute(iri_value(rest[0]))
            index += 2
        elif (word == "PREFIX" and len(rest) == 2 and rest[0].kind is Kind.PNAME_NS
              and rest[1].kind is Kind.IRIREF):
            prologue.namespaces[rest[0].prefix or ""] = prologue.absolute(iri_value(rest[1]))
            index += 3
        elif word == "VERSION" and rest and rest[0].kind in STRINGS:
            index += 2
        else:
            break
    return prologue, index


class Reading:
    """All tokenizations of a query in one dialect."""

    def __init__(self, query: str, dialect: Dialect, depth_limit: int) -> None:
        self.dialect = dialect
        self.scanner = Scanner(query, dialect)
        self.prologue = read_prologue(self._leading_tokens())[0]
        self.depth_limit = depth_limit
        self.start = State(self.scanner.skip_trivia(0), False)
        self.steps: dict[State, list[Step]] = {}
        self.errors: dict[State, LexicalError] = {}
        self.found: list[Found] = []
        self.too_deep: Token | None = None  # the first token that opens more than depth_limit
        self._explore()
        self.live = self._live_states()

    def _leading_tokens(self) -> list[Token]:
        tokens: list[Token] = []
        position = self.scanner.skip_trivia(0)
        try:
            while position < len(self.scanner.text) and len(tokens) < 3 * 1000:
                lexeme = self.scanner.longest_match(position)
                tokens.append(lexeme.token)
                if lexeme.token.kind is Kind.KEYWORD and lexeme.token.keyword not in {
                        "BASE", "PREFIX", "VERSION"}:
                    break
                position = lexeme.next_position
        except LexicalError:
            pass
        return tokens

    def _candidates(self, state: State) -> list[tuple[Lexeme, Reason]]:
        scanner, position = self.scanner, state.position
        default = scanner.longest_match(position)
        token = default.token
        found = [(default, Reason.LONGEST_MATCH)]
        if token.kind is Kind.PNAME_LN:
            expanded = self.prologue.expand(token)
            if expanded is not None and not is_plainly_valid(expanded):
                end = position + len(token.prefix or "") + 1
                found.append((scanner.make(Kind.PNAME_NS, position, end), Reason.NAMESPACE_ONLY))
        text = scanner.text
        if (state.after_operand and text.startswith("<", position)
                and (token.kind is Kind.IRIREF or token.text in ("<<", "<<("))):
            end = position + (2 if text.startswith("<=", position) else 1)
            found.append((scanner.make(Kind.PUNCT, position, end), Reason.LESS_THAN))
        return found

    def _explore(self) -> None:
        text = self.scanner.text
        end = len(text)
        depth = {self.start: 0}
        via: dict[State, Step | None] = {self.start: None}
        queue = [(self.start.position, self.start.after_operand)]
        queued = {self.start}
        while queue:
            state = State(*heapq.heappop(queue))
            if state.position >= end:
                self.steps[state] = []
                continue
            try:
                candidates = self._candidates(state)
            except LexicalError as error:
                self.errors[state] = error
                continue
            steps = []
            for lexeme, reason in candidates:
                target = State(lexeme.next_position, ends_operand(lexeme.token)
                               and text.startswith("<", lexeme.next_position))
                step = Step(lexeme.token, target, reason)
                steps.append(step)
                leading = step if reason is not Reason.LONGEST_MATCH else via[state]
                self.found.append(Found(lexeme.token, leading))
                level = depth[state] + nesting_change(lexeme.token)
                if level > self.depth_limit and self.too_deep is None:
                    self.too_deep = lexeme.token
                if target not in depth or level > depth[target]:
                    depth[target] = level
                via.setdefault(target, leading)
                if target not in queued:
                    queued.add(target)
                    heapq.heappush(queue, (target.position, target.after_operand))
            self.steps[state] = steps

    def _live_states(self) -> set[State]:
        live: set[State] = set()
        end = len(self.scanner.text)
        for state in sorted(self.steps, key=lambda s: -s.position):
            if state.position >= end or any(step.target in live for step in self.steps[state]):
                live.add(state)
        return live

    @property
    def readable(self) -> bool:
        return self.start in self.live

    def principal_tokens(self) -> list[Token]:
        return list(self.principal)

    @cached_property
    def principal(self) -> tuple[Token, ...]:
        """The preferred complete reading: longest match wherever that leads to the end, else
        the first alternative that does; when none does, the longest-match tokens before the
        first lexical error."""
        tokens: list[Token] = []
        state = self.start
        while self.steps.get(state):
            steps = self.steps[state]
            step = next((s for s in steps if s.target in self.live), steps[0])
            tokens.append(step.token)
            state = step.target
        return tuple(tokens)

    def first_error(self) -> LexicalError | None:
        """The lexical error that the longest-match reading runs into, if any."""
        state = self.start
        while state not in self.errors:
            steps = self.steps.get(state)
            if not steps:
                return None
            state = steps[0].target
        return self.errors[state]

"""A source text as spaCy sees it: tokens without the layout's whitespace, sentences, paragraphs.

The text is tokenised by a blank English spaCy pipeline (no model). Whitespace tokens (line
breaks, runs of spaces) are left out of the working `Doc`, so that a name broken over two lines
("Trade and\\nIndustry") still matches as one phrase; every token keeps its offsets in the original
text, counted in code points like evidence offsets. Sentences come from spaCy's sentencizer,
after a pipeline component that starts a sentence where the layout does: a new paragraph, a
bullet or a numbered item, a line after a heading or after a line that ends a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

BULLETS = {"-", "•", "*", "–", "—", "·", "▪", "●", "◦"}
SENTENCE_END = set(".:;!?")
_ITEM_MARK = re.compile(r"^(?:[ivxlc]{1,5}|[a-h]|\d{1,2})$", re.IGNORECASE)
_ITEM_NUMBER = re.compile(r"^\d{1,2}\.(?:\d{1,2}\.?)?$")
HEADING_MAX_TOKENS = 12

for _name in ("line_start", "paragraph_start", "bullet"):
    if not Token.has_extension(_name):
        Token.set_extension(_name, default=False)


@Language.component("layout_sentences")
def layout_sentences(doc: Doc) -> Doc:
    """Start a sentence where the layout starts one (before the sentencizer fills in the rest)."""
    line_first = 0
    for i, token in enumerate(doc):
        if i == 0:
            token.is_sent_start = True
            continue
        if not token._.line_start:
            continue
        previous_line = doc[line_first:i]
        line_first = i
        if token._.bullet or is_numbered_item(token):
            token.is_sent_start = True
            for follower in doc[i + 1:i + 5]:  # the item's words belong to the item's sentence
                follower.is_sent_start = False
                if not follower.is_punct:
                    break
        elif token._.paragraph_start:
            token.is_sent_start = True
        elif previous_line[-1].text in SENTENCE_END:
            token.is_sent_start = True
        elif len(previous_line) <= HEADING_MAX_TOKENS and not previous_line[-1].is_punct:
            token.is_sent_start = True
    return doc


def is_numbered_item(token: Token) -> bool:
    """`i)`, `(ii)`, `3.`, `a)`: the mark of a numbered clause or list item at a line's start."""
    doc = token.doc
    after = doc[token.i + 1].text if token.i + 1 < len(doc) else ""
    if token.text == "(" and token.i + 2 < len(doc):
        return bool(_ITEM_MARK.match(after)) and doc[token.i + 2].text == ")"
    if _ITEM_MARK.match(token.text) and after in {")", "."}:
        return True
    return bool(_ITEM_NUMBER.match(token.text))


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The blank English pipeline: tokenizer (with `/` split off words), layout rules, sentencizer."""
    nlp = spacy.blank("en")
    suffixes = list(nlp.Defaults.suffixes) + [r"/"]
    prefixes = list(nlp.Defaults.prefixes) + [r"/"]
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    nlp.tokenizer.prefix_search = spacy.util.compile_prefix_regex(prefixes).search
    nlp.add_pipe("layout_sentences")
    nlp.add_pipe("sentencizer")
    return nlp


@dataclass(frozen=True)
class Segment:
    """A stretch of the original text: a sentence, a line or a paragraph."""

    start: int
    end: int
    first_token: int
    last_token: int  # exclusive

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


class Document:
    """The text, its working `Doc` and the offsets of each token in the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        nlp = pipeline()
        raw = nlp.tokenizer(text)
        words, spaces, offsets, line_starts, paragraph_starts = [], [], [], [], []
        pending_break = 2  # the first token starts a paragraph
        for token in raw:
            if token.is_space:
                breaks = token.text.count("\n")
                pending_break = max(pending_break, min(breaks, 2))
                if words:
                    spaces[-1] = True
                continue
            prior = raw[token.i - 1] if token.i > 0 else None
            if prior is not None and not prior.is_space and "\n" in prior.whitespace_:
                pending_break = max(pending_break, 1)
            words.append(token.text)
            spaces.append(bool(token.whitespace_))
            offsets.append((token.idx, token.idx + len(token.text)))
            line_starts.append(pending_break >= 1)
            paragraph_starts.append(pending_break >= 2)
            pending_break = 0
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
        for token, line, paragraph in zip(doc, line_starts, paragraph_starts):
            token._.line_start = line
            token._.paragraph_start = paragraph
            token._.bullet = line and token.text in BULLETS
        for _, component in nlp.pipeline:
            doc = component(doc)
        self.doc = doc
        self.offsets = offsets
        self.sentences = [self._segment(s.start, s.end) for s in doc.sents] if len(doc) else []
        self.paragraphs = self._runs(lambda t: t._.paragraph_start)
        self.lines = self._runs(lambda t: t._.line_start)

    # --- offsets -----------------------------------------------------------------------------

    def char_span(self, first_token: int, last_token: int) -> tuple[int, int]:
        """Offsets in the text of tokens first_token..last_token (exclusive)."""
        return self.offsets[first_token][0], self.offsets[last_token - 1][1]

    def span_chars(self, span: Span) -> tuple[int, int]:
        return self.char_span(span.start, span.end)

    def _segment(self, first: int, last: int) -> Segment:
        start, end = self.char_span(first, last)
        return Segment(start, end, first, last)

    def _runs(self, starts: "callable") -> list[Segment]:  # type: ignore[valid-type]
        firsts = [t.i for t in self.doc if t.i == 0 or starts(t)]
        bounds = firsts + [len(self.doc)]
        return [self._segment(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]

    # --- where a token or offset lies ------------------------------------------------------------

    def sentence_of(self, token_index: int) -> Segment:
        return _containing(self.sentences, token_index)

    def paragraph_of(self, token_index: int) -> Segment:
        return _containing(self.paragraphs, token_index)

    def line_of(self, token_index: int) -> Segment:
        return _containing(self.lines, token_index)

    def token_at(self, char: int) -> int:
        """The index of the token that covers (or first follows) a character offset."""
        for i, (start, end) in enumerate(self.offsets):
            if end > char:
                return i
        return len(self.offsets) - 1

    def quote(self, start: int, end: int) -> str:
        return self.text[start:end]


def _containing(segments: list[Segment], token_index: int) -> Segment:
    for segment in segments:
        if segment.first_token <= token_index < segment.last_token:
            return segment
    raise IndexError(token_index)

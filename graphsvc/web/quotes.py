"""Evidence quotes as plain text: the emphasis markup some source texts carry (`**Heading**`) removed.

The quoted span is parsed with markdown-it-py restricted to paragraphs and emphasis, so only
delimiters that Markdown itself would read as emphasis go, and everything else (numbering such as
"ii)", "#", "- ", indentation) stays as the source has it. The text is escaped by the template.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

_EMPHASIS_ONLY = MarkdownIt("zero").enable(["emphasis"])


def plain_text(quote: str) -> str:
    """`quote` without emphasis markup; paragraphs separated by one blank line."""
    paragraphs: list[str] = []
    for token in _EMPHASIS_ONLY.parse(quote):
        if token.type == "inline":
            paragraphs.append("".join(child.content for child in token.children or () if child.type == "text"))
    return "\n\n".join(p for p in paragraphs if p.strip())

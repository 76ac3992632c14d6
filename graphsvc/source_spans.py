"""Reading the span of a source text that a piece of evidence points to, at request time.

The source files live outside the project (graphsvc.project.sources_dir()); nothing of their text
is stored. Offsets are Unicode code points, end exclusive, as data/README.md says.
"""

from __future__ import annotations

import re

from graphsvc import project

_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.txt$")
MAX_SPAN = 5000


def read_span(file_name: str | None, start: int | None, end: int | None) -> str | None:
    """The text between `start` and `end` of a source file, or None when it cannot be read."""
    if not file_name or start is None or end is None or not _FILE_NAME.match(file_name):
        return None
    if start < 0 or end <= start or end - start > MAX_SPAN:
        return None
    folder = project.sources_dir()
    path = folder / file_name
    try:
        if path.resolve().parent != folder.resolve():
            return None
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    if end > len(text):
        return None
    return text[start:end]

"""The catalog of named queries: every queries/*.rq file, with the header it carries.

A header is the leading block of `#+ key: value` comment lines (title, description, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from graphsvc import project

_HEADER_LINE = re.compile(r"^#\+\s*([A-Za-z_][\w-]*)\s*:\s*(.*)$")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    header: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.header.get("title", self.name)

    @property
    def description(self) -> str:
        return self.header.get("description", "")


def parse_named_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        match = _HEADER_LINE.match(line.strip())
        if not match:
            break
        header[match.group(1).lower()] = match.group(2).strip()
    return NamedQuery(name=path.stem, text=text, header=header)


@lru_cache(maxsize=1)
def catalog(folder: Path = project.QUERIES_DIR) -> dict[str, NamedQuery]:
    """All named queries by name (the file name without .rq)."""
    queries = {}
    for path in sorted(folder.glob("*.rq")):
        if not NAME_PATTERN.match(path.stem):
            raise ValueError(f"{path.name}: a named query's file name must be lower-case kebab-case")
        queries[path.stem] = parse_named_query(path)
    return queries

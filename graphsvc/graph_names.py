"""What makes a graph's IRI a trick rather than a name: dot segments, bidirectional controls, and
spellings of a reserved graph that differ from it only where IRIs compare equal or nearly so.

A graph name is stored as it is written, so `.../graph/x/../meta` would be a graph of its own that
every client resolving IRIs takes for the metadata graph; RFC 3987 (section 4.1) forbids the
bidirectional formatting characters in IRIs, since they make one IRI display as another.
"""

from __future__ import annotations

import re

# RFC 3987, 4.1: LRM, RLM, LRE, RLE, PDF, LRO, RLO (and the isolates of later Unicode versions).
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_AUTHORITY = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:)(//[^/?#]*)?")


def trick(iri: str) -> str | None:
    """Why `iri` cannot name a graph written through ingest (None when it can)."""
    for index, char in enumerate(iri):
        if char in BIDI_CONTROLS:
            return (f"holds the bidirectional control U+{ord(char):04X} at character {index + 1}, which IRIs "
                    f"may not hold (RFC 3987, 4.1)")
    path = re.split(r"[?#]", _AUTHORITY.sub("", iri), maxsplit=1)[0]
    if any(re.sub("%2e", ".", segment, flags=re.IGNORECASE) in (".", "..") for segment in path.split("/")):
        return "has a '.' or '..' segment in its path; send the IRI with its dot segments resolved"
    return None


def comparable(iri: str) -> str:
    """The IRI with its scheme and host in lower case (they compare without case, RFC 3986, 6.2.2.1)."""
    return _AUTHORITY.sub(lambda m: m.group(1).lower() + (m.group(2) or "").lower(), iri, count=1)


def names_reserved(iri: str, reserved: str) -> bool:
    """Whether `iri` names the reserved graph `reserved` or something under it: the same IRI, or one
    that goes on from it with '/', '?' or '#' (a reserved name ending in '/' is a whole namespace)."""
    candidate, stem = comparable(iri), reserved.rstrip("/")
    return candidate == stem or (candidate.startswith(stem) and candidate[len(stem)] in "/?#")

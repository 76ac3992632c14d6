"""HTTP content negotiation: pick the best offered media type for an Accept header, by q-value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """How specifically this range matches (2 exact, 1 type/*, 0 */*), or -1 for no match."""
        offered_type, _, offered_sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != offered_type:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == offered_sub else -1


def _parse(accept: str) -> list[_Range]:
    ranges: list[_Range] = []
    for order, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        type_, _, subtype = media.partition("/")
        ranges.append(_Range(type_, subtype, q, order))
    return ranges


def choose(accept: str | None, offered: list[str]) -> str | None:
    """The offered type the client prefers most; ties go to the server's order. None: 406."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _parse(accept)
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for index, media_type in enumerate(offered):
        # The most specific matching range decides this type's quality (RFC 9110, 12.5.1).
        matching = [(r.matches(media_type), r) for r in ranges if r.matches(media_type) >= 0]
        if not matching:
            continue
        specificity, rng = max(matching, key=lambda pair: (pair[0], -pair[1].order))
        if rng.q <= 0:
            continue
        key = (rng.q, specificity, -index)
        if best is None or key > best:
            best, chosen = key, media_type
    return chosen

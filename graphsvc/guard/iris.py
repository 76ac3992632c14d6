"""IRIs in queries: resolving references against a base (RFC 3986, section 5.2) and a strict
test of whether a string is certainly a valid absolute IRI (RFC 3987)."""

from __future__ import annotations

import re

_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.DOTALL)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*$")

_UCS = ("\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF\U00010000-\U0001FFFD\U00020000-\U0002FFFD"
        "\U00030000-\U0003FFFD\U00040000-\U0004FFFD\U00050000-\U0005FFFD\U00060000-\U0006FFFD"
        "\U00070000-\U0007FFFD\U00080000-\U0008FFFD\U00090000-\U0009FFFD\U000A0000-\U000AFFFD"
        "\U000B0000-\U000BFFFD\U000C0000-\U000CFFFD\U000D0000-\U000DFFFD\U000E1000-\U000EFFFD")
_UNRESERVED_OR_SUB = f"A-Za-z0-9\\-._~!$&'()*+,;={_UCS}"
_PCT = "%[0-9A-Fa-f]{2}"
_PCHAR = f"(?:[{_UNRESERVED_OR_SUB}:@]|{_PCT})"
_PLAIN_IRI = re.compile(
    "^[A-Za-z][A-Za-z0-9+.\\-]*:"
    f"(?://(?:(?:[{_UNRESERVED_OR_SUB}:]|{_PCT})*@)?(?:[{_UNRESERVED_OR_SUB}]|{_PCT})*(?::[0-9]*)?"
    f"(?:/{_PCHAR}*)*"
    f"|/?(?:{_PCHAR}+(?:/{_PCHAR}*)*)?)"
    f"(?:\\?(?:{_PCHAR}|[/?\uE000-\uF8FF])*)?"
    f"(?:#(?:{_PCHAR}|[/?])*)?$"
)


def _parts(iri: str) -> tuple[str | None, ...]:
    """Scheme, authority, path, query and fragment (None where absent; the path is never None)."""
    return _PARTS.match(iri).groups()  # type: ignore[union-attr]  # the pattern matches any text


def is_absolute(iri: str) -> bool:
    scheme = _parts(iri)[0]
    return scheme is not None and _SCHEME.match(scheme) is not None


def is_plainly_valid(iri: str) -> bool:
    """True when `iri` is certainly a valid absolute IRI; False when it may not be one (the
    test is stricter than RFC 3987 on IP literals, which it never calls valid)."""
    return _PLAIN_IRI.match(iri) is not None


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            cut = len(path) if cut < 0 else cut
            output.append(path[:cut])
            path = path[cut:]
    return "".join(output)


def resolve(base: str, reference: str) -> str:
    """The reference resolved against an absolute base IRI (RFC 3986, section 5.2.2)."""
    r_scheme, r_authority, r_path, r_query, r_fragment = _parts(reference)
    b_scheme, b_authority, b_path, b_query, _ = _parts(base)
    if r_scheme is not None:
        scheme, authority, path, query = r_scheme, r_authority, _remove_dot_segments(r_path), r_query
    else:
        scheme = b_scheme
        if r_authority is not None:
            authority, path, query = r_authority, _remove_dot_segments(r_path), r_query
        else:
            authority = b_authority
            if not r_path:
                path, query = b_path, (r_query if r_query is not None else b_query)
            else:
                if r_path.startswith("/"):
                    path = _remove_dot_segments(r_path)
                elif b_authority is not None and not b_path:
                    path = _remove_dot_segments("/" + r_path)
                else:
                    path = _remove_dot_segments(b_path[: b_path.rfind("/") + 1] + r_path)
                query = r_query
    result = f"{scheme}:" if scheme is not None else ""
    if authority is not None:
        result += f"//{authority}"
    result += path
    if query is not None:
        result += f"?{query}"
    if r_fragment is not None:
        result += f"#{r_fragment}"
    return result

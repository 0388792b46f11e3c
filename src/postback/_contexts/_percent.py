"""Percent-encoded text, as the ``query`` and ``url`` scanners read it: its characters,
its escapes, and how messages name what must be encoded."""

from __future__ import annotations

from typing import Final

from .._compiler.nodes import Hole, Span
from .._escape import UNRESERVED, percent_encode
from .._messages import describe_char, placeholder_label
from .._problems import Code, Problem

__all__ = [
    "HEX",
    "QUERY_LITERAL",
    "bad_escape",
    "name_and_encoding",
    "placeholder_in_escape",
]

# Query characters are unreserved / pct-encoded / sub-delims / ":" / "@" / "/" / "?"
# (RFC 3986 §3.4).  Of those, '&' and '=' are the structure of a form body and are
# handled by the pair scanner; '%' starts an escape.
QUERY_LITERAL: Final = frozenset(UNRESERVED | set("!$'()*+,;:@/?"))
HEX: Final = frozenset("0123456789abcdefABCDEF")

# How messages name the characters literal URL and form text must encode.
_CHAR_NAMES: Final = {
    " ": "a space",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
}


def name_and_encoding(ch: str, *, plus: bool = False) -> str:
    """Name a character for a message, with how to write it instead.

    ``plus``: the text is form-encoded, where '+' stands for a space.
    """
    name = describe_char(ch, names=_CHAR_NAMES, code_points=False)
    if ch == " " and plus:
        return f"{name} (write + or %20)"
    encoded = percent_encode(ch)
    return name if encoded == ch else f"{name} (write {encoded})"


def bad_escape(code: Code, ch: str, offset: int) -> Problem:
    """Return the problem of ``ch`` where a hex digit of a %XX escape must be."""
    return Problem(
        Span(offset, offset + 1),
        code,
        f"invalid percent-escape: '%' must be followed by two hex digits, found {ch!r} "
        "(write %25 for a literal '%')",
    )


def placeholder_in_escape(node: Hole) -> Problem:
    """Return the problem of a placeholder right after an unfinished %-escape."""
    return Problem(
        node.span,
        Code.PLACEHOLDER_IN_ESCAPE,
        f"{placeholder_label(node)} follows an unfinished %-escape, so the value would "
        "complete it; write %25 for a literal '%'",
    )

"""HTTP header field values (RFC 9110 §5.5): a value can never end the line or start another.

A value is checked, not escaped, when it is rendered: one carrying CR, LF or NUL
("invalid and dangerous"), another C0 control but tab, or DEL raises ``RenderError``
naming the placeholder (no header injection, ever).  Non-ASCII text passes through
(sent as its UTF-8 bytes, which RFC 9110 calls obs-text); lone surrogates become U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Final

from .._errors import RenderError
from .._messages import describe_char
from ._rules import Escape, char_class

__all__ = [
    "HEADER_FORBIDDEN",
    "HEADER_RULES",
    "HTTP_CHAR_NAMES",
    "header_value",
    "http_char_name",
    "make_header_value",
]

_FORBIDDEN: Final = {
    "cr": "\r",
    "lf": "\n",
    "nul": "\x00",
    "controls": "".join(chr(c) for c in range(1, 0x20) if chr(c) not in "\t\n\r"),
    "del": "\x7f",
}
HEADER_RULES: Final = {
    "cr": "a CR would end the header line",
    "lf": "an LF would end the header line",
    "nul": "a NUL ends the value for some receivers",
    "controls": "the other C0 controls (tab excepted) are not allowed in a field value",
    "del": "DEL is not allowed in a field value",
    "lone-surrogates": "UTF-8 cannot carry a lone surrogate: it becomes U+FFFD",
}
HEADER_FORBIDDEN: Final = char_class("".join(_FORBIDDEN.values()))
HTTP_CHAR_NAMES: Final = {
    "\r": "a carriage return (CR)",
    "\n": "a line feed (LF)",
    "\x00": "a NUL character",
    "\x7f": "a DEL character",
}
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def http_char_name(ch: str) -> str:
    """Name a character that an HTTP header value cannot carry."""
    name = describe_char(ch, names=HTTP_CHAR_NAMES)
    return name if not name.startswith("U+") else f"the control character {name}"


def make_header_value(rules: frozenset[str]) -> Callable[[str], Escape]:
    """Return the factory of header-value checks that apply ``rules`` (see ``header_value``)."""
    forbidden = char_class("".join(c for name, c in _FORBIDDEN.items() if name in rules))
    surrogates = "lone-surrogates" in rules

    def checker(label: str) -> Escape:
        field = label.strip("{}")

        def header_value(value: str | None) -> str:
            if value is None:
                return ""
            if value.isprintable():
                return value
            bad = forbidden.search(value)
            if bad is not None:
                ch = bad.group()
                injection = " (header injection)" if ch in "\r\n\x00" else ""
                raise RenderError(
                    f"the value of {label} contains {http_char_name(ch)} at index "
                    f"{bad.start()}, which an HTTP header value cannot carry{injection}; "
                    "clean the record value",
                    field=field,
                )
            if value.isascii() or not surrogates:
                return value
            try:
                value.encode()  # refuses exactly the lone surrogates
            except UnicodeEncodeError:
                return _SURROGATE.sub("\ufffd", value)
            return value

        return header_value

    return checker


header_value: Final = lru_cache(maxsize=1024)(make_header_value(frozenset(HEADER_RULES)))
header_value.__doc__ = """Return the check of a header value for the placeholder ``label`` (``{SubId1}``).

Equal labels give the same function, so equal placeholders get equal contexts.
"""

"""JSON strings (RFC 8259 §7): what a value becomes inside a JSON string literal.

Rules: ``"`` and ``\\`` are escaped with a backslash; U+0000-U+001F as ``\\n``, ``\\t``
and the like or ``\\u00XX``; a lone surrogate, which UTF-8 cannot carry, as
``\\udXXX``.  Every other character, non-ASCII included, is written as it is, so a
strict JSON parser reads back exactly the value (lone surrogates as themselves).

With every rule the standard library's C encoder (``encode_basestring``) does the
work; a test checks it writes exactly what the rule table says.  It writes a lone
surrogate as it is, so it is the whole escaper for text that holds none, such as
ASCII text: render functions call it directly for ASCII text (``JSON_QUOTE_INLINE``,
``JSON_STRING_INLINE``).
"""

from __future__ import annotations

import re
from json.encoder import encode_basestring
from typing import Final

from ._rules import Escape, Escaper, Inline, translation

__all__ = [
    "JSON_QUOTE",
    "JSON_QUOTE_INLINE",
    "JSON_STRING",
    "JSON_STRING_INLINE",
    "json_quote",
    "json_string_body",
    "json_string_table",
]

_SHORT: Final = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_WRITES: Final = {
    "quote": {'"': '\\"'},
    "backslash": {"\\": "\\\\"},
    "line-breaks": {"\n": "\\n", "\r": "\\r"},
    "controls": {
        chr(c): _SHORT.get(chr(c), f"\\u{c:04x}") for c in range(0x20) if chr(c) not in "\n\r"
    },
    "lone-surrogates": {chr(c): f"\\u{c:04x}" for c in range(0xD800, 0xE000)},
}
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _surrogate_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_quote(value: str | None) -> str:
    """Return ``value`` as a JSON string literal, quotes included (None: ``""``)."""
    if value is None:
        return '""'
    out = encode_basestring(value)
    if value.isascii():
        return out
    try:
        # The exact test for a lone surrogate, and the cheapest: the C UTF-8
        # encoder refuses exactly those, and is several times faster than a
        # regular-expression search of the text.
        value.encode()
    except UnicodeEncodeError:
        return _SURROGATE.sub(_surrogate_escape, out)
    return out


def json_string_body(value: str | None) -> str:
    """Return ``value`` escaped for the inside of a JSON string (``json_quote`` without quotes)."""
    if value is None:
        return ""
    out: str = encode_basestring(value)[1:-1]
    if value.isascii():
        return out
    try:
        value.encode()  # refuses exactly the lone surrogates (see json_quote)
    except UnicodeEncodeError:
        return _SURROGATE.sub(_surrogate_escape, out)
    return out


def _build(rules: frozenset[str]) -> Escape:
    if rules == frozenset(_WRITES):
        return json_string_body
    table = translation(_WRITES[name] for name in rules)

    def json_string_body_with(value: str | None) -> str:
        return "" if value is None else value.translate(table)

    return json_string_body_with


def _build_quoted(rules: frozenset[str]) -> Escape:
    if rules == frozenset(_WRITES):
        return json_quote
    body = _build(rules)

    def json_quote_with(value: str | None) -> str:
        return f'"{body(value)}"'

    return json_quote_with


_RULES: Final = {
    "quote": '" would end the string',
    "backslash": "\\ would start an escape",
    "line-breaks": "a raw LF or CR is not allowed inside a JSON string",
    "controls": "the other C0 controls are not allowed inside a JSON string",
    "lone-surrogates": "UTF-8 cannot carry a lone surrogate",
}
JSON_STRING: Final = Escaper("json_string_body", _RULES, _build)
"""The rules of JSON string escaping, for the inside of a string."""
JSON_QUOTE: Final = Escaper("json_quote", _RULES, _build_quoted)
"""The same rules for a whole string literal, quotes included."""


def json_string_table() -> dict[int, str]:
    """Return the ``str.translate`` table of every JSON rule (what the C encoder does)."""
    return translation(_WRITES.values())


# ASCII text (one C check of the string's kind) holds no lone surrogate, the one rule
# the C encoder does not apply.
JSON_QUOTE_INLINE: Final = Inline(
    "{encode_basestring}({v})", "{v}.isascii()", {"encode_basestring": encode_basestring}
)
"""``json_quote`` of ASCII text: the C encoder alone."""
JSON_STRING_INLINE: Final = Inline(
    "{encode_basestring}({v})[1:-1]", "{v}.isascii()", {"encode_basestring": encode_basestring}
)
"""``json_string_body`` of ASCII text: the C encoder alone, quotes sliced off."""

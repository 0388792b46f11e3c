"""Percent-encoding (RFC 3986 §2.1), form-encoding (WHATWG urlencoded) and URL path segments.

Every character but the unreserved ones (``A-Z a-z 0-9 - . _ ~``) is written as the
``%XX`` of its UTF-8 bytes, so a value can hold no ``&``, ``=``, ``#``, ``?``, ``/`` or
``%`` of its own: the receiver's parser gives it back whole, and the pairs and path
segments are the template's.  In a form body a space is ``+``.  Lone surrogates, which
UTF-8 cannot carry, become U+FFFD (``%EF%BF%BD``).

A value made only of unreserved characters is returned as is after one regex
fullmatch; an ASCII value goes through ``str.translate`` with a 128-entry table; other
values through a table that maps each code point to its percent-encoded UTF-8, filled
on demand.  That is two to three times faster than ``urllib.parse.quote_plus`` and
gives the same text (a test checks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Final

from .._errors import RenderError
from ._rules import Escape, Escaper

__all__ = [
    "FORM",
    "PATH_SEGMENT",
    "PERCENT",
    "UNRESERVED",
    "form_encode",
    "path_segment_encode",
    "path_segment_value",
    "percent_encode",
]

UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ALL_UNRESERVED: Final = re.compile(r"[A-Za-z0-9._~\-]*").fullmatch
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# Distinct non-ASCII code points cached per table; past this, values are encoded byte
# by byte instead, so hostile input cannot grow the tables without bound.
_CACHE_LIMIT: Final = 8192

# The reserved characters a mutant may leave raw, by rule.
_RAW: Final = {
    "amp": "&",
    "equals": "=",
    "plus": "+",
    "hash": "#",
    "percent": "%",
    "question": "?",
    "slash": "/",
    "space": " ",
    "controls": "".join(map(chr, range(0x20))) + "\x7f",
    "other-reserved": "!\"$'()*,:;<>@[\\]^`{|}",
}
_RULES: Final = {
    "amp": "& would end the pair",
    "equals": "= would end the key",
    "plus": "+ reads back as a space",
    "hash": "# would start the fragment",
    "percent": "% would start an escape",
    "question": "? would start the query",
    "slash": "/ would start another path segment",
    "space": "a space is not allowed in a URL",
    "controls": "control characters are not allowed in a URL",
    "other-reserved": "the other reserved and unsafe ASCII characters",
    "non-ascii": "a non-ASCII character is written as its UTF-8 bytes",
}


def _byte_escapes(space: str, raw: Iterable[str]) -> tuple[str, ...]:
    keep = UNRESERVED | set(raw)
    out = [chr(b) if chr(b) in keep else f"%{b:02X}" for b in range(256)]
    out[0x20] = " " if " " in keep else space
    return tuple(out)


class _EncodeTable(dict[int, str]):
    """A ``str.translate`` table: code point -> percent-encoded UTF-8, filled on demand."""

    __slots__ = ("escapes",)

    def __init__(self, escapes: tuple[str, ...]) -> None:
        super().__init__((b, escapes[b]) for b in range(128))
        self.escapes = escapes

    def __missing__(self, cp: int) -> str:
        ch = "\ufffd" if 0xD800 <= cp <= 0xDFFF else chr(cp)
        out = "".join([self.escapes[b] for b in ch.encode("utf-8")])
        self[cp] = out
        return out


def _make_encoder(name: str, space: str, rules: frozenset[str]) -> Escape:
    raw = "".join(chars for rule, chars in _RAW.items() if rule not in rules)
    escapes = _byte_escapes(space, raw)
    ascii_table = {b: escapes[b] for b in range(128)}
    table = _EncodeTable(escapes)
    unreserved = _ALL_UNRESERVED
    limit = _CACHE_LIMIT
    utf8 = "non-ascii" in rules

    def encode(value: str | None) -> str:
        if value is None:
            return ""
        if unreserved(value):
            return value
        if value.isascii():
            return value.translate(ascii_table)
        if not utf8:
            return "".join(c if not c.isascii() else c.translate(ascii_table) for c in value)
        if len(table) < limit:
            return value.translate(table)
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError:
            data = _SURROGATE.sub("\ufffd", value).encode("utf-8")
        return "".join(map(escapes.__getitem__, data))

    encode.__name__ = encode.__qualname__ = name
    return encode


FORM: Final = Escaper("form_encode", _RULES, lambda rules: _make_encoder("form_encode", "+", rules))
PERCENT: Final = Escaper(
    "percent_encode", _RULES, lambda rules: _make_encoder("percent_encode", "%20", rules)
)

form_encode: Final = FORM.complete()
form_encode.__doc__ = """Form-encode a value like ``quote_plus(value, safe="")``: every character
but the unreserved ones as ``%XX`` of its UTF-8 bytes, a space as ``+``."""
percent_encode: Final = PERCENT.complete()
percent_encode.__doc__ = """Percent-encode a value like ``quote(value, safe="")``: every character
but the unreserved ones as ``%XX`` of its UTF-8 bytes."""


def _build_segment(rules: frozenset[str]) -> Escape:
    encode = PERCENT.build(rules - {"dot-segments"})
    dots = "dot-segments" in rules

    def path_segment_encode(value: str | None) -> str:
        out = encode(value)
        if dots and out and not out.strip("."):
            return "%2E" * len(out)
        return out

    return path_segment_encode


PATH_SEGMENT: Final = Escaper(
    "path_segment_encode",
    {
        **_RULES,
        "dot-segments": "a value made only of dots would be a dot segment, which "
        "RFC 3986 resolvers remove with the segment before it: written %2E",
    },
    _build_segment,
)
path_segment_encode: Final = PATH_SEGMENT.complete()
path_segment_encode.__doc__ = """Percent-encode ``value`` as one path segment (``quote(value, safe="")``).

A value made only of dots is written as ``%2E``s: RFC 3986 resolvers (urllib3, curl) do
not read them as a dot segment.  WHATWG parsers do, for ``%2E`` and ``%2E%2E``, so this
escaper stands only where the segment has other literal text; elsewhere
``path_segment_value`` refuses those two values.
"""


@lru_cache(maxsize=1024)
def path_segment_value(label: str) -> Callable[[str | None], str]:
    """Return the escaper of the placeholder ``label`` in a path segment that may be only values.

    It writes a value as ``path_segment_encode`` does, but a value ``.`` or ``..``
    raises ``RenderError`` naming the placeholder: alone in its segment it is a dot
    segment, which URL parsers remove (with the segment before it), and WHATWG
    parsers read ``%2E`` as a dot too, so no encoding keeps the segment.
    """
    field = label.strip("{}")

    def path_segment_value(value: str | None) -> str:
        out = percent_encode(value)
        if out and not out.strip("."):
            if len(out) <= 2:
                raise RenderError(
                    f"the value of {label} is {out!r}, which would make a dot segment of its "
                    "path segment: URL parsers remove it (with the segment before it), "
                    "whatever its encoding; clean the record value",
                    field=field,
                )
            return "%2E" * len(out)
        return out

    return path_segment_value

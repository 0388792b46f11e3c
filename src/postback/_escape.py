"""The escapers: the functions that make a value safe for the exact spot it lands in.

This module is postback's security boundary.  Each function below takes a value's
text (or None for a missing value, which it writes as it writes an empty text) and
returns text that a standard parser of the format reads back as exactly
that value (or, for characters the format cannot carry at all, U+FFFD), and that
cannot end, open or change any structure around it.  The compiler picks one per
placeholder at compile time (see ``_contexts``); nothing here decides anything
about the template.

Every function starts with a fast check for the common case where nothing needs
escaping (a regular-expression search, ``str.isascii`` or a C encoder) and only then
replaces characters.  Non-ASCII text is checked for lone surrogates in the same pass
that checks for the other characters to replace, or by the C UTF-8 encoder, never by a
second regular-expression pass over text that has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, Final

from ._errors import RenderError
from ._messages import describe_char

__all__ = [
    "form_encode",
    "header_value",
    "json_quote",
    "json_string_body",
    "path_segment_encode",
    "path_segment_value",
    "percent_encode",
    "xml_attribute",
    "xml_cdata",
    "xml_content",
]

_SURROGATE: Final = re.compile("[\ud800-\udfff]")


# ---------------------------------------------------------------------------
# JSON (RFC 8259 §7)
# ---------------------------------------------------------------------------


def _surrogate_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_quote(value: str | None) -> str:
    """Return ``value`` as a JSON string literal, quotes included.

    ``"``, ``\\`` and U+0000-U+001F are escaped (by the standard library's C
    encoder); a lone surrogate, which UTF-8 cannot carry, becomes ``\\udXXX``.
    Every other character, non-ASCII included, is written as it is.
    """
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


# ---------------------------------------------------------------------------
# XML 1.0 (fifth edition)
# ---------------------------------------------------------------------------

# Code points XML 1.0 cannot carry, not even as character references.  None of them
# is printable, so text for which ``str.isprintable()`` holds (a C loop, far cheaper
# than a search) has none.
_NOT_XML_CLASS: Final = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_NOT_XML: Final = re.compile(f"[{_NOT_XML_CLASS}]")
_CONTENT_SPECIAL: Final = re.compile(f"[&<>\r{_NOT_XML_CLASS}]")
_ATTR_SPECIAL: Final = re.compile(f"[&<>\"'\t\n\r{_NOT_XML_CLASS}]")
_CDATA_SPECIAL: Final = re.compile(f"[\\]>\r{_NOT_XML_CLASS}]")
_CDATA_SPLIT: Final = "]]><![CDATA["


def xml_content(value: str | None, _special: Any = _CONTENT_SPECIAL.search) -> str:
    """Return ``value`` escaped for element content.

    ``&``, ``<`` and ``>`` become entity references and CR ``&#13;`` (a parser would
    turn a raw CR into LF); characters XML cannot carry become U+FFFD.  A trailing
    ``]`` becomes ``&#93;`` so that a literal ``>`` after the placeholder can never
    complete a ``]]>``.
    """
    if value is None:
        return ""
    if _special(value) is None:
        if value[-1:] == "]":
            return value[:-1] + "&#93;"
        return value
    if not value.isprintable() and _NOT_XML.search(value) is not None:
        value = _NOT_XML.sub("\ufffd", value)
    value = (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )
    if value[-1:] == "]":
        return value[:-1] + "&#93;"
    return value


def xml_attribute(value: str | None, _special: Any = _ATTR_SPECIAL.search) -> str:
    """Return ``value`` escaped for a quoted attribute value (either quote).

    ``&``, ``<``, ``>``, ``"`` and ``'`` become references, and tab, LF and CR
    ``&#9;``, ``&#10;`` and ``&#13;`` (a parser would turn raw ones into spaces);
    characters XML cannot carry become U+FFFD.
    """
    if value is None:
        return ""
    if _special(value) is None:
        return value
    if not value.isprintable() and _NOT_XML.search(value) is not None:
        value = _NOT_XML.sub("\ufffd", value)
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def xml_cdata(value: str | None, _special: Any = _CDATA_SPECIAL.search) -> str:
    """Return ``value`` for the inside of a CDATA section.

    ``]]>`` is split across two sections (``]]]]><![CDATA[>``) and CR is carried
    outside the section as ``&#13;``; characters XML cannot carry become U+FFFD.  A
    value that starts with ``]`` or ``>`` or ends with ``]`` is also split off at that
    end, so no ``]]>`` can form with the literal text around the placeholder.
    """
    if value is None:
        return ""
    if _special(value) is None:
        return value
    if not value.isprintable() and _NOT_XML.search(value) is not None:
        value = _NOT_XML.sub("\ufffd", value)
    out = value.replace("]]>", "]]]]><![CDATA[>").replace("\r", "]]>&#13;<![CDATA[")
    if value[:1] in ("]", ">"):
        out = _CDATA_SPLIT + out
    if value[-1:] == "]":
        out += _CDATA_SPLIT
    return out


# ---------------------------------------------------------------------------
# Percent-encoding (RFC 3986 §2.1) and form-encoding (WHATWG URL, urlencoded)
#
# A value made only of unreserved characters (RFC 3986 §2.3) is returned as is
# after one regex fullmatch; an ASCII value goes through ``str.translate`` with a
# 128-entry table; other values through ``str.translate`` with a table that maps
# each code point to its UTF-8 percent-encoding, filled on demand.  That is two to
# three times faster than ``urllib.parse.quote_plus`` and gives the same text (a
# test checks).  Lone surrogates, which UTF-8 cannot carry, become U+FFFD
# (``%EF%BF%BD``).
# ---------------------------------------------------------------------------

UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ALL_UNRESERVED: Final = re.compile(r"[A-Za-z0-9._~\-]*").fullmatch
# Distinct non-ASCII code points cached per table; past this, values are encoded byte
# by byte instead, so hostile input cannot grow the tables without bound.
_CACHE_LIMIT: Final = 8192


def _byte_escapes(space: str) -> tuple[str, ...]:
    out = [chr(b) if chr(b) in UNRESERVED else f"%{b:02X}" for b in range(256)]
    out[0x20] = space
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


def _make_encoder(name: str, space: str, doc: str) -> Callable[[str | None], str]:
    escapes = _byte_escapes(space)
    ascii_table = {b: escapes[b] for b in range(128)}
    table = _EncodeTable(escapes)
    unreserved = _ALL_UNRESERVED
    limit = _CACHE_LIMIT

    def encode(value: str | None) -> str:
        if value is None:
            return ""
        if unreserved(value):
            return value
        if value.isascii():
            return value.translate(ascii_table)
        if len(table) < limit:
            return value.translate(table)
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError:
            data = _SURROGATE.sub("\ufffd", value).encode("utf-8")
        return "".join(map(escapes.__getitem__, data))

    encode.__name__ = encode.__qualname__ = name
    encode.__doc__ = doc
    return encode


form_encode: Final = _make_encoder(
    "form_encode",
    "+",
    """Form-encode a value like ``quote_plus(value, safe="")``: every character but the
    unreserved ones as ``%XX`` of its UTF-8 bytes, a space as ``+``.""",
)
percent_encode: Final = _make_encoder(
    "percent_encode",
    "%20",
    """Percent-encode a value like ``quote(value, safe="")``: every character but the
    unreserved ones as ``%XX`` of its UTF-8 bytes.""",
)


def path_segment_encode(value: str | None) -> str:
    """Percent-encode ``value`` as one path segment (``quote(value, safe="")``).

    A value made only of dots is written as ``%2E``s: RFC 3986 resolvers (urllib3,
    curl) do not read them as a dot segment.  WHATWG parsers do, for ``%2E`` and
    ``%2E%2E``, so this escaper stands only where the segment has other literal text;
    elsewhere ``path_segment_value`` refuses those two values.
    """
    out = percent_encode(value)
    if out and not out.strip("."):
        return "%2E" * len(out)
    return out


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


# ---------------------------------------------------------------------------
# HTTP header field values (RFC 9110 §5.5)
# ---------------------------------------------------------------------------

# CR, LF and NUL are "invalid and dangerous"; the other C0 controls (tab excepted)
# and DEL are invalid.
HEADER_FORBIDDEN: Final = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
HTTP_CHAR_NAMES: Final = {
    "\r": "a carriage return (CR)",
    "\n": "a line feed (LF)",
    "\x00": "a NUL character",
    "\x7f": "a DEL character",
}


def http_char_name(ch: str) -> str:
    """Name a character that an HTTP header value cannot carry."""
    name = describe_char(ch, names=HTTP_CHAR_NAMES)
    return name if not name.startswith("U+") else f"the control character {name}"


@lru_cache(maxsize=1024)
def header_value(label: str) -> Callable[[str | None], str]:
    """Return the check of a header value for the placeholder ``label`` (``{SubId1}``).

    A value carrying CR, LF, NUL, another C0 control (tab excepted) or DEL raises
    ``RenderError`` naming the placeholder: no value can end the header line or
    start another.  Non-ASCII text passes through (sent as UTF-8 octets, which RFC
    9110 calls obs-text); lone surrogates become U+FFFD.
    """
    field = label.strip("{}")

    def header_value(value: str | None) -> str:
        if value is None:
            return ""
        if value.isprintable():
            return value
        bad = HEADER_FORBIDDEN.search(value)
        if bad is not None:
            ch = bad.group()
            injection = " (header injection)" if ch in "\r\n\x00" else ""
            raise RenderError(
                f"the value of {label} contains {http_char_name(ch)} at index {bad.start()}, "
                f"which an HTTP header value cannot carry{injection}; clean the record value",
                field=field,
            )
        if value.isascii():
            return value
        try:
            value.encode()  # refuses exactly the lone surrogates (see json_quote)
        except UnicodeEncodeError:
            return _SURROGATE.sub("\ufffd", value)
        return value

    return header_value

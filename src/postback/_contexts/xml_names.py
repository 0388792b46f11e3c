"""XML names, characters and references, as the XML scanner checks them in template text."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from .._compiler.nodes import Hole, Span, Text
from .._messages import placeholder_label
from .._problems import Code, Problem
from .xml_state import invalid

__all__ = [
    "NAME_RUN",
    "NAME_START",
    "NOT_XML_RUN",
    "REF_RUN",
    "WS",
    "WS_CHARS",
    "decode_reference",
    "holds_placeholder",
    "name_problem",
    "placeholder_in_reference",
    "placeholder_in_tag_name",
    "unportable_name",
]

# A run of the code points XML 1.0 cannot carry, not even as character references
# (the escapers replace the same ones in values).
NOT_XML_RUN: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]+")

_NAME_START_CLASS: Final = (
    ":A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CLASS: Final = _NAME_START_CLASS + "\\-.0-9\xb7\u0300-\u036f\u203f-\u2040"
NAME_START: Final = re.compile(f"[{_NAME_START_CLASS}]").match
NAME_RUN: Final = re.compile(f"[{_NAME_CLASS}]*").match
_NAME: Final = re.compile(f"[{_NAME_START_CLASS}][{_NAME_CLASS}]*").fullmatch
WS: Final = re.compile(r"[ \t\r\n]*").match
WS_CHARS: Final = frozenset(" \t\r\n")
REF_RUN: Final = re.compile(f"[#{_NAME_CLASS}]*").match

_PREDEFINED: Final = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

# The digits of character references: ASCII only (``int`` would take other digits too).
_DECIMAL_DIGITS: Final = re.compile("[0-9]+").fullmatch
_HEX_DIGITS: Final = re.compile("[0-9A-Fa-f]+").fullmatch
_LAST_CHAR: Final = 0x10FFFF
# The most digits, leading zeros stripped, of a number up to 0x10FFFF (1114111).
_MAX_DECIMAL: Final = 7
_MAX_HEX: Final = 6
# The longest reference a message quotes whole.
_SHOWN_REFERENCE: Final = 40


def holds_placeholder(name: str) -> bool:
    """Whether a name read by the scanner had a placeholder in it.

    A name holding a placeholder is refused where the placeholder stands; the scanner
    may read on with the placeholder's label (``{Status}``) in the name, and no XML
    name can contain a '{'.
    """
    return "{" in name


def _expat_reads(name: str) -> bool:
    """Whether expat takes ``name`` as an element name."""
    # expat loads only for a non-ASCII name, which few templates have.
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        parser.Parse(f"<{name}/>".encode(), True)
    except expat.ExpatError:
        return False
    return True


_expat_accepts: Final = lru_cache(maxsize=256)(_expat_reads)


@lru_cache(maxsize=1024)
def name_problem(name: str) -> str | None:
    """Return why ``name`` is not a valid namespace-qualified XML name, or None."""
    if not _NAME(name):
        return "is not a valid XML name"
    if ":" in name:
        parts = name.split(":")
        if len(parts) != 2 or not all(_NAME(part) for part in parts):
            return (
                "is not a valid name: with namespaces a name is a prefix, ':' and a local "
                "name, each starting with a letter or '_'"
            )
    return None


def _refused_at(name: str) -> int:
    """Return the index of the first character of ``name`` that expat refuses, or -1.

    Expat judges a name character by character (its first against the letters a name
    may start with), so a run of characters after the first is fine exactly when 'a'
    followed by the run is a name it takes.  The run holding the character it refuses
    is halved until one character is left: time linear in the name's length, and
    spent only on a name expat refuses.
    """
    if name.isascii() or _expat_accepts(name):
        return -1
    if not _expat_reads(name[0]):
        return 0
    low, high = 1, len(name)  # the characters before low are fine; one from low is not
    while high - low > 1:
        middle = (low + high) // 2
        if _expat_reads("a" + name[low:middle]):
            low = middle
        else:
            high = middle
    return low


def _plain(name: str, at: int) -> str:
    """Return what character ``at`` of ``name`` is without its marks and ligatures
    (``'ș'`` -> ``'s'``, ``'Ĳ'`` -> ``'IJ'``), if that makes a name expat takes, else ""."""
    # unicodedata loads only to suggest a fix for a name expat refuses.
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name[at])
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if not plain or plain == name[at]:
        return ""
    renamed = name[:at] + plain + name[at + 1 :]
    if name_problem(renamed) is not None or not _expat_accepts(renamed):
        return ""
    return plain


def unportable_name(what: str, name: str, node: Text, end: int) -> Problem | None:
    """Return the problem of a valid XML name that expat refuses, or None.

    ``what`` names the name for the message (``"the element name"``); the name ends at
    character ``end`` of ``node``.  The problem stands on the first character expat
    refuses, with what it could be replaced by as its suggestion.

    The fifth edition of XML 1.0 (2008) allows almost every character in a name; expat,
    the parser behind Python's ``xml.etree``, ``xml.dom.minidom`` and ``xml.sax`` and
    many receivers, still applies the fourth edition's tables of letters and digits,
    which leave out many letters (``'ș'``, ``'ț'``, ``'Ĳ'``, ...).  A receiver built on
    it would refuse the whole body, so the name is refused here.
    """
    at = _refused_at(name)
    if at < 0:
        return None
    ch = name[at]
    k = end - len(name) + at  # where the character is in ``node``
    if k >= 0:
        span = Span(node.offset_of(k), node.offset_of(k + 1))
    else:
        # The name ended with the text before ``node``, where a brace split the two:
        # its characters stand right before this text.
        span = Span(node.span.start + k, node.span.start + k + 1)
    plain = _plain(name, at)
    if plain:
        fix = f"write {name[:at] + plain + name[at + 1 :]!r} instead"
    else:
        fix = "write the name without it (every parser reads ASCII names)"
    message = (
        f"{what} {name!r} is valid XML 1.0, but expat, the parser of Python's xml.etree "
        f"and of many receivers, refuses {ch!r} (U+{ord(ch):04X}) in a name: it keeps the "
        f"name rules of XML 1.0's fourth edition; {fix}"
    )
    return Problem(span, Code.XML_NAME_NOT_PORTABLE, message, plain or None)


def _char_ok(cp: int) -> bool:
    return (
        cp in (0x9, 0xA, 0xD)
        or 0x20 <= cp <= 0xD7FF
        or 0xE000 <= cp <= 0xFFFD
        or 0x10000 <= cp <= 0x10FFFF
    )


def decode_reference(ref: str, terminator: str, amp: int, end: int) -> str | Problem:
    """Return the character the reference ``&ref`` stands for, or why it is none.

    ``terminator`` is the character that ended ``ref`` (';' for a reference), ``amp``
    the source offset of its '&' and ``end`` that of its terminator.
    """
    if terminator != ";":
        return invalid(
            "a literal '&' must be written &amp; (a reference is &name; or &#NNN;)", amp, end
        )
    if not ref:
        return invalid("'&;' is not a reference; write &amp; for a literal '&'", amp)
    if ref.startswith("#"):
        return _character_reference(ref, amp, end + 1)
    char = _PREDEFINED.get(ref)
    if char is not None:
        return char
    # The HTML entity table loads only for a reference XML does not predefine.
    from html.entities import name2codepoint

    cp = name2codepoint.get(ref, -1)
    if cp < 0 and not _NAME(ref):
        return invalid(
            f"&{ref}; is not a reference; a literal '&' must be written &amp;", amp, end + 1
        )
    hint = f"; write &#{cp}; instead" if cp >= 0 else ""
    return invalid(
        f"the entity &{ref}; is not defined; without a DTD XML knows only "
        f"&amp; &lt; &gt; &quot; &apos; and character references{hint}",
        amp,
        end + 1,
    )


def _character_reference(ref: str, start: int, end: int) -> str | Problem:
    """Return the character ``&#...;`` stands for, or why it stands for none.

    Leading zeros are allowed in any number (XML 1.0, production 66); they are
    stripped before the digits are converted, so a reference of a million zeros costs
    one pass and converts a short number.
    """
    hexadecimal = ref[1:2] == "x"
    digits = ref[2:] if hexadecimal else ref[1:]
    if not (_HEX_DIGITS if hexadecimal else _DECIMAL_DIGITS)(digits):
        return invalid(
            f"{_shown(ref)} is not a character reference "
            "(write &#NNN; in decimal or &#xHHH; in hex)",
            start,
            end,
        )
    significant = digits.lstrip("0")
    too_long = len(significant) > (_MAX_HEX if hexadecimal else _MAX_DECIMAL)
    cp = -1 if too_long else int(significant or "0", 16 if hexadecimal else 10)
    if too_long or cp > _LAST_CHAR:
        return invalid(
            f"{_shown(ref)} refers to a number beyond U+10FFFF, the last character", start, end
        )
    if not _char_ok(cp):
        return invalid(
            f"{_shown(ref)} refers to U+{cp:04X}, a character XML 1.0 cannot carry", start, end
        )
    return chr(cp)


def _shown(ref: str) -> str:
    """Return the reference ``&ref;`` for a message, its middle left out if it is long."""
    if len(ref) <= _SHOWN_REFERENCE:
        return f"&{ref};"
    half = _SHOWN_REFERENCE // 2
    return f"&{ref[:half]}...{ref[-half:]}; ({len(ref) + 2:,} characters)"


def placeholder_in_reference(node: Hole) -> Problem:
    """Return the problem of a placeholder inside '&...;', which would choose the character."""
    return Problem(
        node.span,
        Code.PLACEHOLDER_IN_REFERENCE,
        f"{placeholder_label(node)} stands inside a character or entity reference "
        "('&...;'); finish or remove the reference",
    )


def placeholder_in_tag_name(node: Hole) -> Problem:
    """Return the problem of a placeholder in the name of a start or end tag."""
    return Problem(
        node.span,
        Code.PLACEHOLDER_IN_TAG_NAME,
        f"{placeholder_label(node)} stands in a tag name; element names are part of the "
        "document's structure and must be literal",
    )

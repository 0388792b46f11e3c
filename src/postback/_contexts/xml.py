"""The ``xml`` format: an XML 1.0 scanner over the template's text and the XML escapers.

The scanner proves the template a well-formed document whatever the values are: the
literal text must be one XML document (an optional leading XML declaration, comments
and processing instructions, exactly one root element) in which placeholders stand only
in element content, in quoted attribute values or in CDATA sections.  No DTD is
accepted, so no entity can ever expand.  Element names are kept on a stack in the
state, so end tags are matched and a join body must leave the stack as it found it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .._nodes import Field, Text
from ._legacy import Binding, FormatIssue, HoleNode, ValueFormatters

__all__ = ["FORMAT", "xml_attribute", "xml_cdata", "xml_content"]

# ---------------------------------------------------------------------------
# Escapers
# ---------------------------------------------------------------------------

# Code points XML 1.0 cannot carry, not even as character references.
_INVALID_CLASS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_INVALID = re.compile(f"[{_INVALID_CLASS}]")
_CONTENT_SPECIAL = re.compile(f"[&<>\r{_INVALID_CLASS}]")
_ATTR_SPECIAL = re.compile(f"[&<>\"'\t\n\r{_INVALID_CLASS}]")
_CDATA_SPECIAL = re.compile(f"[\\]>\r{_INVALID_CLASS}]")

_CDATA_SPLIT = "]]><![CDATA["


def xml_content(value: str, _special: Any = _CONTENT_SPECIAL.search) -> str:
    """Return ``value`` escaped for element content.

    ``&``, ``<`` and ``>`` become entity references and CR ``&#13;`` (a parser would
    turn a raw CR into LF); characters XML cannot carry become U+FFFD.  A trailing
    ``]`` becomes ``&#93;`` so that a literal ``>`` after the placeholder can never
    complete a ``]]>``.
    """
    if _special(value) is None:
        if value[-1:] == "]":
            return value[:-1] + "&#93;"
        return value
    if _INVALID.search(value) is not None:
        value = _INVALID.sub("\ufffd", value)
    value = (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )
    if value[-1:] == "]":
        return value[:-1] + "&#93;"
    return value


def xml_attribute(value: str, _special: Any = _ATTR_SPECIAL.search) -> str:
    """Return ``value`` escaped for a quoted attribute value (either quote).

    ``&``, ``<``, ``>``, ``"`` and ``'`` become references, and tab, LF and CR
    ``&#9;``, ``&#10;`` and ``&#13;`` (a parser would turn raw ones into spaces);
    characters XML cannot carry become U+FFFD.
    """
    if _special(value) is None:
        return value
    if _INVALID.search(value) is not None:
        value = _INVALID.sub("\ufffd", value)
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


def xml_cdata(value: str, _special: Any = _CDATA_SPECIAL.search) -> str:
    """Return ``value`` for the inside of a CDATA section.

    ``]]>`` is split across two sections (``]]]]><![CDATA[>``) and CR is carried
    outside the section as ``&#13;``; characters XML cannot carry become U+FFFD.  A
    value that starts with ``]`` or ``>`` or ends with ``]`` is also split off at that
    end, so no ``]]>`` can form with the literal text around the placeholder.
    """
    if _special(value) is None:
        return value
    if _INVALID.search(value) is not None:
        value = _INVALID.sub("\ufffd", value)
    out = value.replace("]]>", "]]]]><![CDATA[>").replace("\r", "]]>&#13;<![CDATA[")
    if value[:1] in ("]", ">"):
        out = _CDATA_SPLIT + out
    if value[-1:] == "]":
        out += _CDATA_SPLIT
    return out


# ---------------------------------------------------------------------------
# Names, references and the XML declaration
# ---------------------------------------------------------------------------

_NAME_START_CLASS = (
    ":A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CLASS = _NAME_START_CLASS + "\\-.0-9\xb7\u0300-\u036f\u203f-\u2040"
_NAME_START = re.compile(f"[{_NAME_START_CLASS}]")
_NAME_RUN = re.compile(f"[{_NAME_CLASS}]*")
_NAME = re.compile(f"[{_NAME_START_CLASS}][{_NAME_CLASS}]*")
_WS = re.compile(r"[ \t\r\n]*")
_WS_CHARS = frozenset(" \t\r\n")

_CONTENT_RUN = re.compile(r"[^<&\]>]*")
_ATTR_RUN = {'"': re.compile(r'[^<&"]*'), "'": re.compile(r"[^<&']*")}
_COMMENT_RUN = re.compile(r"[^-]*")
_CDATA_RUN = re.compile(r"[^\]>]*")
_PI_RUN = re.compile(r"[^?]*")
_REF_RUN = re.compile(f"[#{_NAME_CLASS}]*")

_PREDEFINED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_XMLNS_NS = "http://www.w3.org/2000/xmlns/"

_S = r"[ \t\r\n]"
_XML_DECL = re.compile(
    rf"""{_S}+version{_S}*={_S}*(["'])(?P<version>[^"']*)\1"""
    rf"""(?:{_S}+encoding{_S}*={_S}*(["'])(?P<encoding>[^"']*)\3)?"""
    rf"""(?:{_S}+standalone{_S}*={_S}*(["'])(?P<standalone>[^"']*)\5)?{_S}*"""
)
_UTF8 = frozenset({"utf-8", "utf8"})

_BANG_KEYWORDS = ("--", "[CDATA[", "DOCTYPE", "ENTITY", "ELEMENT", "ATTLIST", "NOTATION")
_DTD_KEYWORDS = frozenset(_BANG_KEYWORDS[2:])


@lru_cache(maxsize=256)
def _expat_accepts(name: str) -> bool:
    # Expat (behind xml.etree and xml.dom.minidom) still applies the older name rules
    # to non-ASCII names, which reject some names the fifth edition allows; the
    # rendered document must parse there, so expat has the last word.
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        parser.Parse(f"<{name}/>".encode(), True)
    except expat.ExpatError:
        return False
    return True


def _name_problem(name: str) -> str | None:
    """Return why ``name`` is not a valid namespace-qualified XML name, or None."""
    if not _NAME.fullmatch(name) or (not name.isascii() and not _expat_accepts(name)):
        return "is not a valid XML name"
    if ":" in name:
        parts = name.split(":")
        if len(parts) != 2 or not all(_NAME.fullmatch(part) for part in parts):
            return (
                "is not a valid name: with namespaces a name is a prefix, ':' and a local "
                "name, each starting with a letter or '_'"
            )
    return None


def _describe(ch: str) -> str:
    if ch in "\n\r\t":
        return {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}[ch]
    if ch.isprintable() and not ch.isspace():
        return repr(ch)
    return f"U+{ord(ch):04X}"


def _hole_name(node: HoleNode) -> str:
    if isinstance(node, Field):
        return f"{{{node.name}}}"
    return f"{{{node.var}.{node.attr}}}"


def _char_ok(cp: int) -> bool:
    return (
        cp in (0x9, 0xA, 0xD)
        or 0x20 <= cp <= 0xD7FF
        or 0xE000 <= cp <= 0xFFFD
        or 0x10000 <= cp <= 0x10FFFF
    )


def _decode_ref(ref: str, at: int, end: int) -> str:
    """Return the character the reference ``&ref;`` stands for; raise if it is invalid."""
    if ref.startswith("#"):
        body = ref[1:]
        if body[:1] == "x":
            ok = re.fullmatch(r"[0-9A-Fa-f]{1,8}", body[1:]) is not None
            cp = int(body[1:], 16) if ok else -1
        else:
            ok = re.fullmatch(r"[0-9]{1,10}", body) is not None
            cp = int(body) if ok else -1
        if not ok:
            raise FormatIssue(
                "invalid-xml",
                f"invalid XML: &{ref}; is not a character reference "
                "(write &#NNN; in decimal or &#xHHH; in hex)",
                at,
                end,
            )
        if not _char_ok(cp):
            raise FormatIssue(
                "invalid-xml",
                f"invalid XML: &{ref}; refers to U+{cp:04X}, a character XML 1.0 cannot carry",
                at,
                end,
            )
        return chr(cp)
    char = _PREDEFINED.get(ref)
    if char is not None:
        return char
    hint = ""
    from html.entities import name2codepoint

    cp = name2codepoint.get(ref, -1)
    if cp >= 0:
        hint = f"; write &#{cp}; instead"
    elif not _NAME.fullmatch(ref):
        raise FormatIssue(
            "invalid-xml",
            f"invalid XML: &{ref}; is not a reference; a literal '&' must be written &amp;",
            at,
            end,
        )
    raise FormatIssue(
        "invalid-xml",
        f"invalid XML: the entity &{ref}; is not defined; without a DTD XML knows only "
        f"&amp; &lt; &gt; &quot; &apos; and character references{hint}",
        at,
        end,
    )


# ---------------------------------------------------------------------------
# The scanner
# ---------------------------------------------------------------------------

# The deepest element nesting a template may have: each state holds the stack of open
# elements, so a limit keeps the check linear in the template's size.
MAX_DEPTH = 512
# The most attributes one start tag may have (the same reasoning).
MAX_ATTRIBUTES = 512

# A state is (mode, where, stack, a, b).  ``where`` is the part of the document:
START = 0  # nothing yet: the XML declaration may come
PROLOG = 1  # before the root element
ROOT = 2  # inside the root element (the stack is not empty)
EPILOG = 3  # after the root element
# ``stack`` holds one (name, namespace declarations) pair per open element, the
# declarations a tuple of (prefix, uri) with "" for the default namespace.  Modes, with
# what ``a`` and ``b`` hold (a "tag" is (name, attribute names, namespace declarations)):
DATA = 0  # character data; a: the reference being read (after '&') or None; b: Brackets
LT = 1  # after '<'
BANG = 2  # after '<!'; a: the characters read since
COMMENT = 3  # inside a comment; a: trailing '-' count
CDATA = 4  # inside a CDATA section; a: Brackets
PI_TARGET = 5  # after '<?'; a: the target so far
PI = 6  # inside a processing instruction; a: True right after '?'
PI_END = 7  # after '<?target?': '>' must follow
XML_DECL = 8  # inside '<?xml ... ?>'; a: the text after '<?xml'
STAG_NAME = 9  # after '<' and a name start; a: the name so far
TAG = 10  # inside a start tag; a: tag; b: whitespace seen since the last token
ATTR_NAME = 11  # a: tag; b: the attribute name so far
ATTR_EQ = 12  # after an attribute name: '=' must follow; a: tag
ATTR_QUOTE = 13  # after '=': a quote must follow; a: tag
ATTR_VALUE = 14  # a: tag; b: (quote, reference being read or None, value so far for xmlns or None)
EMPTY_SLASH = 15  # after '/' in a start tag: '>' must follow; a: tag
ETAG_NAME = 16  # after '</'; a: the name so far
ETAG_AFTER = 17  # after the name of an end tag; a: the name

_WHERE_NAMES = {
    LT: "a tag",
    BANG: "a '<!' declaration",
    COMMENT: "a comment (a closing '-->' is missing)",
    CDATA: "a CDATA section (a closing ']]>' is missing)",
    PI_TARGET: "a processing instruction",
    PI: "a processing instruction (a closing '?>' is missing)",
    PI_END: "a processing instruction",
    XML_DECL: "the XML declaration (a closing '?>' is missing)",
    STAG_NAME: "a start tag",
    TAG: "a start tag (a closing '>' is missing)",
    ATTR_NAME: "a start tag",
    ATTR_EQ: "a start tag",
    ATTR_QUOTE: "a start tag",
    ATTR_VALUE: "an attribute value (a closing quote is missing)",
    EMPTY_SLASH: "a start tag",
    ETAG_NAME: "an end tag",
    ETAG_AFTER: "an end tag (a closing '>' is missing)",
}

_TAG_MODES = frozenset({TAG, ATTR_NAME, ATTR_EQ, ATTR_QUOTE, ATTR_VALUE, EMPTY_SLASH})

State = tuple[Any, ...]
Stack = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
TagInfo = tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]


def _invalid(message: str, at: int, end: int | None = None) -> FormatIssue:
    return FormatIssue("invalid-xml", f"invalid XML: {message}", at, end)


# The count of trailing ']' (in content and CDATA sections) that a '>' would complete
# to ']]>': 0, 1 or 2, or a pair (most, least) when a placeholder stands among them,
# since an empty value lets the ']' before it meet the text after it while a present
# value separates them (a present value never ends in ']': the escapers see to it).
Brackets = int | tuple[int, int]


def _more_brackets(count: Brackets) -> Brackets:
    if isinstance(count, int):
        return min(count + 1, 2)
    most, least = min(count[0] + 1, 2), count[1] + 1
    return most if most == least else (most, least)


def _most(count: Brackets) -> int:
    return count if isinstance(count, int) else count[0]


def _straddle(count: Brackets) -> Brackets:
    most = _most(count)
    return (most, 0) if most else 0


def _is_xmlns(attr: str) -> bool:
    return attr == "xmlns" or attr.startswith("xmlns:")


def _resolve(prefix: str, decls: tuple[tuple[str, str], ...], stack: Stack) -> str | None:
    for p, uri in decls:
        if p == prefix:
            return uri
    for _name, outer in reversed(stack):
        for p, uri in outer:
            if p == prefix:
                return uri
    if prefix == "xml":
        return _XML_NS
    return None


def _check_namespaces(info: TagInfo, stack: Stack, at: int) -> None:
    """Raise unless the start tag ``info`` is namespace-well-formed where it stands."""
    name, attrs, decls = info
    for prefix, uri in decls:
        shown = f"xmlns:{prefix}" if prefix else "xmlns"
        if prefix == "xmlns" or uri == _XMLNS_NS:
            raise _invalid(f"<{name}> {shown}=...: the xmlns prefix and namespace are reserved", at)
        if (prefix == "xml") != (uri == _XML_NS):
            raise _invalid(
                f"<{name}> {shown}=...: the xml prefix is bound to {_XML_NS} and nothing else is",
                at,
            )
        if prefix and not uri:
            raise _invalid(
                f'<{name}> {shown}="": a namespace prefix cannot be undeclared (XML 1.0 namespaces)',
                at,
            )
    for qname in (name, *(a for a in attrs if not _is_xmlns(a))):
        if ":" in qname:
            prefix = qname.split(":", 1)[0]
            if _resolve(prefix, decls, stack) is None:
                raise _invalid(
                    f"the namespace prefix {prefix!r} of {qname!r} is not declared; "
                    f'add xmlns:{prefix}="..." to <{name}> or an enclosing element',
                    at,
                )
    seen: dict[tuple[str | None, str], str] = {}
    for attr in attrs:
        if _is_xmlns(attr):
            continue
        key: tuple[str | None, str]
        if ":" in attr:
            prefix, local = attr.split(":", 1)
            key = (_resolve(prefix, decls, stack), local)
        else:
            key = (None, attr)
        other = seen.setdefault(key, attr)
        if other != attr:
            raise _invalid(
                f"<{name}> has the attributes {other!r} and {attr!r}, which are the same "
                f"attribute: both prefixes name the namespace {key[0]!r}",
                at,
            )


def _new_tag_attr(info: TagInfo, attr: str, at: int, end: int) -> TagInfo:
    problem = _name_problem(attr)
    if problem is not None:
        raise _invalid(f"the attribute name {attr!r} {problem}", at, end)
    name, attrs, decls = info
    if attr in attrs:
        raise _invalid(f"<{name}> has the attribute {attr!r} twice", at, end)
    if len(attrs) >= MAX_ATTRIBUTES:
        # The tag's attribute names live in the state; the limit keeps checking linear.
        raise _invalid(f"<{name}> has more than {MAX_ATTRIBUTES} attributes", at, end)
    return (name, (*attrs, attr), decls)


class _XmlFormat:
    """The XML scanner and binder (see ``_base``)."""

    name = "xml"
    content_type: str | None = "application/xml; charset=utf-8"

    def initial(self) -> State:
        return (DATA, START, (), None, 0)

    # The scanner is one loop over the literal text; each branch handles one mode and
    # either consumes a run of characters or a single character.
    def text(self, state: State, value: str, node: Text) -> State:
        bad = _INVALID.search(value)
        if bad is not None:
            k = bad.start()
            raise _invalid(
                f"the character {_describe(value[k])} cannot appear in an XML 1.0 document",
                node.offset_of(k),
            )
        mode, where, stack, a, b = state
        i = 0
        n = len(value)
        at = node.offset_of
        while i < n:
            if mode == DATA:
                if a is not None:  # inside a reference
                    a, i, _char = self._reference(a, value, i, node)
                    if a is None:
                        b = 0
                    continue
                if where == ROOT:
                    j = _CONTENT_RUN.match(value, i).end()  # type: ignore[union-attr]
                    if j > i:
                        b = 0
                        i = j
                        if i >= n:
                            break
                    ch = value[i]
                    if ch == "<":
                        mode, a, b = LT, None, None
                    elif ch == "&":
                        a = ""
                    elif ch == "]":
                        b = _more_brackets(b)
                    elif _most(b) == 2:
                        raise self._brackets_gt(b, "element content; write ']]&gt;'", at(i))
                    else:
                        b = 0
                    i += 1
                    continue
                j = _WS.match(value, i).end()  # type: ignore[union-attr]
                if j > i:
                    if where == START:
                        where = PROLOG
                    i = j
                    if i >= n:
                        break
                ch = value[i]
                if ch == "<":
                    mode, a, b = LT, None, None
                    i += 1
                    continue
                raise self._outside_root(ch, where, at(i))
            if mode == LT:
                ch = value[i]
                if ch == "?":
                    mode, a = PI_TARGET, ""
                    i += 1
                    continue
                if where == START:
                    where = PROLOG
                if ch == "/":
                    mode, a = ETAG_NAME, ""
                    i += 1
                elif ch == "!":
                    mode, a = BANG, ""
                    i += 1
                elif _NAME_START.match(ch):
                    if where == EPILOG:
                        raise _invalid(
                            "a second root element starts here; an XML document has exactly "
                            "one root element, so wrap the elements in one",
                            at(max(i - 1, 0)),
                            at(i) + 1,
                        )
                    mode, a = STAG_NAME, ""
                else:
                    raise _invalid(
                        f"'<' followed by {_describe(ch)} does not start a tag; "
                        "write &lt; for a literal '<'",
                        at(max(i - 1, 0)),
                        at(i) + 1,
                    )
                continue
            if mode in (STAG_NAME, ETAG_NAME):
                if mode == ETAG_NAME and a == "" and not _NAME_START.match(value[i]):
                    raise _invalid(
                        f"'</' must be followed by the name of the element to close, "
                        f"not {_describe(value[i])}",
                        at(i),
                    )
                j = _NAME_RUN.match(value, i).end()  # type: ignore[union-attr]
                a = a + value[i:j]
                i = j
                if i >= n:
                    break
                name = a
                span = (at(max(i - len(name), 0)), at(i))
                if mode == ETAG_NAME:
                    self._check_end_tag(name, stack, *span)
                    mode, a = ETAG_AFTER, name
                    continue
                problem = _name_problem(name)
                if problem is not None:
                    raise _invalid(f"the element name {name!r} {problem}", *span)
                mode, a, b = TAG, (name, (), ()), False
                continue
            if mode == TAG:
                j = _WS.match(value, i).end()  # type: ignore[union-attr]
                if j > i:
                    b = True
                    i = j
                    if i >= n:
                        break
                ch = value[i]
                if ch == ">":
                    _check_namespaces(a, stack, at(i))
                    if len(stack) >= MAX_DEPTH:
                        raise FormatIssue(
                            "nesting-too-deep",
                            f"elements nested more than {MAX_DEPTH} levels deep; receivers "
                            "refuse such documents and the check would slow down",
                            at(i),
                        )
                    stack = (*stack, (a[0], a[2]))
                    mode, where, a, b = DATA, ROOT, None, 0
                    i += 1
                elif ch == "/":
                    mode, b = EMPTY_SLASH, None
                    i += 1
                elif _NAME_START.match(ch):
                    if not b:
                        raise _invalid(
                            f"attributes of <{a[0]}> must be separated by whitespace",
                            at(i),
                        )
                    mode, b = ATTR_NAME, ""
                else:
                    raise _invalid(
                        f"unexpected {_describe(ch)} in the start tag <{a[0]}>; expected an "
                        "attribute name, '>' or '/>'",
                        at(i),
                    )
                continue
            if mode == ATTR_NAME:
                j = _NAME_RUN.match(value, i).end()  # type: ignore[union-attr]
                b = b + value[i:j]
                i = j
                if i >= n:
                    break
                a = _new_tag_attr(a, b, at(max(i - len(b), 0)), at(i))
                mode, b = ATTR_EQ, None
                continue
            if mode in (ATTR_EQ, ATTR_QUOTE):
                i = _WS.match(value, i).end()  # type: ignore[union-attr]
                if i >= n:
                    break
                ch = value[i]
                attr = a[1][-1]
                if mode == ATTR_EQ:
                    if ch != "=":
                        raise _invalid(
                            f'the attribute {attr!r} of <{a[0]}> needs a value: write {attr}="..."',
                            at(i),
                        )
                    mode = ATTR_QUOTE
                elif ch in "\"'":
                    mode, b = ATTR_VALUE, (ch, None, "" if _is_xmlns(attr) else None)
                else:
                    raise _invalid(
                        f'the value of the attribute {attr!r} must be quoted: {attr}="..."',
                        at(i),
                    )
                i += 1
                continue
            if mode == ATTR_VALUE:
                quote, ref, val = b
                if ref is not None:
                    ref, i, char = self._reference(ref, value, i, node)
                    if val is not None and char is not None:
                        val += char
                    b = (quote, ref, val)
                    continue
                j = _ATTR_RUN[quote].match(value, i).end()  # type: ignore[union-attr]
                if val is not None and j > i:
                    val += value[i:j].replace("\t", " ").replace("\n", " ").replace("\r", " ")
                    b = (quote, None, val)
                i = j
                if i >= n:
                    break
                ch = value[i]
                if ch == quote:
                    if val is not None:
                        attr = a[1][-1]
                        prefix = attr[6:]
                        a = (a[0], a[1], (*a[2], (prefix, val)))
                    mode, b = TAG, False
                elif ch == "&":
                    b = (quote, "", val)
                else:
                    raise _invalid("'<' cannot appear in an attribute value; write &lt;", at(i))
                i += 1
                continue
            if mode == EMPTY_SLASH:
                ch = value[i]
                if ch != ">":
                    raise _invalid(f"'/' in the start tag <{a[0]}> must be followed by '>'", at(i))
                _check_namespaces(a, stack, at(i))
                mode, a, b = DATA, None, 0
                if not stack:
                    where = EPILOG
                i += 1
                continue
            if mode == ETAG_AFTER:
                i = _WS.match(value, i).end()  # type: ignore[union-attr]
                if i >= n:
                    break
                ch = value[i]
                if ch != ">":
                    raise _invalid(
                        f"unexpected {_describe(ch)} in the end tag </{a}>; expected '>'",
                        at(i),
                    )
                stack = stack[:-1]
                mode, a, b = DATA, None, 0
                if not stack:
                    where = EPILOG
                i += 1
                continue
            if mode == COMMENT:
                if a == 2:
                    if value[i] != ">":
                        raise _invalid(
                            "'--' cannot appear inside a comment", at(max(i - 2, 0)), at(i) + 1
                        )
                    mode, a, b = DATA, None, 0
                    i += 1
                    continue
                j = _COMMENT_RUN.match(value, i).end()  # type: ignore[union-attr]
                if j > i:
                    a = 0
                    i = j
                    if i >= n:
                        break
                a += 1  # a '-'
                i += 1
                continue
            if mode == CDATA:
                j = _CDATA_RUN.match(value, i).end()  # type: ignore[union-attr]
                if j > i:
                    a = 0
                    i = j
                    if i >= n:
                        break
                if value[i] == "]":
                    a = _more_brackets(a)
                elif a == 2:
                    mode, a, b = DATA, None, 0
                elif not isinstance(a, int) and a[0] == 2:
                    raise self._brackets_gt(a, "a CDATA section", at(i))
                else:
                    a = 0
                i += 1
                continue
            if mode == BANG:
                a = a + value[i]
                i += 1
                if a == "--":
                    mode, a = COMMENT, 0
                elif a == "[CDATA[":
                    if where != ROOT:
                        raise _invalid(
                            "a CDATA section can only stand inside the root element",
                            at(i - 1),
                        )
                    mode, a = CDATA, 0
                elif a in _DTD_KEYWORDS:
                    raise FormatIssue(
                        "doctype-not-allowed",
                        f"<!{a} is not allowed: postback accepts no document type "
                        "declaration or entity definitions, so no entity can expand; "
                        "remove it",
                        at(max(i - len(a) - 2, 0)),
                        at(i - 1) + 1,
                    )
                elif not any(k.startswith(a) for k in _BANG_KEYWORDS):
                    raise _invalid(
                        "'<!' must start a comment '<!--' or a CDATA section '<![CDATA['",
                        at(max(i - len(a) - 2, 0)),
                        at(i - 1) + 1,
                    )
                continue
            if mode == PI_TARGET:
                if a == "" and not _NAME_START.match(value[i]):
                    raise _invalid(
                        f"'<?' must be followed by a processing instruction target name, "
                        f"not {_describe(value[i])}",
                        at(i),
                    )
                j = _NAME_RUN.match(value, i).end()  # type: ignore[union-attr]
                a = a + value[i:j]
                i = j
                if i >= n:
                    break
                target = a
                span = (at(max(i - len(target) - 2, 0)), at(i))
                if target.lower() == "xml":
                    if where != START or target != "xml":
                        raise _invalid(
                            "the XML declaration <?xml ...?> may only stand at the very "
                            "start of the document, before any whitespace",
                            *span,
                        )
                    mode, a = XML_DECL, ""
                    where = PROLOG
                    continue
                if where == START:
                    where = PROLOG
                if ":" in target or _name_problem(target) is not None:
                    raise _invalid(
                        f"{target!r} is not a valid processing instruction target", *span
                    )
                ch = value[i]
                if ch in _WS_CHARS:
                    mode, a = PI, False
                elif ch == "?":
                    mode, a = PI_END, None
                else:
                    raise _invalid(
                        f"the processing instruction target {target!r} must be followed by "
                        "whitespace or '?>'",
                        at(i),
                    )
                i += 1
                continue
            if mode == PI:
                if a and value[i] == ">":
                    mode, a, b = DATA, None, 0
                    i += 1
                    continue
                j = _PI_RUN.match(value, i).end()  # type: ignore[union-attr]
                if j > i:
                    a = False
                    i = j
                    if i >= n:
                        break
                a = True  # a '?'
                i += 1
                continue
            if mode == PI_END:
                if value[i] != ">":
                    raise _invalid("'<?target?' must be followed by '>'", at(i))
                mode, a, b = DATA, None, 0
                i += 1
                continue
            # XML_DECL
            combined = a + value[i:]
            k = combined.find("?>")
            if k < 0:
                a = combined
                break
            self._check_declaration(combined[:k], at(i))
            i += k + 2 - len(a)
            mode, a, b = DATA, None, 0
        return (mode, where, stack, a, b)

    @staticmethod
    def _check_end_tag(name: str, stack: Stack, at: int, end: int) -> None:
        if not stack:
            raise _invalid(f"the end tag </{name}> has no matching start tag", at, end)
        top = stack[-1][0]
        if top == name:
            return
        if any(entry[0] == name for entry in stack):
            raise _invalid(
                f"the end tag </{name}> comes while <{top}> is still open; "
                f"close <{top}> with </{top}> first",
                at,
                end,
            )
        raise _invalid(
            f"the end tag </{name}> does not match the open element <{top}>; write </{top}>",
            at,
            end,
        )

    @staticmethod
    def _brackets_gt(count: Brackets, where: str, at: int) -> FormatIssue:
        if not isinstance(count, int):
            return _invalid(
                "the ']' before a placeholder and the ']' or '>' after it would form ']]>' "
                f"when the value is empty, which cannot appear in {where}",
                at,
            )
        return _invalid(f"']]>' cannot appear in {where}", max(at - 2, 0), at + 1)

    @staticmethod
    def _outside_root(ch: str, where: int, at: int) -> FormatIssue:
        if ch == "\ufeff" and where == START:
            return _invalid(
                "the template starts with a byte order mark (U+FEFF); remove it (the body "
                "is sent as UTF-8 without one)",
                at,
            )
        place = "after the root element" if where == EPILOG else "before the root element"
        what = "a reference" if ch == "&" else "text"
        return _invalid(
            f"{what} cannot stand {place}; only whitespace, comments and processing "
            f"instructions may (found {_describe(ch)})",
            at,
        )

    @staticmethod
    def _check_declaration(decl: str, at: int) -> None:
        match = _XML_DECL.fullmatch(decl)
        if match is None:
            raise _invalid(
                'the XML declaration is malformed; write <?xml version="1.0" encoding="UTF-8"?>',
                at,
            )
        if match["version"] != "1.0":
            raise _invalid(
                f"XML version {match['version']!r} is not supported; postback writes "
                'XML 1.0: version="1.0"',
                at,
            )
        encoding = match["encoding"]
        if encoding is not None and encoding.lower() not in _UTF8:
            raise _invalid(
                f"the XML declaration says encoding={encoding!r}, but the body is sent as "
                'UTF-8; write encoding="UTF-8" or leave it out',
                at,
            )
        standalone = match["standalone"]
        if standalone is not None and standalone not in ("yes", "no"):
            raise _invalid('standalone must be "yes" or "no"', at)

    @staticmethod
    def _reference(ref: str, value: str, i: int, node: Text) -> tuple[str | None, int, str | None]:
        """Read a reference after '&': return (partial or None, position, decoded char)."""
        # The '&' stands len(ref) characters before ``i`` (when it is in this text).
        start = node.offset_of(max(i - len(ref) - 1, 0))
        j = _REF_RUN.match(value, i).end()  # type: ignore[union-attr]
        ref = ref + value[i:j]
        if j >= len(value):
            return ref, j, None
        if value[j] != ";":
            raise _invalid(
                "a literal '&' must be written &amp; (a reference is &name; or &#NNN;)",
                start,
                node.offset_of(j),
            )
        if not ref:
            raise _invalid("'&;' is not a reference; write &amp; for a literal '&'", start)
        char = _decode_ref(ref, start, node.offset_of(j) + 1)
        return None, j + 1, char

    def hole(self, state: State, node: HoleNode) -> tuple[State, str]:
        mode, where, stack, a, b = state
        start, end = node.span.start, node.span.end
        name = _hole_name(node)

        def refuse(code: str, message: str) -> FormatIssue:
            return FormatIssue(code, f"{name} {message}", start, end)

        if mode == DATA:
            if a is not None:
                raise refuse(
                    "placeholder-in-reference",
                    "stands inside a character or entity reference ('&...;'); "
                    "finish or remove the reference",
                )
            if where != ROOT:
                place = "after the root element" if where == EPILOG else "before the root element"
                raise refuse(
                    "placeholder-outside-root",
                    f"stands {place}, where only whitespace, comments and processing "
                    "instructions may; move it inside an element",
                )
            return (mode, where, stack, a, _straddle(b)), "content"
        if mode == ATTR_VALUE:
            quote, ref, val = b
            if ref is not None:
                raise refuse(
                    "placeholder-in-reference",
                    "stands inside a character or entity reference ('&...;'); "
                    "finish or remove the reference",
                )
            if val is not None:
                raise refuse(
                    "placeholder-in-namespace-declaration",
                    f"stands in the namespace declaration {a[1][-1]!r}; a value would "
                    "change the namespace of the elements, so namespace names must be literal",
                )
            return state, "attr" + quote
        if mode == CDATA:
            return (mode, where, stack, _straddle(a), b), "cdata"
        if mode in (LT, STAG_NAME, ETAG_NAME, ETAG_AFTER):
            raise refuse(
                "placeholder-in-tag-name",
                "stands in a tag name; element names are part of the document's structure "
                "and must be literal",
            )
        if mode in (TAG, ATTR_NAME, ATTR_EQ, EMPTY_SLASH):
            raise refuse(
                "placeholder-in-attribute-name",
                f"stands in the start tag <{a[0]}> where an attribute name goes; attribute "
                'names must be literal (put the placeholder in a quoted value: name="'
                f'{name}")',
            )
        if mode == ATTR_QUOTE:
            attr = a[1][-1]
            raise refuse(
                "placeholder-unquoted-attribute",
                f"is the unquoted value of the attribute {attr!r}; XML attribute values "
                f'must be quoted: {attr}="{name}"',
            )
        if mode == COMMENT or (mode == BANG and a == "-"):
            raise refuse(
                "placeholder-in-comment",
                "stands in a comment; a value could end the comment early ('--'), so "
                "comments take no placeholders",
            )
        if mode in (PI_TARGET, PI, PI_END, XML_DECL):
            what = "the XML declaration" if mode == XML_DECL else "a processing instruction"
            raise refuse(
                "placeholder-in-processing-instruction",
                f"stands in {what}, which takes no placeholders",
            )
        raise refuse(
            "placeholder-in-markup",
            "stands inside a '<!' declaration, which takes no placeholders",
        )

    @staticmethod
    def _shape(state: State) -> tuple[Any, ...]:
        """The part of ``state`` a join body must leave unchanged."""
        mode, where, stack, a, _b = state
        where = PROLOG if where == START else where
        if mode == DATA:
            return (mode, where, stack, a)
        if mode in (COMMENT, CDATA, PI):
            return (mode, where, stack)
        if mode == TAG:
            return (mode, where, stack, a)
        return (mode, where, stack, a, _b)

    def loop(self, before: State, after: State) -> str | None:
        if self._shape(before) == self._shape(after):
            return None
        b_stack, a_stack = before[2], after[2]
        if b_stack != a_stack:
            if len(a_stack) > len(b_stack) and a_stack[: len(b_stack)] == b_stack:
                names = "".join(f"<{s[0]}>" for s in a_stack[len(b_stack) :])
                return f"its template leaves {names} open"
            closed = [s[0] for s in b_stack if s not in a_stack] or [b_stack[-1][0]]
            return f"its template closes <{closed[-1]}>, which it did not open"
        if before[0] == after[0] == DATA and before[3] == after[3] and not b_stack:
            return (
                "each item adds a root element, but an XML document has exactly one "
                "(with 2 items there would be two); put the join inside the root element"
            )
        if (
            before[0] in _TAG_MODES
            and after[0] in _TAG_MODES
            and before[3][0] == after[3][0]
            and before[3][1] != after[3][1]
        ):
            return (
                f"its template adds attributes to <{after[3][0]}>, which would repeat with 2 items"
            )
        place = "a reference" if after[0] == DATA else _WHERE_NAMES[after[0]].split(" (")[0]
        return f"its template ends inside {place}, where it did not start"

    def end(self, state: State, offset: int) -> None:
        mode, where, stack, a, _b = state
        if mode == DATA and a is None:
            if where == EPILOG:
                return
            if stack:
                names = "".join(f"<{s[0]}>" for s in stack)
                closers = "".join(f"</{s[0]}>" for s in reversed(stack))
                raise _invalid(
                    f"the document ends with {len(stack)} unclosed element(s) {names}; "
                    f"add {closers}",
                    offset,
                    offset,
                )
            raise _invalid(
                "the document has no root element; an XML body is one element such as "
                "<action>...</action>",
                offset,
                offset,
            )
        what = "a reference" if mode == DATA else _WHERE_NAMES[mode]
        raise _invalid(f"the document ends inside {what}", offset, offset)

    def bind(self, context: Any, vtype: type, values: ValueFormatters) -> Binding:
        escape = _ESCAPERS[context]
        fmt = values.for_type(vtype)
        if vtype is str:
            return Binding(escape, "")
        if vtype in (int, Decimal):
            return Binding(fmt, "")  # digits, '-' and '.' never need escaping
        if vtype is datetime and getattr(values, "date_format", None) == "iso":
            return Binding(fmt, "")  # ISO 8601 is digits, '-', ':', '+' and 'T'

        def escaped(value: Any, _fmt: Callable[[Any], str] = fmt) -> str:
            return escape(_fmt(value))

        return Binding(escaped, "")


_ESCAPERS: dict[str, Callable[[str], str]] = {
    "content": xml_content,
    'attr"': xml_attribute,
    "attr'": xml_attribute,
    "cdata": xml_cdata,
}

FORMAT = _XmlFormat()

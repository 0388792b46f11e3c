"""The XML scanner's state: its modes, the parts of a document, the open elements.

The scanner (``xml.py``) follows the template's literal text with an ``XmlState``.  Its
``mode`` (an ``XmlMode``) says what is being read and picks the transition that reads
on (``TEXT_TRANSITIONS`` and ``HOLE_TRANSITIONS`` in ``xml.py``); the other fields say
what the mode needs to remember.  A field a mode does not use keeps its default, so two
states are equal exactly when the scanner is in the same situation (the compiler
compares states to prove that a join can repeat).

Each transition hands the fields it needs to a reader (``content``,
``start_tag_name``, ...).  When a reader reaches the start of the next construct with
its first character at hand, it calls that construct's reader itself instead of
returning a state for it: a tag such as ``<a x="1">`` costs two states, not six.
Every such chain ends in a state, so it stays a few calls deep.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Final, NamedTuple

from .._compiler.nodes import Hole, Span, Text
from .._messages import placeholder_label
from .._problems import Code, Problem
from ._base import Context, Defect

__all__ = [
    "NO_TAG",
    "Brackets",
    "Element",
    "HoleStep",
    "HoleTransition",
    "Stack",
    "Tag",
    "TextStep",
    "TextTransition",
    "XmlMode",
    "XmlPart",
    "XmlState",
    "after_markup",
    "brackets_gt",
    "invalid",
    "more_brackets",
    "most_brackets",
    "refusal",
    "straddle",
]


class XmlMode(IntEnum):
    """What the scanner is reading."""

    MISC = 0  # outside the root element: only whitespace, comments and PIs may stand here
    CONTENT = 1  # element content
    CONTENT_REF = 2  # a reference in element content, after its '&'
    LT = 3  # after '<'
    BANG = 4  # after '<!': token holds the keyword read so far
    COMMENT = 5  # inside a comment
    CDATA = 6  # inside a CDATA section
    PI_TARGET = 7  # after '<?': token holds the target read so far
    PI = 8  # inside a processing instruction, after its target
    PI_END = 9  # after '<?target?': '>' must follow
    XML_DECL = 10  # inside '<?xml ... ?>': token holds the text read after '<?xml'
    STAG_NAME = 11  # the name of a start tag: token holds it so far
    TAG = 12  # inside a start tag, between attributes
    ATTR_NAME = 13  # an attribute name: token holds it so far
    ATTR_EQ = 14  # after an attribute name (token): '=' must follow
    ATTR_QUOTE = 15  # after '=': a quote must follow
    ATTR_VALUE = 16  # inside the quoted value of the attribute token
    ATTR_REF = 17  # a reference in an attribute value, after its '&'
    EMPTY_SLASH = 18  # after '/' in a start tag: '>' must follow
    ETAG_NAME = 19  # the name of an end tag: token holds it so far
    ETAG_AFTER = 20  # after the name (token) of an end tag: '>' must follow


class XmlPart(IntEnum):
    """The part of the document the scanner is in."""

    START = 0  # nothing yet: the XML declaration may come
    PROLOG = 1  # before the root element
    ROOT = 2  # inside the root element (the stack of open elements is not empty)
    EPILOG = 3  # after the root element


# The modes and parts by name at module level: reading an enum member through its
# class is slow.
(
    MISC,
    CONTENT,
    CONTENT_REF,
    LT,
    BANG,
    COMMENT,
    CDATA,
    PI_TARGET,
    PI,
    PI_END,
    XML_DECL,
    STAG_NAME,
    TAG,
    ATTR_NAME,
    ATTR_EQ,
    ATTR_QUOTE,
    ATTR_VALUE,
    ATTR_REF,
    EMPTY_SLASH,
    ETAG_NAME,
    ETAG_AFTER,
) = XmlMode
START, PROLOG, ROOT, EPILOG = XmlPart

# The count of trailing ']' (in content and CDATA sections) that a '>' would complete
# to ']]>': 0, 1 or 2, or a pair (most, least) when a placeholder stands among them,
# since an empty value lets the ']' before it meet the text after it while a present
# value separates them (a present value never ends in ']': the escapers see to it).
Brackets = int | tuple[int, int]

Namespaces = tuple[tuple[str, str], ...]
"""Namespace declarations: (prefix, namespace name) pairs, prefix "" for the default."""


class Element(NamedTuple):
    """An open element: its name and the namespaces its start tag declared."""

    name: str
    namespaces: Namespaces


class Tag(NamedTuple):
    """The start tag being read: its name, its attributes' names and its namespaces."""

    name: str
    attributes: tuple[str, ...]
    namespaces: Namespaces


Stack = tuple[Element, ...]
"""The open elements, outermost first."""

NO_TAG: Final = Tag("", (), ())
"""The ``tag`` of a state outside start tags."""


class XmlState(NamedTuple):
    """Where the scanner stands in the document (see ``XmlMode``)."""

    mode: XmlMode
    part: XmlPart
    stack: Stack  # the open elements, outermost first
    tag: Tag = NO_TAG  # the start tag being read, in the modes from TAG to EMPTY_SLASH
    # The name or keyword being read (a placeholder in it written as its label), or in
    # ATTR_EQ to ATTR_REF and ETAG_AFTER the name of the attribute or end tag.
    token: str = ""
    ref: str = ""  # the reference read so far after '&' (CONTENT_REF, ATTR_REF)
    # How much of the delimiter that ends in '>' was just read: ']]' in content and
    # CDATA sections (Brackets), '--' in comments (0-2), '?' in a PI (0-1).
    closing: Brackets = 0
    quote: str = ""  # the quote of the attribute value being read
    namespace: str | None = None  # the value read so far of a namespace declaration
    spaced: bool = False  # TAG: whitespace since the last attribute


TextStep = tuple[XmlState, int] | Defect[XmlState]
"""What a transition over literal text returns: the state and where it stopped, or a defect."""

TextTransition = Callable[[XmlState, str, int, Text], TextStep]
"""Reads ``text`` from character ``i`` on in a state of one mode (``node`` holds it)."""

HoleStep = tuple[XmlState, Context] | Defect[XmlState]
"""What a transition over a placeholder returns: the state after it and its context."""

HoleTransition = Callable[[XmlState, Hole], HoleStep]
"""Says what a placeholder standing in a state of one mode is."""


def invalid(message: str, start: int, end: int | None = None) -> Problem:
    """Return an ``invalid-xml`` problem at source offsets ``start`` to ``end``."""
    span = Span(start, start + 1 if end is None else end)
    return Problem(span, Code.INVALID_XML, f"invalid XML: {message}")


def refusal(node: Hole, code: Code, message: str) -> Problem:
    """Return the problem ``code`` of the placeholder ``node``: its label, then ``message``."""
    return Problem(node.span, code, f"{placeholder_label(node)} {message}")


def after_markup(part: XmlPart, stack: Stack) -> XmlState:
    """Return the state after a comment, PI or CDATA section in ``part`` ends."""
    if stack:
        return XmlState(CONTENT, ROOT, stack)
    return XmlState(MISC, part, stack)


def more_brackets(count: Brackets) -> Brackets:
    """Return the count after one more ']'."""
    if isinstance(count, int):
        return min(count + 1, 2)
    most, least = min(count[0] + 1, 2), count[1] + 1
    return most if most == least else (most, least)


def most_brackets(count: Brackets) -> int:
    """Return the most ']' that can stand right before the next character."""
    return count if isinstance(count, int) else count[0]


def straddle(count: Brackets) -> Brackets:
    """Return the count after a placeholder (its value may be empty or not)."""
    most = most_brackets(count)
    return (most, 0) if most else 0


def brackets_gt(count: Brackets, where: str, at: int) -> Problem:
    """Return the problem of a '>' that completes ']]>' in ``where``."""
    if not isinstance(count, int):
        return invalid(
            "the ']' before a placeholder and the ']' or '>' after it would form ']]>' "
            f"when the value is empty, which cannot appear in {where}",
            at,
        )
    return invalid(f"']]>' cannot appear in {where}", max(at - 2, 0), at + 1)

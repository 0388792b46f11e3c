"""The ``xml`` format: an XML 1.0 scanner over the template's text.

The scanner proves the template a well-formed document whatever the values are: the
literal text must be one XML document (an optional leading XML declaration, comments
and processing instructions, exactly one root element) in which placeholders stand only
in element content, in quoted attribute values or in CDATA sections.  No DTD is
accepted, so no entity can ever expand.  Element names are kept on a stack in the
state, so end tags are matched and a join body must leave the stack as it found it.

The scanner is two tables keyed by the ``XmlMode`` of an ``XmlState``
(``xml_state.py``): in ``TEXT_TRANSITIONS``, what reads literal text as far as its mode
goes and returns the next state; in ``HOLE_TRANSITIONS``, what a placeholder is.  The
transitions live with what they read: ``xml_text.py`` (content, references, the text
outside the root element, the '<' of markup), ``xml_start_tags.py`` (start tags,
attributes), ``xml_end_tags.py``, ``xml_namespaces.py`` and ``xml_prolog.py``
(comments, CDATA sections, processing instructions, the XML declaration, '<!'
declarations).
"""

from __future__ import annotations

import re
from typing import Final

from .._compiler.nodes import Hole, Text
from .._messages import describe_char
from .._problems import Problem
from . import xml_end_tags as end_tags
from . import xml_prolog as prolog
from . import xml_start_tags as start_tags
from . import xml_text as chars
from ._base import Context, Defect, Fusion
from .xml_names import NOT_XML_RUN
from .xml_prolog import CDATA_SECTION
from .xml_start_tags import ATTRIBUTE_VALUE
from .xml_state import (
    ATTR_EQ,
    ATTR_NAME,
    ATTR_QUOTE,
    ATTR_REF,
    ATTR_VALUE,
    BANG,
    CDATA,
    COMMENT,
    CONTENT,
    CONTENT_REF,
    EMPTY_SLASH,
    EPILOG,
    ETAG_AFTER,
    ETAG_NAME,
    LT,
    MISC,
    PI,
    PI_END,
    PI_TARGET,
    PROLOG,
    STAG_NAME,
    START,
    TAG,
    XML_DECL,
    HoleTransition,
    TextTransition,
    XmlMode,
    XmlState,
    invalid,
)
from .xml_text import ELEMENT_CONTENT

__all__ = [
    "ATTRIBUTE_VALUE",
    "CDATA_SECTION",
    "CONTEXTS",
    "ELEMENT_CONTENT",
    "FORMAT",
    "HOLE_TRANSITIONS",
    "TEXT_TRANSITIONS",
    "XmlMode",
    "XmlState",
]

CONTEXTS: Final = (ELEMENT_CONTENT, ATTRIBUTE_VALUE, CDATA_SECTION)
"""Every context a placeholder can land in."""

TEXT_TRANSITIONS: Final[dict[XmlMode, TextTransition]] = {
    MISC: chars.misc,
    CONTENT: chars.content,
    CONTENT_REF: chars.content_ref,
    LT: chars.lt,
    BANG: prolog.bang,
    COMMENT: prolog.comment,
    CDATA: prolog.cdata,
    PI_TARGET: prolog.pi_target,
    PI: prolog.pi,
    PI_END: prolog.pi_end,
    XML_DECL: prolog.xml_decl,
    STAG_NAME: start_tags.stag_name,
    TAG: start_tags.tag,
    ATTR_NAME: start_tags.attr_name,
    ATTR_EQ: start_tags.attr_eq,
    ATTR_QUOTE: start_tags.attr_quote,
    ATTR_VALUE: start_tags.attr_value,
    ATTR_REF: start_tags.attr_ref,
    EMPTY_SLASH: start_tags.empty_slash,
    ETAG_NAME: end_tags.etag_name,
    ETAG_AFTER: end_tags.etag_after,
}
"""The transition over literal text of each mode."""

HOLE_TRANSITIONS: Final[dict[XmlMode, HoleTransition]] = {
    MISC: chars.misc_hole,
    CONTENT: chars.content_hole,
    CONTENT_REF: chars.content_ref_hole,
    LT: start_tags.tag_name_hole,
    BANG: prolog.bang_hole,
    COMMENT: prolog.comment_hole,
    CDATA: prolog.cdata_hole,
    PI_TARGET: prolog.processing_instruction_hole,
    PI: prolog.processing_instruction_hole,
    PI_END: prolog.processing_instruction_hole,
    XML_DECL: prolog.processing_instruction_hole,
    STAG_NAME: start_tags.tag_name_hole,
    TAG: start_tags.attribute_name_hole,
    ATTR_NAME: start_tags.attribute_name_hole,
    ATTR_EQ: start_tags.attribute_name_hole,
    ATTR_QUOTE: start_tags.unquoted_hole,
    ATTR_VALUE: start_tags.attr_value_hole,
    ATTR_REF: start_tags.attr_ref_hole,
    EMPTY_SLASH: start_tags.attribute_name_hole,
    ETAG_NAME: start_tags.tag_name_hole,
    ETAG_AFTER: end_tags.etag_after_hole,
}
"""What a placeholder standing in each mode is."""

# The same, indexed by mode.
_HOLE_STEPS: Final = tuple(HOLE_TRANSITIONS[mode] for mode in XmlMode)

# The same, indexed by mode: the scanner's inner loop looks a transition up per step.
_TEXT_STEPS: Final = tuple(TEXT_TRANSITIONS[mode] for mode in XmlMode)

# What the document ends inside of, in each mode but MISC and CONTENT.
_INSIDE: Final = {
    CONTENT_REF: "a reference",
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
    ATTR_REF: "an attribute value (a closing quote is missing)",
    EMPTY_SLASH: "a start tag",
    ETAG_NAME: "an end tag",
    ETAG_AFTER: "an end tag (a closing '>' is missing)",
}
_TAG_MODES: Final = frozenset(
    {TAG, ATTR_NAME, ATTR_EQ, ATTR_QUOTE, ATTR_VALUE, ATTR_REF, EMPTY_SLASH}
)
_DATA_MODES: Final = frozenset({MISC, CONTENT, CONTENT_REF})


def _scan(state: XmlState, text: str, i: int, node: Text) -> XmlState | Defect[XmlState]:
    """Return the state after ``text`` from character ``i`` on, or its first defect."""
    n = len(text)
    step = _TEXT_STEPS
    while i < n:
        result = step[state.mode](state, text, i, node)
        if isinstance(result, Defect):
            return result
        state, i = result
    return state


def _bad_characters(
    state: XmlState, node: Text, start: int, bad: re.Match[str]
) -> Defect[XmlState]:
    """Report characters XML cannot carry at ``bad``; read on past them where any
    character may stand (content, attribute values, comments, CDATA sections, PIs)."""
    k = bad.start()
    problem = invalid(
        f"the character {describe_char(node.value[k])} cannot appear in an XML 1.0 document",
        node.offset_of(k),
    )
    reached = _scan(state, node.value[:k], start, node)
    if isinstance(reached, Defect):
        return Defect(problem)  # the text breaks before it: this character is its defect
    mode = reached.mode
    if mode in (CONTENT, CDATA, COMMENT, PI):
        resume = XmlState(mode, reached.part, reached.stack)
    elif mode == ATTR_VALUE and reached.namespace is None:
        resume = reached
    else:
        return Defect(problem)
    return Defect(problem, resume, bad.end())


def _shape(state: XmlState) -> XmlState:
    """The part of ``state`` a join body must leave unchanged: all but the ']', '-' or
    '?' just read and the whitespace in a tag, with the start of the prolog as the rest."""
    part = PROLOG if state.part == START else state.part
    return XmlState(
        state.mode,
        part,
        state.stack,
        state.tag,
        state.token,
        state.ref,
        0,
        state.quote,
        state.namespace,
    )


class _XmlFormat:
    """The XML scanner (see ``_base``)."""

    name = "xml"

    def initial(self) -> XmlState:
        return XmlState(MISC, START, ())

    def text(self, state: XmlState, node: Text, start: int = 0) -> XmlState | Defect[XmlState]:
        bad = NOT_XML_RUN.search(node.value, start)
        if bad is not None:
            return _bad_characters(state, node, start, bad)
        return _scan(state, node.value, start, node)

    def hole(self, state: XmlState, node: Hole) -> tuple[XmlState, Context] | Defect[XmlState]:
        return _HOLE_STEPS[state.mode](state, node)

    def loop(self, before: XmlState, after: XmlState) -> str | None:
        if _shape(before) == _shape(after):
            return None
        b_stack, a_stack = before.stack, after.stack
        if b_stack != a_stack:
            if len(a_stack) > len(b_stack) and a_stack[: len(b_stack)] == b_stack:
                names = "".join(f"<{e.name}>" for e in a_stack[len(b_stack) :])
                return f"its template leaves {names} open"
            closed = [e.name for e in b_stack if e not in a_stack] or [b_stack[-1].name]
            return f"its template closes <{closed[-1]}>, which it did not open"
        if before.mode == after.mode == MISC:
            return (
                "each item adds a root element, but an XML document has exactly one "
                "(with 2 items there would be two); put the join inside the root element"
            )
        if (
            before.mode in _TAG_MODES
            and after.mode in _TAG_MODES
            and before.tag.name == after.tag.name
            and before.tag.attributes != after.tag.attributes
        ):
            name = after.tag.name
            return f"its template adds attributes to <{name}>, which would repeat with 2 items"
        # This has always said "a reference" for every body that ends in text, which
        # is exact only in CONTENT_REF; the wording is kept.
        place = "a reference" if after.mode in _DATA_MODES else _INSIDE[after.mode]
        return f"its template ends inside {place.split(' (')[0]}, where it did not start"

    def end(self, state: XmlState, offset: int) -> Problem | None:
        mode, stack = state.mode, state.stack
        if mode == MISC:
            if state.part == EPILOG:
                return None
            message = (
                "the document has no root element; an XML body is one element such as "
                "<action>...</action>"
            )
        elif mode == CONTENT:
            names = "".join(f"<{e.name}>" for e in stack)
            closers = "".join(f"</{e.name}>" for e in reversed(stack))
            message = (
                f"the document ends with {len(stack)} unclosed element(s) {names}; add {closers}"
            )
        else:
            message = f"the document ends inside {_INSIDE[mode]}"
        return invalid(message, offset, offset)

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        return None


FORMAT = _XmlFormat()

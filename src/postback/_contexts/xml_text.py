"""The XML scanner in text: element content, references in it, the text outside the
root element and the '<' that starts markup, with the context of a placeholder in
element content."""

from __future__ import annotations

import re
from typing import Final

from .._compiler.nodes import Hole, Text
from .._escape import xml_content
from .._messages import describe_char
from .._problems import Code, Problem
from ._base import Context, Defect
from .xml_end_tags import end_tag_name
from .xml_names import NAME_START, REF_RUN, WS, decode_reference, placeholder_in_reference
from .xml_prolog import declaration, instruction_target
from .xml_start_tags import start_tag_name
from .xml_state import (
    BANG,
    CONTENT,
    CONTENT_REF,
    EPILOG,
    ETAG_NAME,
    LT,
    MISC,
    PI_TARGET,
    PROLOG,
    ROOT,
    START,
    Stack,
    TextStep,
    XmlPart,
    XmlState,
    brackets_gt,
    invalid,
    more_brackets,
    most_brackets,
    refusal,
    straddle,
)

__all__ = [
    "ELEMENT_CONTENT",
    "content",
    "content_hole",
    "content_ref",
    "content_ref_hole",
    "lt",
    "misc",
    "misc_hole",
]

_PRINTABLE: Final = frozenset(chr(c) for c in range(0x20, 0x7F))

ELEMENT_CONTENT: Final = Context("xml content", xml_content, "", _PRINTABLE - frozenset("&<>]"))
"""A placeholder in element content: ``<name>{CampaignName}</name>``."""

_CONTENT_RUN: Final = re.compile(r"[^<&\]>]*").match


def misc(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """MISC: read the whitespace outside the root element up to the next '<'."""
    part = state.part
    j = WS(text, i).end()  # type: ignore[union-attr]
    if j > i:
        if part == START:
            part = PROLOG
        i = j
        if i >= len(text):
            return (state if part == state.part else XmlState(MISC, part, state.stack)), i
    ch = text[i]
    if ch == "<":
        if i + 1 < len(text):
            return markup_start(part, state.stack, text, i + 1, node)
        return XmlState(LT, part, state.stack), i + 1
    at = node.offset_of(i)
    if ch == "\ufeff" and part == START:
        problem = invalid(
            "the template starts with a byte order mark (U+FEFF); remove it (the body "
            "is sent as UTF-8 without one)",
            at,
        )
        return Defect(problem, state, i + 1)
    place = "after the root element" if part == EPILOG else "before the root element"
    what = "a reference" if ch == "&" else "text"
    # No reading on: text outside the root is most often the sign of an element
    # closed too early or never opened, which would make all that follows wrong too.
    return Defect(
        invalid(
            f"{what} cannot stand {place}; only whitespace, comments and processing "
            f"instructions may (found {describe_char(ch)})",
            at,
        )
    )


def content(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """CONTENT: read element content up to markup or a reference."""
    closing = state.closing
    n = len(text)
    while True:
        j = _CONTENT_RUN(text, i).end()  # type: ignore[union-attr]
        if j > i:
            closing, i = 0, j
            if i >= n:
                break
        ch = text[i]
        if ch == "<":
            if i + 1 < n:
                return markup_start(ROOT, state.stack, text, i + 1, node)
            return XmlState(LT, ROOT, state.stack), i + 1
        if ch == "&":
            if i + 1 < n:
                return reference(state.stack, "", text, i + 1, node)
            return XmlState(CONTENT_REF, ROOT, state.stack), i + 1
        if ch == "]":
            closing = more_brackets(closing)
        elif most_brackets(closing) == 2:  # a '>'
            problem = brackets_gt(closing, "element content; write ']]&gt;'", node.offset_of(i))
            # Read on as if the '>' were written '&gt;', as the message asks.
            return Defect(problem, XmlState(CONTENT, ROOT, state.stack), i + 1)
        else:
            closing = 0
        i += 1
        if i >= n:
            break
    if closing == state.closing:
        return state, i
    return XmlState(CONTENT, ROOT, state.stack, closing=closing), i


def content_ref(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """CONTENT_REF: read a reference in element content on."""
    return reference(state.stack, state.ref, text, i, node)


def reference(stack: Stack, ref: str, text: str, i: int, node: Text) -> TextStep:
    """Read a reference in element content on from ``i`` (``ref``: what follows its '&'
    so far) up to its ';'."""
    j = REF_RUN(text, i).end()  # type: ignore[union-attr]
    if j >= len(text):
        return XmlState(CONTENT_REF, ROOT, stack, ref=ref + text[i:j]), j
    amp = node.offset_of(max(i - len(ref) - 1, 0))
    char = decode_reference(ref + text[i:j], text[j], amp, node.offset_of(j))
    after = XmlState(CONTENT, ROOT, stack)
    if isinstance(char, Problem):
        # Read on after the reference, or after the '&' taken as a literal one.
        return Defect(char, after, j + 1 if text[j] == ";" else j)
    return after, j + 1


def lt(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """LT: read the character after '<'."""
    return markup_start(state.part, state.stack, text, i, node)


def markup_start(part: XmlPart, stack: Stack, text: str, i: int, node: Text) -> TextStep:
    """Read the character ``i`` after a '<': which markup starts."""
    ch = text[i]
    at_hand = i + 1 < len(text)
    if ch == "?":
        if at_hand:
            return instruction_target(part, stack, "", text, i + 1, node)
        return XmlState(PI_TARGET, part, stack), i + 1
    if part == START:
        part = PROLOG
    if ch == "/":
        if at_hand:
            return end_tag_name(part, stack, "", text, i + 1, node)
        return XmlState(ETAG_NAME, part, stack), i + 1
    if ch == "!":
        if at_hand:
            return declaration(part, stack, "", text, i + 1, node)
        return XmlState(BANG, part, stack), i + 1
    name = NAME_START(ch) is not None
    if name and part != EPILOG:
        return start_tag_name(part, stack, "", text, i, node)
    span = node.offset_of(max(i - 1, 0)), node.offset_of(i) + 1
    if name:
        return Defect(
            invalid(
                "a second root element starts here; an XML document has exactly "
                "one root element, so wrap the elements in one",
                *span,
            )
        )
    # No reading on: a '<' in content may as well start a mistyped tag (``< a>``,
    # ``<>``), and reading that as text would misjudge the elements that follow.
    return Defect(
        invalid(
            f"'<' followed by {describe_char(ch)} does not start a tag; write &lt; for a "
            "literal '<'",
            *span,
        )
    )


def content_hole(state: XmlState, node: Hole) -> tuple[XmlState, Context] | Defect[XmlState]:
    """A placeholder in element content is a value there."""
    if not state.closing:
        return state, ELEMENT_CONTENT
    closing = straddle(state.closing)
    if closing == state.closing:
        return state, ELEMENT_CONTENT
    return XmlState(CONTENT, ROOT, state.stack, closing=closing), ELEMENT_CONTENT


def content_ref_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder in a reference in content is refused; what follows is content."""
    return Defect(placeholder_in_reference(node), XmlState(CONTENT, ROOT, state.stack))


def misc_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder outside the root element would be text there: refused."""
    place = "after the root element" if state.part == EPILOG else "before the root element"
    return Defect(
        refusal(
            node,
            Code.PLACEHOLDER_OUTSIDE_ROOT,
            f"stands {place}, where only whitespace, comments and processing instructions "
            "may; move it inside an element",
        )
    )

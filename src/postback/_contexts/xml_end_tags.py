"""The XML scanner in end tags: matching them against the open elements."""

from __future__ import annotations

from .._compiler.nodes import Hole, Text
from .._messages import describe_char, suggest
from .._problems import Problem
from ._base import Defect
from .xml_names import NAME_RUN, NAME_START, WS, placeholder_in_tag_name
from .xml_state import (
    CONTENT,
    EPILOG,
    ETAG_AFTER,
    ETAG_NAME,
    MISC,
    ROOT,
    Stack,
    TextStep,
    XmlPart,
    XmlState,
    invalid,
)

__all__ = ["end_tag_name", "etag_after", "etag_after_hole", "etag_name"]


def etag_name(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """ETAG_NAME: read the name of an end tag on."""
    return end_tag_name(state.part, state.stack, state.token, text, i, node)


def end_tag_name(part: XmlPart, stack: Stack, read: str, text: str, i: int, node: Text) -> TextStep:
    """Read the name of an end tag on from ``i`` (``read``: what is read of it) and match
    it against the open element."""
    if not read and not NAME_START(text[i]):
        return Defect(
            invalid(
                "'</' must be followed by the name of the element to close, "
                f"not {describe_char(text[i])}",
                node.offset_of(i),
            )
        )
    j = NAME_RUN(text, i).end()  # type: ignore[union-attr]
    name = read + text[i:j]
    if j >= len(text):
        return XmlState(ETAG_NAME, part, stack, token=name), j
    if stack and stack[-1].name == name:
        if text[j] == ">":
            return _closed(stack), j + 1
        return XmlState(ETAG_AFTER, part, stack, token=name), j
    span = node.offset_of(max(j - len(name), 0)), node.offset_of(j)
    problem = _end_tag_problem(name, stack, *span)
    if _misspelled(name, stack, text, j):
        # Read on as if it closed the open element.
        return Defect(problem, XmlState(ETAG_AFTER, part, stack, token=name), j)
    return Defect(problem)


def _end_tag_problem(name: str, stack: Stack, start: int, end: int) -> Problem:
    """Return why the end tag ``name`` cannot close the open element."""
    if not stack:
        return invalid(f"the end tag </{name}> has no matching start tag", start, end)
    top = stack[-1].name
    if any(element.name == name for element in stack):
        message = (
            f"the end tag </{name}> comes while <{top}> is still open; "
            f"close <{top}> with </{top}> first"
        )
        return invalid(message, start, end)
    message = f"the end tag </{name}> does not match the open element <{top}>; write </{top}>"
    return invalid(message, start, end)


def _misspelled(name: str, stack: Stack, text: str, j: int) -> bool:
    """Whether the end tag ``name``, whose name ends at ``j``, is certainly the end tag of
    the open element misspelled: a name close to it and about as long, then '>'.

    Any other mismatch (a stray end tag, elements nested the wrong way) gives no
    certain reading of what follows.
    """
    k = WS(text, j).end()  # type: ignore[union-attr]
    if text[k : k + 1] != ">" or not stack or any(e.name == name for e in stack):
        return False
    top = stack[-1].name
    return abs(len(name) - len(top)) <= 2 and suggest(name, (top,)) is not None


def etag_after(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """ETAG_AFTER: read the '>' that ends an end tag, and close the element."""
    i = WS(text, i).end()  # type: ignore[union-attr]
    if i >= len(text):
        return state, i
    ch = text[i]
    if ch != ">":
        message = f"unexpected {describe_char(ch)} in the end tag </{state.token}>; expected '>'"
        return Defect(invalid(message, node.offset_of(i)))
    return _closed(state.stack), i + 1


def _closed(stack: Stack) -> XmlState:
    """Return the state after the end tag of the last element of ``stack``."""
    stack = stack[:-1]
    return XmlState(CONTENT, ROOT, stack) if stack else XmlState(MISC, EPILOG, stack)


def etag_after_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder after the name of an end tag: refused; the end tag reads on."""
    return Defect(placeholder_in_tag_name(node), state)

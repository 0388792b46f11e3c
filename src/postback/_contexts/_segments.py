"""Dot segments: the path segments URL parsers remove, and the template text that can make one.

RFC 3986 resolvers (``remove_dot_segments``: urllib3, ``urljoin``, curl) remove a path
segment that is ``.`` and, with the segment before it, one that is ``..``; WHATWG URL
parsers (browsers, Node, ``ada-url``) do the same and also read ``%2E`` as a dot there.
No encoding of a value survives both, so a rendered path must have no such segment.

The ``url`` scanner follows the current segment's literal text since its start or
since the last placeholder (a ``Run``); literal text made only of one or two dots is
refused where it is a whole segment, where it touches a placeholder in a segment that
has no other literal text, and at the end of a join template.  What is left is a
segment made only of placeholders: the placeholder's escaper refuses a value ``.`` or
``..`` when rendering (``path_segment_value``), unless the literal text around it in
the template shows the segment has another character (``relaxed``).
"""

from __future__ import annotations

import re
from enum import IntEnum
from functools import lru_cache
from typing import Final

from .._compiler.nodes import Span, Text
from .._escape import UNRESERVED, path_segment_encode, path_segment_value
from .._problems import Code, Problem
from ._base import Context

__all__ = [
    "JOIN_ENDS_WITH_DOTS",
    "URL_PATH",
    "WHOLE_SEGMENT",
    "Run",
    "after_literal",
    "dot_count",
    "glued_problem",
    "path_text",
    "relaxed",
    "segment_problem",
    "whole_segment",
]

URL_PATH: Final = Context("url path segment", path_segment_encode, "", UNRESERVED - {"."})
"""A path segment with other literal text: percent-encoded, a value of only dots as ``%2E``s."""
WHOLE_SEGMENT: Final = "url path segment of values"


@lru_cache(maxsize=1024)
def whole_segment(label: str) -> Context:
    """Return the context of ``label`` in a path segment that may be made of values only.

    Its escaper refuses a value ``.`` or ``..`` (a dot segment) and names the placeholder.
    """
    return Context(WHOLE_SEGMENT, path_segment_value(label), "", UNRESERVED - {"."})


JOIN_ENDS_WITH_DOTS: Final = (
    "its template ends with literal dots in a path segment, which the next item or the "
    "text after the join can make a dot segment ('.' or '..'), which URL parsers "
    "remove; put a letter or digit after them"
)


class Run(IntEnum):
    """The literal text of the current path segment since its start or its last placeholder.

    ``DOT1``/``DOT2`` (one or two dots) and ``GLUED1``/``GLUED2`` (the same right after a
    placeholder) are the runs that can end up a dot segment; ``SAFE`` holds another
    character or three dots or more, so the segment can never be one.
    """

    START = 0  # nothing yet in this segment
    DOT1 = 1
    DOT2 = 2
    HOLE = 3  # right after a placeholder, no literal text since
    GLUED1 = 4
    GLUED2 = 5
    SAFE = 6


START, DOT1, DOT2, HOLE, GLUED1, GLUED2, SAFE = Run
DOTS: Final = frozenset({DOT1, DOT2, GLUED1, GLUED2})
_ENCODED_DOT: Final = re.compile("%2[eE]")


def dot_count(text: str) -> int:
    """Return how many dots (``.`` or ``%2E``) ``text`` is made of, or -1 if it has
    any other character."""
    if "%" in text:
        text = _ENCODED_DOT.sub(".", text)
    return -1 if text.strip(".") else len(text)


def _after(run: Run, dots: int) -> Run:
    if dots == 0:
        return run
    if dots < 0 or run == SAFE:
        return SAFE
    base = START if run <= DOT2 else HOLE
    count = run - base + dots
    return Run(base + count) if count <= 2 else SAFE


def after_literal(run: Run, first: int, dots: int, at: int) -> tuple[Run, int]:
    """Return the run after literal text made of ``dots`` dots (-1: another character)
    that starts at source offset ``at``, and the offset of the run's first dot (or -1).

    ``first`` is that offset before the text.
    """
    after = _after(run, dots)
    if after not in DOTS:
        return after, -1
    return after, first if run in DOTS else at


def path_text(run: Run, first: int, node: Text, i: int, j: int) -> tuple[Run | Problem, int]:
    """Follow the path segments of the valid text ``node.value[i:j]``.

    Return the run and its first dot's offset after it, or the problem of a segment
    it ends and the index where the next segment starts.
    """
    value = node.value
    while True:
        slash = value.find("/", i, j)
        end = j if slash < 0 else slash
        if end > i:
            run, first = after_literal(run, first, dot_count(value[i:end]), node.offset_of(i))
        if slash < 0:
            return run, first
        problem = segment_problem(run, first)
        if problem is not None:
            return problem, slash + 1
        run, first, i = START, -1, slash + 1


def _written(run: Run) -> str:
    return "." * (run - START if run <= DOT2 else run - HOLE)


def segment_problem(run: Run, at: int) -> Problem | None:
    """Return the problem of a path segment that ends in ``run``, or None.

    ``at`` is the source offset of the run's first dot.
    """
    if run not in DOTS:
        return None
    dots = _written(run)
    if run <= DOT2:
        also = " together with the segment before it" if run == DOT2 else ""
        message = (
            f"{dots!r} is a whole path segment, a dot segment that URL parsers remove{also}, "
            "so the request would not go to the path written; remove it"
        )
    else:
        message = _glued(dots, "the placeholder before it")
    return Problem(Span(at, at + len(dots)), Code.INVALID_URL, message)


def glued_problem(run: Run, at: int, label: str) -> Problem:
    """Return the problem of the placeholder ``label`` right after the dots of ``run``."""
    dots = _written(run)
    return Problem(Span(at, at + len(dots)), Code.INVALID_URL, _glued(dots, label))


def _glued(dots: str, what: str) -> str:
    also = " together with the segment before it" if len(dots) == 2 else ""
    return (
        f"the literal {dots!r} shares a path segment only with {what}: when the value is "
        f"empty the segment is {dots!r}, a dot segment that URL parsers remove{also}; add "
        "a letter or digit to the segment, or give the dots a segment of their own"
    )


def relaxed(before: str, after: str) -> bool:
    """Whether the literal text next to a placeholder in the path shows that its segment
    has a character other than a dot, or three dots or more, whatever the values."""
    tail = before[before.rfind("/") + 1 :]
    end = len(after)
    for delimiter in "/?#":
        found = after.find(delimiter)
        if 0 <= found < end:
            end = found
    return not 0 <= dot_count(tail) <= 2 or not 0 <= dot_count(after[:end]) <= 2

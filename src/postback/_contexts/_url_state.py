"""The URL scanner's state: the part of the URL it is in, and what that part remembers.

``_url_scanner`` reads the literal text of a URL from a ``UrlState``; ``url`` adds
what placeholders are.  The query is read by the pair scanner of the ``query`` format,
whose state ``UrlState.pairs`` holds.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Final, NamedTuple

from .._compiler.nodes import Hole, Span, Text
from .._problems import Code, Problem
from ._authority import Authority
from ._base import Context, Defect
from ._query_state import INITIAL, QueryMode, QueryState
from ._segments import Run

__all__ = [
    "MODE_NAMES",
    "HoleStep",
    "HoleTransition",
    "TextStep",
    "TextTransition",
    "UrlMode",
    "UrlState",
    "in_query",
    "invalid",
]


class UrlMode(IntEnum):
    """The part of the URL the scanner is in."""

    SCHEME = 0  # up to the scheme's ':'
    SLASHES = 1  # the '//' after 'scheme:'
    AUTHORITY = 2  # user info, host and port, up to '/', '?', '#' or the end
    PATH = 3
    QUERY = 4
    FRAGMENT = 5


MODE_NAMES: Final = ("scheme", "authority", "authority", "path", "query", "fragment")
"""What messages call the part of the URL of each mode."""


class UrlState(NamedTuple):
    """The URL scanner's state: the part it is in, and what that part needs to remember.

    Fields a part does not use keep their defaults, so two states are equal exactly
    when the scanner is in the same situation.
    """

    mode: UrlMode
    scheme: str = ""  # SCHEME, SLASHES: the scheme as written so far
    start: int = -1  # SCHEME: the source offset of the scheme's first character, -1 before it
    slashes: int = 0  # SLASHES: the number of '/' read after ':'
    authority: Authority = Authority()  # AUTHORITY: what was read of it so far
    # PATH, FRAGMENT: characters of an unfinished %XX escape read (0, 1, 2; 3 after a
    # '%2' in the path, which may be a dot)
    escape: int = 0
    run: Run = Run.START  # PATH: the current segment's literal text (``_segments``)
    dots: int = -1  # PATH: the source offset of the first dot of a run of dots, or -1
    pairs: QueryState = INITIAL  # QUERY: the pair scanner's state
    # Defects of the authority that just ended, still to be reported; only ever
    # non-empty between the calls of ``text`` that report them.
    pending: tuple[Problem, ...] = ()


TextStep = tuple[UrlState, int] | Defect[UrlState]
"""What a transition over literal text returns: the state and where it stopped, or a defect."""

TextTransition = Callable[[UrlState, str, int, Text], TextStep]
"""Reads ``text`` from character ``i`` on in a state of one mode (``node`` holds it)."""

HoleStep = tuple[UrlState, Context] | Defect[UrlState]
"""What a transition over a placeholder returns: the state after it and its context."""

HoleTransition = Callable[[UrlState, Hole], HoleStep]
"""Says what a placeholder standing in a state of one mode is."""


def invalid(message: str, start: int, end: int | None = None) -> Problem:
    """Return an ``invalid-url`` problem from source offset ``start`` (one character by default)."""
    return Problem(Span(start, start + 1 if end is None else end), Code.INVALID_URL, message)


def in_query(pairs: QueryState) -> UrlState:
    """Return the state in the query with the pair scanner in ``pairs``."""
    state = _QUERY_STATES.get(pairs)
    return UrlState(UrlMode.QUERY, pairs=pairs) if state is None else state


# The states in the query outside a pair's '&' (most of them), made once.
_QUERY_STATES: Final = {
    pairs: UrlState(UrlMode.QUERY, pairs=pairs)
    for pairs in (QueryState(mode, escape) for mode in QueryMode for escape in range(3))
}

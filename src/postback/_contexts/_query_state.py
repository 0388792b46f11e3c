"""The pair scanner's state: where in the ``key=value&...`` pairs it is.

The pairs are the whole body of the ``query`` format and the query of the ``url``
format; ``_query_scanner`` reads their literal text, ``query`` their placeholders.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Final, NamedTuple

from .._compiler.nodes import Hole
from ._base import Context, Defect

__all__ = [
    "INITIAL",
    "HoleStep",
    "HoleTransition",
    "QueryMode",
    "QueryState",
    "TextStep",
]


class QueryMode(IntEnum):
    """Where in the pairs the scanner is."""

    START = 0  # the start of the body (or of a URL's query): nothing yet
    PAIR = 1  # right after '&': a key must follow
    KEY = 2  # inside a non-empty key (literal text or a placeholder)
    VALUE = 3  # after the pair's '='


class QueryState(NamedTuple):
    """The pair scanner's state.

    A key is never empty in mode KEY: the mode is entered by the key's first
    character or placeholder.  Whatever the mode, ``escape`` counts the characters
    read of an unfinished %XX escape, which the transitions of the mode do not read.
    """

    mode: QueryMode
    escape: int = 0  # characters of an unfinished %XX escape read: 0, 1 ('%') or 2 ('%X')
    amp: int = -1  # in mode PAIR, the source offset of the '&' that opened the pair; else -1
    # In mode KEY: the key so far is only placeholders at the start of the text, so
    # the rendering may still be empty up to here.
    blank: bool = False


INITIAL: Final = QueryState(QueryMode.START)
"""The state at the start of the pairs."""

TextStep = tuple[QueryState, int] | Defect[QueryState]
"""What a transition over literal text returns: the state and where it stopped, or a defect."""

HoleStep = tuple[QueryState, Context] | Defect[QueryState]
"""What a transition over a placeholder returns: the state after it and its context."""

HoleTransition = Callable[[QueryState, Hole], HoleStep]
"""Says what a placeholder standing in a state of one mode is."""

"""The ``query`` format: form-encoded ``key=value&...`` bodies, as a state machine over pairs.

The body is ``key=value`` pairs joined by ``&`` (``application/x-www-form-urlencoded``).
A placeholder in a key or a value is form-encoded exactly like
``urllib.parse.quote_plus(value, safe="")``, so
``urllib.parse.parse_qsl(body, keep_blank_values=True, strict_parsing=True)`` gives back
the template's pairs with every value verbatim.  The pair scanner (``_query_state``,
``_query_scanner`` and the placeholders here) is shared with the ``url`` format (its
query component).
"""

from __future__ import annotations

from typing import Final

from .._compiler.nodes import Hole, Text
from .._escape import UNRESERVED, form_encode
from .._problems import Code, Problem
from ._base import Context, Defect, Fusion
from ._percent import placeholder_in_escape
from ._query_scanner import TEXT_TRANSITIONS, PairScanner
from ._query_state import INITIAL, HoleStep, HoleTransition, QueryMode, QueryState

__all__ = [
    "CONTEXTS",
    "FORMAT",
    "FORM_ENCODED",
    "HOLE_TRANSITIONS",
    "TEXT_TRANSITIONS",
    "QueryMode",
    "QueryState",
    "pair_hole",
]

FORM_ENCODED: Final = Context("form-encoded", form_encode, "", UNRESERVED)
"""A key or a value of a pair: form-encoded (``quote_plus(value, safe="")``)."""

CONTEXTS: Final = (FORM_ENCODED,)
"""Every context a placeholder can land in."""

_KEY: Final = QueryState(QueryMode.KEY)
_BLANK_KEY: Final = QueryState(QueryMode.KEY, blank=True)


# -- placeholders: one transition per mode ---------------------------------------------------


def _hole_first_key(state: QueryState, node: Hole) -> HoleStep:
    """START: the first key starts with a value, which may be empty."""
    return _BLANK_KEY, FORM_ENCODED


def _hole_key(state: QueryState, node: Hole) -> HoleStep:
    """PAIR, KEY: a value in a key; it may be empty if only values precede it in the text."""
    return (_BLANK_KEY if state.blank else _KEY), FORM_ENCODED


def _hole_value(state: QueryState, node: Hole) -> HoleStep:
    """VALUE: a value in a pair's value."""
    return state, FORM_ENCODED


HOLE_TRANSITIONS: Final[dict[QueryMode, HoleTransition]] = {
    QueryMode.START: _hole_first_key,
    QueryMode.PAIR: _hole_key,
    QueryMode.KEY: _hole_key,
    QueryMode.VALUE: _hole_value,
}
"""What a placeholder standing in each mode is."""

# The same, indexed by mode.
_HOLE_STEPS: Final = tuple(HOLE_TRANSITIONS[mode] for mode in QueryMode)


def pair_hole(state: QueryState, node: Hole) -> HoleStep:
    """Return the state after a placeholder at ``state`` in the pairs, and its context."""
    if state.escape:
        # The value stands in the key or value the '%' began; what follows is read so.
        return Defect(placeholder_in_escape(node), QueryState(state.mode))
    return _HOLE_STEPS[state.mode](state, node)


class _QueryFormat:
    """The form-encoded body: pairs from the first character to the last (see ``_base``)."""

    name = "query"

    def __init__(self) -> None:
        self.pairs = PairScanner(Code.INVALID_QUERY, "a form body")

    def initial(self) -> QueryState:
        return INITIAL

    def text(
        self, state: QueryState, node: Text, start: int = 0
    ) -> QueryState | Defect[QueryState]:
        result = self.pairs.scan(state, node, start)
        return result if isinstance(result, Defect) else result[0]

    hole = staticmethod(pair_hole)

    def loop(self, before: QueryState, after: QueryState) -> str | None:
        return self.pairs.loop(before, after)

    def end(self, state: QueryState, offset: int) -> Problem | None:
        # START: an empty body, zero pairs (no text at all, or only joins of 0 items).
        return self.pairs.finish(state, offset, "the body ends")

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        return None


FORMAT = _QueryFormat()

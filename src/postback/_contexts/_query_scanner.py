"""The pair scanner: one transition per mode over the literal text of ``key=value&...``.

``PairScanner.scan`` reads the literal text of the pairs from a ``QueryState``;
``TEXT_TRANSITIONS[mode]`` is the transition of a mode, given the scanner, which says
how its defects are reported: the ``query`` format scans its whole body with one, the
``url`` format its query with another, which stops at '#'.  An unfinished %XX escape
is read digit by digit whatever the mode (``_escape_digit``).

Complete pairs after a value, the text between the placeholders of most bodies
(``&key=value&key=``), are read in one step by ``_value_fast``, a fast path beside the
transition it shortcuts; it returns None where it does not apply, and a test reads
templates with it returning None and compares.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from .._compiler.nodes import Span, Text
from .._problems import Code, Problem
from ._base import Defect
from ._percent import HEX, QUERY_LITERAL, bad_escape, name_and_encoding
from ._query_state import QueryMode, QueryState, TextStep

__all__ = ["TEXT_TRANSITIONS", "PairScanner"]

_LITERAL_CLASS: Final = r"[A-Za-z0-9\-._~!$'()*+,;:@/?]"
# Literal characters and complete %XX escapes: text the scanner needs no decision for.
_LITERAL: Final = f"{_LITERAL_CLASS}*(?:%[0-9A-Fa-f]{{2}}{_LITERAL_CLASS}*)*"
_LITERAL_RUN: Final = re.compile(_LITERAL).match
# The rest of a value and one or more complete pairs after it ('&', a non-empty key,
# '=', a value).  A failing pair at the end is given back in time linear in its length:
# the character classes exclude '%', '&' and '='.  (No possessive quantifiers: before
# 3.11.3 a possessive repeat whose last turn fails can keep what that turn read.)
_PAIRS_RUN: Final = re.compile(f"{_LITERAL}(?:&(?![=&]){_LITERAL}={_LITERAL})+").match

# The modes by name at module level: reading an enum member through its class is slow.
START, PAIR, KEY, VALUE = QueryMode
_KEY: Final = QueryState(KEY)
_VALUE: Final = QueryState(VALUE)


class PairScanner:
    """Scans ``key=value&...`` text; shared by the query body and the URL's query.

    ``code`` is the code of its defects, ``what`` names the text in messages ("a
    form body", "the query"), and scanning stops at any character of ``stop``
    outside an escape, which the caller handles.
    """

    def __init__(self, code: Code, what: str, stop: str = "") -> None:
        self.code = code
        self.what = what
        self.stop = stop
        # Where checking goes on after a refused character of a key, of a value.
        self._key_end = re.compile(f"[&={re.escape(stop)}]").search
        self._value_end = re.compile(f"[&{re.escape(stop)}]").search

    def scan(self, state: QueryState, node: Text, i: int) -> TextStep:
        """Scan the text of ``node`` from ``i``: the state and where scanning stopped.

        Scanning stops at the end of the text or at a character of ``stop``.
        """
        value, stop = node.value, self.stop
        n = len(value)
        while i < n:
            if state.escape:
                result = _escape_digit(self, state, value, i, node)
            elif value[i] in stop:
                break
            else:
                result = _TEXT_STEPS[state.mode](self, state, value, i, node)
            if isinstance(result, Defect):
                return result
            state, i = result
        return state, i

    def finish(self, state: QueryState, offset: int, ending: str) -> Problem | None:
        """Return the problem of the pairs ending in ``state`` (``ending`` says where)."""
        if state.escape:
            return self.problem(
                f"{ending} inside a %-escape: '%' must be followed by two hex digits",
                offset,
                offset,
            )
        if state.mode == KEY:
            return self.problem(
                f"{ending} inside a pair without '=': every pair is key=value "
                "(write 'key=' for an empty value)",
                offset,
                offset,
            )
        if state.mode == PAIR:
            return self.problem(
                f"{ending} with a dangling '&' (an empty pair){_DANGLING_HINT}",
                state.amp,
                state.amp + 1,
            )
        return None

    @staticmethod
    def loop(before: QueryState, after: QueryState) -> str | None:
        """Return why a join body moving ``before`` -> ``after`` cannot repeat, or None."""
        if after.escape:
            return "its template ends inside a %-escape"
        return None

    def problem(self, message: str, start: int, end: int | None = None) -> Problem:
        """Return a problem of this scanner's code from ``start`` (one character by default)."""
        return Problem(Span(start, start + 1 if end is None else end), self.code, message)

    def other(self, state: QueryState, value: str, i: int, node: Text) -> TextStep:
        """In a key or a value, a character that is not structure: '%', a stop character
        or one that must be encoded."""
        ch = value[i]
        if ch == "%":
            # Not a complete escape here: its digits are checked one by one.
            return QueryState(state.mode, 1), i + 1
        if ch in self.stop:
            return state, i
        return self.refuse(state, value, i, node)

    def refuse(self, state: QueryState, value: str, i: int, node: Text) -> Defect[QueryState]:
        """Refuse a character that must be encoded, and say where checking goes on.

        The rest of the key or value is likely written the same way, so it is not
        checked: scanning goes on where the key or value ends beyond doubt.  That is
        the next '&' or '=' after a key, the next '&' after a value (the character may
        have been meant to end the pair), and only a '=' where a key should start (the
        character may be meant as the key or as nothing).
        """
        problem = self.problem(
            f"{name_and_encoding(value[i], plus=True)} is not allowed in {self.what}: literal "
            "text must already be form-encoded",
            node.offset_of(i),
        )
        if state.mode == VALUE:
            found = self._value_end(value, i + 1)
        else:
            found = self._key_end(value, i + 1)
            if found is not None and state.mode != KEY and found.group() != "=":
                found = None
        if found is None:
            return Defect(problem)
        return Defect(problem, _KEY if state.mode != VALUE else state, found.start())


_DANGLING_HINT: Final = (
    "; to add pairs with a join, put the '&' inside the join template and use an empty "
    'separator, e.g. a=1{join(items, i, "&sku={i.sku}", "")}'
)


TextTransition = Callable[[PairScanner, QueryState, str, int, Text], TextStep]
"""Reads ``text`` from character ``i`` on in a state of one mode (``node`` holds it), for
the pair scanner given first: the query body's, or a URL's query's."""


def _escape_digit(sc: PairScanner, state: QueryState, value: str, i: int, node: Text) -> TextStep:
    """Inside a %XX escape: a hex digit, or a defect read on as if the '%' were '%25'."""
    ch = value[i]
    if ch in HEX:
        return QueryState(state.mode, 0 if state.escape == 2 else 2), i + 1
    problem = bad_escape(sc.code, ch, node.offset_of(i))
    if ch in sc.stop:
        # The pairs end here: their end would be reported at the same place.
        return Defect(problem)
    return Defect(problem, QueryState(state.mode), i)


def _after_run(value: str, i: int) -> int:
    """Return where the run of the character at ``i`` ('&', '=') ends."""
    end, ch = i + 1, value[i]
    while end < len(value) and value[end] == ch:
        end += 1
    return end


def _start(sc: PairScanner, state: QueryState, value: str, i: int, node: Text) -> TextStep:
    """START: like after '&', but a leading '&' or '?' has its own message."""
    ch = value[i]
    if ch == "&":
        problem = sc.problem(f"{sc.what} cannot start with '&' (an empty pair)", node.offset_of(i))
        return Defect(problem, state, _after_run(value, i))
    if ch == "?":
        problem = sc.problem(
            f"{sc.what} starts with '?', which would become part of the first key; remove "
            "it (write %3F for a key that starts with '?')",
            node.offset_of(i),
        )
        return Defect(problem, state, i + 1)
    return _pair(sc, state, value, i, node)


def _pair(sc: PairScanner, state: QueryState, value: str, i: int, node: Text) -> TextStep:
    """PAIR: after '&', a key must start here."""
    ch = value[i]
    if ch == "&":
        problem = sc.problem(
            "'&&' makes an empty pair; remove one '&'", state.amp, node.offset_of(i) + 1
        )
        # One report for a run of '&': the last one opens the next pair.
        end = _after_run(value, i)
        return Defect(problem, QueryState(PAIR, 0, node.offset_of(end - 1)), end)
    if ch == "=":
        # The pair's key is empty; its value follows.
        problem = sc.problem("a pair needs a key before '='", node.offset_of(i))
        return Defect(problem, _VALUE, i + 1)
    if ch == "%" or ch in QUERY_LITERAL:
        return _key(sc, _KEY, value, i, node)
    return sc.refuse(state, value, i, node)


def _key(sc: PairScanner, state: QueryState, value: str, i: int, node: Text) -> TextStep:
    """KEY: literal text up to the key's '='."""
    if state.blank:
        return _blank_key(sc, state, value, i, node)
    run = _LITERAL_RUN(value, i)
    assert run is not None  # every part of the pattern is optional
    i = run.end()
    if i == len(value):
        return state, i
    ch = value[i]
    if ch == "=":
        return _VALUE, i + 1
    if ch == "&":
        at = node.offset_of(i)
        problem = sc.problem(
            "a pair without '=': every pair is key=value (write 'key=' for an empty value)", at
        )
        return Defect(problem, QueryState(PAIR, 0, at), i + 1)
    return sc.other(state, value, i, node)


def _blank_key(sc: PairScanner, state: QueryState, value: str, i: int, node: Text) -> TextStep:
    """The first literal character after placeholders that start the text.

    The placeholders may all be empty, so this character may be the first one
    rendered: a '?' there would be read as part of the key by some parsers
    (``parse_qsl``) and dropped by others (WHATWG ``URLSearchParams``).
    """
    if value[i] == "?":
        problem = sc.problem(
            f"{sc.what} would start with '?' when the placeholders before it are empty, "
            "which some parsers read as part of the first key and others drop; write %3F "
            "for a literal '?' in a key",
            node.offset_of(i),
        )
        return Defect(problem, _KEY, i + 1)
    return _key(sc, _KEY, value, i, node)


def _value(sc: PairScanner, state: QueryState, value: str, i: int, node: Text) -> TextStep:
    """VALUE: literal text up to the '&' that ends the pair."""
    fast = _value_fast(state, value, i)
    if fast is not None:
        return fast
    run = _LITERAL_RUN(value, i)
    assert run is not None  # every part of the pattern is optional
    i = run.end()
    if i == len(value):
        return state, i
    ch = value[i]
    if ch == "&":
        state = QueryState(PAIR, 0, node.offset_of(i))
        i += 1
        if i == len(value) or value[i] in sc.stop:
            return state, i
        return _pair(sc, state, value, i, node)  # the next pair, without a turn of the loop
    if ch == "=":
        problem = sc.problem(
            "a second '=' in one pair; write %3D for a literal '=' in a value", node.offset_of(i)
        )
        return Defect(problem, state, _after_run(value, i))
    return sc.other(state, value, i, node)


def _value_fast(state: QueryState, value: str, i: int) -> TextStep | None:
    """Read the rest of a value and the complete pairs after it in one step, as the
    transitions would, or return None if no complete pair follows the value."""
    run = _PAIRS_RUN(value, i)
    if run is None:
        return None
    return state, run.end()


TEXT_TRANSITIONS: Final[dict[QueryMode, TextTransition]] = {
    START: _start,
    PAIR: _pair,
    KEY: _key,
    VALUE: _value,
}
"""The transition over literal text of each mode."""

# The same, indexed by mode, for ``PairScanner.scan``.
_TEXT_STEPS: Final = tuple(TEXT_TRANSITIONS[mode] for mode in QueryMode)

"""The ``query`` format: form-encoded ``key=value&...`` bodies, as a state machine over pairs.

The body is ``key=value`` pairs joined by ``&`` (``application/x-www-form-urlencoded``).
A placeholder in a key or a value is form-encoded exactly like
``urllib.parse.quote_plus(value, safe="")``, so
``urllib.parse.parse_qsl(body, keep_blank_values=True, strict_parsing=True)`` gives back
the template's pairs with every value verbatim.  The pair scanner is shared with the
``url`` format (its query component).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum
from typing import Final, NamedTuple

from .._compiler.nodes import Hole, Span, Text
from .._escape import UNRESERVED, form_encode, percent_encode
from .._messages import describe_char, placeholder_label
from .._problems import Code, Problem
from ._base import Context, Defect, Fusion

__all__ = [
    "FORMAT",
    "FORM_ENCODED",
    "INITIAL",
    "QUERY_LITERAL",
    "PairMode",
    "PairScanner",
    "PairState",
    "bad_escape",
    "name_and_encoding",
    "placeholder_in_escape",
]

FORM_ENCODED: Final = Context("form-encoded", form_encode, "", UNRESERVED)
"""A key or a value of a pair: form-encoded (``quote_plus(value, safe="")``)."""

# ---------------------------------------------------------------------------
# Literal text.  Query characters are unreserved / pct-encoded / sub-delims / ":" /
# "@" / "/" / "?" (RFC 3986 §3.4).  Of those, '&' and '=' are the structure of a
# form body and are handled by the scanner; '%' starts an escape.
# ---------------------------------------------------------------------------

QUERY_LITERAL: Final = frozenset(UNRESERVED | set("!$'()*+,;:@/?"))
HEX: Final = frozenset("0123456789abcdefABCDEF")
_LITERAL_CLASS: Final = r"[A-Za-z0-9\-._~!$'()*+,;:@/?]"
# Literal characters and complete %XX escapes: text the scanner needs no decision for.
_LITERAL: Final = f"{_LITERAL_CLASS}*(?:%[0-9A-Fa-f]{{2}}{_LITERAL_CLASS}*)*"
_LITERAL_RUN: Final = re.compile(_LITERAL).match
# The rest of a value and any complete pairs after it ('&', a non-empty key, '=', a
# value): the text between placeholders of a body is mostly that.  A failing pair at
# the end is given back in time linear in its length: the character classes exclude
# '%', '&' and '='.  (No possessive quantifiers: before 3.11.3 a possessive repeat whose
# last turn fails can keep what that turn read.)
_VALUE_RUN: Final = re.compile(f"{_LITERAL}(?:&(?![=&]){_LITERAL}={_LITERAL})*").match

# How messages name the characters literal URL and form text must encode.
_CHAR_NAMES: Final = {
    " ": "a space",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
}


def name_and_encoding(ch: str, *, plus: bool = False) -> str:
    """Name a character for a message, with how to write it instead.

    ``plus``: the text is form-encoded, where '+' stands for a space.
    """
    name = describe_char(ch, names=_CHAR_NAMES, code_points=False)
    if ch == " " and plus:
        return f"{name} (write + or %20)"
    encoded = percent_encode(ch)
    return name if encoded == ch else f"{name} (write {encoded})"


def bad_escape(code: Code, ch: str, offset: int) -> Problem:
    """Return the problem of ``ch`` where a hex digit of a %XX escape must be."""
    return Problem(
        Span(offset, offset + 1),
        code,
        f"invalid percent-escape: '%' must be followed by two hex digits, found {ch!r} "
        "(write %25 for a literal '%')",
    )


def placeholder_in_escape(node: Hole) -> Problem:
    """Return the problem of a placeholder right after an unfinished %-escape."""
    return Problem(
        node.span,
        Code.PLACEHOLDER_IN_ESCAPE,
        f"{placeholder_label(node)} follows an unfinished %-escape, so the value would "
        "complete it; write %25 for a literal '%'",
    )


# ---------------------------------------------------------------------------
# The pair scanner.
# ---------------------------------------------------------------------------


class PairMode(IntEnum):
    """Where in the pairs the scanner is."""

    START = 0  # the start of the body (or of a URL's query): nothing yet
    PAIR = 1  # right after '&': a key must follow
    KEY = 2  # inside a non-empty key (literal text or a placeholder)
    VALUE = 3  # after the pair's '='


class PairState(NamedTuple):
    """The pair scanner's state.

    A key is never empty in mode KEY: the mode is entered by the key's first
    character or placeholder.
    """

    mode: PairMode
    escape: int = 0  # characters of an unfinished %XX escape read: 0, 1 ('%') or 2 ('%X')
    amp: int = -1  # in mode PAIR, the source offset of the '&' that opened the pair; else -1
    # In mode KEY: the key so far is only placeholders at the start of the text, so
    # the rendering may still be empty up to here.
    blank: bool = False


# The modes by name at module level: reading an enum member through its class is slow.
START, PAIR, KEY, VALUE = PairMode
INITIAL: Final = PairState(START)
_KEY: Final = PairState(KEY)
_BLANK_KEY: Final = PairState(KEY, blank=True)
_VALUE: Final = PairState(VALUE)

_DANGLING_HINT: Final = (
    "; to add pairs with a join, put the '&' inside the join template and use an empty "
    'separator, e.g. a=1{join(items, i, "&sku={i.sku}", "")}'
)

# A transition: the state and position after the text at ``i``, or a defect.
_Step = tuple[PairState, int] | Defect[PairState]
_Transition = Callable[["PairScanner", PairState, str, int, Text], _Step]


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

    def scan(self, state: PairState, node: Text, i: int) -> _Step:
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
                result = _TRANSITIONS[state.mode](self, state, value, i, node)
            if isinstance(result, Defect):
                return result
            state, i = result
        return state, i

    def hole(self, state: PairState, node: Hole) -> tuple[PairState, Context] | Defect[PairState]:
        """Return the state after a placeholder at ``state`` and its context."""
        if state.escape:
            # The value stands in the key or value the '%' began; what follows is read so.
            return Defect(placeholder_in_escape(node), PairState(state.mode))
        if state.mode == VALUE:
            return state, FORM_ENCODED
        if state.mode == START or state.blank:
            return _BLANK_KEY, FORM_ENCODED
        return _KEY, FORM_ENCODED

    def finish(self, state: PairState, offset: int, ending: str) -> Problem | None:
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
    def loop(before: PairState, after: PairState) -> str | None:
        """Return why a join body moving ``before`` -> ``after`` cannot repeat, or None."""
        if after.escape:
            return "its template ends inside a %-escape"
        return None

    def problem(self, message: str, start: int, end: int | None = None) -> Problem:
        """Return a problem of this scanner's code from ``start`` (one character by default)."""
        return Problem(Span(start, start + 1 if end is None else end), self.code, message)

    def other(self, state: PairState, value: str, i: int, node: Text) -> _Step:
        """In a key or a value, a character that is not structure: '%', a stop character
        or one that must be encoded."""
        ch = value[i]
        if ch == "%":
            # Not a complete escape here: its digits are checked one by one.
            return PairState(state.mode, 1), i + 1
        if ch in self.stop:
            return state, i
        return self.refuse(state, value, i, node)

    def refuse(self, state: PairState, value: str, i: int, node: Text) -> Defect[PairState]:
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


def _escape_digit(sc: PairScanner, state: PairState, value: str, i: int, node: Text) -> _Step:
    """Inside a %XX escape: a hex digit, or a defect read on as if the '%' were '%25'."""
    ch = value[i]
    if ch in HEX:
        return PairState(state.mode, 0 if state.escape == 2 else 2), i + 1
    problem = bad_escape(sc.code, ch, node.offset_of(i))
    if ch in sc.stop:
        # The pairs end here: their end would be reported at the same place.
        return Defect(problem)
    return Defect(problem, PairState(state.mode), i)


def _after_run(value: str, i: int) -> int:
    """Return where the run of the character at ``i`` ('&', '=') ends."""
    end, ch = i + 1, value[i]
    while end < len(value) and value[end] == ch:
        end += 1
    return end


def _start(sc: PairScanner, state: PairState, value: str, i: int, node: Text) -> _Step:
    """At the start: like after '&', but a leading '&' or '?' has its own message."""
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


def _pair(sc: PairScanner, state: PairState, value: str, i: int, node: Text) -> _Step:
    """After '&': a key must start here."""
    ch = value[i]
    if ch == "&":
        problem = sc.problem(
            "'&&' makes an empty pair; remove one '&'", state.amp, node.offset_of(i) + 1
        )
        # One report for a run of '&': the last one opens the next pair.
        end = _after_run(value, i)
        return Defect(problem, PairState(PAIR, 0, node.offset_of(end - 1)), end)
    if ch == "=":
        # The pair's key is empty; its value follows.
        problem = sc.problem("a pair needs a key before '='", node.offset_of(i))
        return Defect(problem, _VALUE, i + 1)
    if ch == "%" or ch in QUERY_LITERAL:
        return _key(sc, _KEY, value, i, node)
    return sc.refuse(state, value, i, node)


def _key(sc: PairScanner, state: PairState, value: str, i: int, node: Text) -> _Step:
    """Inside a key: literal text up to its '='."""
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
        return Defect(problem, PairState(PAIR, 0, at), i + 1)
    return sc.other(state, value, i, node)


def _blank_key(sc: PairScanner, state: PairState, value: str, i: int, node: Text) -> _Step:
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


def _value(sc: PairScanner, state: PairState, value: str, i: int, node: Text) -> _Step:
    """Inside a value: literal text up to the '&' that ends the pair."""
    run = _VALUE_RUN(value, i)
    assert run is not None  # every part of the pattern is optional
    i = run.end()
    if i == len(value):
        return state, i
    ch = value[i]
    if ch == "&":
        state = PairState(PAIR, 0, node.offset_of(i))
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


# The transition of each mode, indexed by ``PairMode``.
_TRANSITIONS: Final[tuple[_Transition, ...]] = (_start, _pair, _key, _value)


class _QueryFormat:
    """The form-encoded body: pairs from the first character to the last (see ``_base``)."""

    name = "query"
    content_type: str | None = "application/x-www-form-urlencoded"

    def __init__(self) -> None:
        self.pairs = PairScanner(Code.INVALID_QUERY, "a form body")

    def initial(self) -> PairState:
        return INITIAL

    def text(self, state: PairState, node: Text, start: int = 0) -> PairState | Defect[PairState]:
        result = self.pairs.scan(state, node, start)
        return result if isinstance(result, Defect) else result[0]

    def hole(self, state: PairState, node: Hole) -> tuple[PairState, Context] | Defect[PairState]:
        return self.pairs.hole(state, node)

    def loop(self, before: PairState, after: PairState) -> str | None:
        return self.pairs.loop(before, after)

    def end(self, state: PairState, offset: int) -> Problem | None:
        # START: an empty body, zero pairs (no text at all, or only joins of 0 items).
        return self.pairs.finish(state, offset, "the body ends")

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        return None


FORMAT = _QueryFormat()

"""The ``header`` format: one HTTP header field value, with no way to inject another.

RFC 9110 §5.5: ``field-value = *field-content``, made of visible ASCII, space, tab and
``obs-text``; CR, LF and NUL are "invalid and dangerous" and other controls invalid.
Literal text is checked at compile time; values are checked when rendered by
``_escape.header_value``: a value carrying CR, LF, NUL, another C0 control (tab
excepted) or DEL raises ``RenderError`` naming the placeholder.  Non-ASCII text passes
through (sent as UTF-8 octets, which RFC 9110 calls obs-text); lone surrogates become
U+FFFD.

Spaces and tabs at the ends of the rendered value are trimmed, as recipients do
(``trim``); the template's own literal whitespace at its ends is refused.

Recovery: every forbidden character of the literal text is reported, then every lone
surrogate after the last of them; a literal with neither is checked for leading
whitespace.  Trailing whitespace is reported at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum
from functools import lru_cache
from typing import Final, NamedTuple

from .._compiler.nodes import Hole, Span, Text
from .._escape import HEADER_FORBIDDEN, header_value, http_char_name
from .._messages import placeholder_label
from .._problems import Code, Problem
from ._base import Context, Defect, Fusion

__all__ = [
    "CONTEXTS",
    "FORMAT",
    "HOLE_TRANSITIONS",
    "TEXT_TRANSITIONS",
    "HeaderMode",
    "HeaderState",
    "header_context",
]

# Printable ASCII: the header escaper writes it as it is.
_INERT: Final = frozenset(chr(c) for c in range(0x20, 0x7F))
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_WS: Final = " \t"


@lru_cache(maxsize=1024)
def header_context(label: str) -> Context:
    """Return the context of the placeholder ``label`` (``{SubId1}``): its escaper names it."""
    return Context("header value", header_value(label), "", _INERT)


CONTEXTS: Final = (header_context("{Name}"),)
"""Every context a placeholder can land in (one per placeholder, named in its escaper's
messages: one stands for all)."""


class HeaderMode(IntEnum):
    """Where in the value the scanner is."""

    START = 0  # nothing yet: literal text must not start with whitespace
    VALUE = 1  # the value has a character or a placeholder already


class HeaderState(NamedTuple):
    """What the literal text so far means for the rest of the value."""

    mode: HeaderMode
    trailing: int = -1  # the source offset of the whitespace that ends the text so far, or -1


_START: Final = HeaderState(HeaderMode.START)
_STARTED: Final = HeaderState(HeaderMode.VALUE)

TextStep = tuple[HeaderState, int] | Defect[HeaderState]
"""What a transition over literal text returns: the state and where it stopped, or a defect."""

TextTransition = Callable[[HeaderState, str, int, Text], TextStep]
"""Reads ``text`` from character ``i`` to its end in a state of one mode (``node`` holds
it); the text holds no forbidden character."""

HoleStep = tuple[HeaderState, Context] | Defect[HeaderState]
"""What a transition over a placeholder returns: the state after it and its context."""

HoleTransition = Callable[[HeaderState, Hole], HoleStep]
"""Says what a placeholder standing in a state of one mode is."""


def _bad_character(node: Text, match: re.Match[str]) -> Problem:
    ch = match.group()
    if "\ud800" <= ch <= "\udfff":
        message = f"the lone surrogate U+{ord(ch):04X} cannot be encoded in a header value"
    else:
        message = (
            f"{http_char_name(ch)} is not allowed in a header value (RFC 9110 §5.5); "
            "a header value is one line of visible text, spaces and tabs"
        )
    at = node.offset_of(match.start())
    return Problem(Span(at, at + 1), Code.INVALID_HEADER, message)


def _text_start(state: HeaderState, value: str, i: int, node: Text) -> TextStep:
    """START: the value's first literal text, which must not start with whitespace."""
    if i == 0 and value[:1] in (" ", "\t"):
        at = node.offset_of(0)
        problem = Problem(
            Span(at, at + 1),
            Code.INVALID_HEADER,
            "a header value cannot start with whitespace: HTTP parsers strip it",
        )
        # The leading whitespace is reported; it must not count as trailing too.
        return Defect(problem, _STARTED, len(value) - len(value.lstrip(_WS)))
    return _text_value(state, value, i, node)


def _text_value(state: HeaderState, value: str, i: int, node: Text) -> TextStep:
    """VALUE: any text; remember where the whitespace that ends it starts."""
    k = len(value.rstrip(_WS))
    if k == len(value):
        return _STARTED, k
    if k <= i:  # only whitespace: the text so far ends with it
        trailing = state.trailing if state.trailing >= 0 else node.offset_of(i)
        return HeaderState(HeaderMode.VALUE, trailing), len(value)
    return HeaderState(HeaderMode.VALUE, node.offset_of(k)), len(value)


TEXT_TRANSITIONS: Final[dict[HeaderMode, TextTransition]] = {
    HeaderMode.START: _text_start,
    HeaderMode.VALUE: _text_value,
}
"""The transition over literal text of each mode."""

# The same, indexed by mode.
_TEXT_STEPS: Final = tuple(TEXT_TRANSITIONS[mode] for mode in HeaderMode)


def _hole(state: HeaderState, node: Hole) -> HoleStep:
    """START, VALUE: a value, whose escaper names its placeholder."""
    return _STARTED, header_context(placeholder_label(node))


HOLE_TRANSITIONS: Final[dict[HeaderMode, HoleTransition]] = {
    HeaderMode.START: _hole,
    HeaderMode.VALUE: _hole,
}
"""What a placeholder standing in each mode is."""

# The same, indexed by mode.
_HOLE_STEPS: Final = tuple(HOLE_TRANSITIONS[mode] for mode in HeaderMode)


class _HeaderFormat:
    """The header-value state machine (see ``_base``)."""

    name = "header"

    def initial(self) -> HeaderState:
        return _START

    def text(
        self, state: HeaderState, node: Text, start: int = 0
    ) -> HeaderState | Defect[HeaderState]:
        value = node.value
        bad = HEADER_FORBIDDEN.search(value, start) or _SURROGATE.search(value, start)
        if bad is not None:
            return Defect(_bad_character(node, bad), _STARTED, bad.end())
        if start == len(value):
            return state
        # One transition reads the text to its end.
        step = _TEXT_STEPS[state.mode](state, value, start, node)
        return step if isinstance(step, Defect) else step[0]

    def hole(self, state: HeaderState, node: Hole) -> HoleStep:
        return _HOLE_STEPS[state.mode](state, node)

    def loop(self, before: HeaderState, after: HeaderState) -> str | None:
        return None

    def end(self, state: HeaderState, offset: int) -> Problem | None:
        if state.trailing < 0:
            return None
        return Problem(
            Span(state.trailing, offset),
            Code.INVALID_HEADER,
            "a header value cannot end with whitespace: HTTP parsers strip it",
        )

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        return None


FORMAT = _HeaderFormat()

"""The ``text`` format: literal substitution of formatted values, no escaping, no checks."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Final, NamedTuple

from .._compiler.nodes import Hole, Text
from .._problems import Problem
from ._base import Context, Fusion

__all__ = [
    "CONTEXTS",
    "FORMAT",
    "HOLE_TRANSITIONS",
    "TEXT_TRANSITIONS",
    "TEXT_VERBATIM",
    "TextMode",
    "TextState",
]

TEXT_VERBATIM: Final = Context("text", None)
"""Every placeholder: the value's text as it is."""

CONTEXTS: Final = (TEXT_VERBATIM,)
"""Every context a placeholder can land in."""


class TextMode(IntEnum):
    """Where the scanner is: anywhere, since every position is plain text."""

    PLAIN = 0


class TextState(NamedTuple):
    """The machine's one state."""

    mode: TextMode


_PLAIN: Final = TextState(TextMode.PLAIN)

TextStep = tuple[TextState, int]
"""What a transition over literal text returns: the state and where it stopped."""

TextTransition = Callable[[TextState, str, int, Text], TextStep]
"""Reads ``text`` from character ``i`` on in a state of one mode (``node`` holds it)."""

HoleStep = tuple[TextState, Context]
"""What a transition over a placeholder returns: the state after it and its context."""

HoleTransition = Callable[[TextState, Hole], HoleStep]
"""Says what a placeholder standing in a state of one mode is."""


def _text(state: TextState, value: str, i: int, node: Text) -> TextStep:
    """PLAIN: any text, to its end."""
    return state, len(value)


def _hole(state: TextState, node: Hole) -> HoleStep:
    """PLAIN: the value as it is."""
    return state, TEXT_VERBATIM


TEXT_TRANSITIONS: Final[dict[TextMode, TextTransition]] = {TextMode.PLAIN: _text}
"""The transition over literal text of each mode."""

HOLE_TRANSITIONS: Final[dict[TextMode, HoleTransition]] = {TextMode.PLAIN: _hole}
"""What a placeholder standing in each mode is."""


class _TextFormat:
    """A machine with one state: every position is plain text."""

    name = "text"

    def initial(self) -> TextState:
        return _PLAIN

    def text(self, state: TextState, node: Text, start: int = 0) -> TextState:
        return TEXT_TRANSITIONS[state.mode](state, node.value, start, node)[0]

    def hole(self, state: TextState, node: Hole) -> HoleStep:
        return HOLE_TRANSITIONS[state.mode](state, node)

    def loop(self, before: TextState, after: TextState) -> str | None:
        return None

    def end(self, state: TextState, offset: int) -> Problem | None:
        return None

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        return None


FORMAT = _TextFormat()

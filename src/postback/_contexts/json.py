"""The ``json`` format: JSON (RFC 8259) bodies, their contexts and what placeholders are.

``_json_scanner`` reads the literal text (``TEXT_TRANSITIONS``); this module adds the
placeholders: ``HOLE_TRANSITIONS[mode]`` decides what a placeholder is in each mode of
the scanner: a value, part of a string, or a defect.  A placeholder standing where a key, a ``:`` or a ``,``
should be, or glued after a bare value, is read as what it most likely is (a key or a
value, part of the bare value) if the text after it confirms that reading (it goes on
with ``:``, ``,`` or the closer), so that ``check`` reports later defects too;
otherwise the scan stops there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .._compiler.nodes import Hole, Span
from .._escape import json_quote, json_string_body
from .._messages import placeholder_label
from .._problems import Code, Problem
from ._base import Context, Defect, Fusion
from ._json_scanner import (
    LITERALS,
    MAX_DEPTH,
    NUMBER,
    ROOT,
    TEXT_TRANSITIONS,
    JsonMode,
    JsonState,
    bad_token,
    scan,
)
from ._json_state import HoleStep, HoleTransition

__all__ = [
    "CONTEXTS",
    "FORMAT",
    "HOLE_TRANSITIONS",
    "JSON_QUOTED",
    "JSON_STRING",
    "JSON_VALUE",
    "MAX_DEPTH",
    "TEXT_TRANSITIONS",
    "JsonMode",
    "JsonState",
]

# Printable ASCII but the quote and the backslash: the JSON escapers write them as they are.
_INERT: Final = frozenset(chr(c) for c in range(0x20, 0x7F)) - frozenset('"\\')

JSON_STRING: Final = Context("json string", json_string_body, "", _INERT)
"""Inside a string (key or value): the value's text, escaped; missing, nothing."""
JSON_VALUE: Final = Context(
    "json value", json_quote, "null", _INERT, '"', (bool, int, float, Decimal)
)
"""A bare value position: numbers and booleans as they are, any other value a quoted
string, a missing value ``null``."""
JSON_QUOTED: Final = Context("json string with its quotes", json_quote, '""', _INERT, '"')
"""A string that is one placeholder (``"{Name}"``), written with its quotes by one call."""

CONTEXTS: Final = (JSON_STRING, JSON_VALUE, JSON_QUOTED)
"""Every context a placeholder can land in."""


# -- placeholders: one transition per mode ---------------------------------------------------


def _misplaced(state: JsonState, node: Hole, code: Code, message: str) -> Defect[JsonState]:
    """Return the defect of a placeholder outside a value position.

    The scan goes on as if it were a key or a value (in an object, either), until the
    text after it confirms that reading or not (``unconfirmed``).
    """
    problem = Problem(node.span, code, message)
    mode = JsonMode.KEY_HOLE if state.stack[-1:] == "{" else JsonMode.AFTER_HOLE
    return Defect(problem, JsonState(mode, state.scope, unconfirmed=problem))


def _unconfirmed(state: JsonState, node: Hole) -> HoleStep:
    """End the scan after an unconfirmed reading: a placeholder cannot confirm it."""
    assert state.unconfirmed is not None
    return Defect(state.unconfirmed)


def _hole_value(state: JsonState, node: Hole) -> HoleStep:
    return state.scope.at(JsonMode.AFTER_HOLE), JSON_VALUE


def _hole_key(state: JsonState, node: Hole) -> HoleStep:
    label = placeholder_label(node)
    message = (
        f"{label} stands where an object key must be; a key is a string, so put it in "
        f'quotes: "{label}"'
    )
    return _misplaced(state, node, Code.PLACEHOLDER_IN_KEY, message)


def _hole_colon(state: JsonState, node: Hole) -> HoleStep:
    label = placeholder_label(node)
    message = f"{label} stands where JSON expects ':'; put it after the ':' of its key"
    return _misplaced(state, node, Code.PLACEHOLDER_POSITION, message)


def _hole_after(state: JsonState, node: Hole) -> HoleStep:
    label = placeholder_label(node)
    message = f"{label} stands after a complete value; a ',' is missing before it"
    return _misplaced(state, node, Code.PLACEHOLDER_GLUED, message)


def _hole_after_hole(state: JsonState, node: Hole) -> HoleStep:
    if state.unconfirmed is not None:
        return _unconfirmed(state, node)
    label = placeholder_label(node)
    message = f"{label} follows another value directly; separate values with ','"
    return _misplaced(state, node, Code.PLACEHOLDER_GLUED, message)


def _hole_string(state: JsonState, node: Hole) -> HoleStep:
    # A key with a placeholder in it cannot be proven unique: it is not compared.
    return (state._replace(name=None) if state.name is not None else state), JSON_STRING


def _hole_escape(state: JsonState, node: Hole) -> HoleStep:
    message = (
        f"{placeholder_label(node)} follows a backslash inside a JSON string, so the "
        "escape would be completed by the value; remove the backslash or write \\\\"
    )
    # Read on in the string; a key with a placeholder in it is not compared to others.
    in_string = state._replace(mode=JsonMode.STRING, hex_left=0, name=None)
    return Defect(Problem(node.span, Code.PLACEHOLDER_IN_ESCAPE, message), in_string)


def _hole_token(state: JsonState, node: Hole) -> HoleStep:
    message = (
        f"{placeholder_label(node)} is glued to the bare value {state.token!r}; "
        "put both inside one string"
    )
    problem = Problem(node.span, Code.PLACEHOLDER_GLUED, message)
    # Read as part of the bare value, which must then end with ',' or the closer.
    return Defect(problem, JsonState(JsonMode.GLUED, state.scope, unconfirmed=problem))


HOLE_TRANSITIONS: Final[dict[JsonMode, HoleTransition]] = {
    JsonMode.VALUE: _hole_value,
    JsonMode.ARRAY_FIRST: _hole_value,
    JsonMode.OBJECT_FIRST: _hole_key,
    JsonMode.KEY: _hole_key,
    JsonMode.COLON: _hole_colon,
    JsonMode.AFTER: _hole_after,
    JsonMode.AFTER_HOLE: _hole_after_hole,
    JsonMode.KEY_HOLE: _unconfirmed,
    JsonMode.STRING: _hole_string,
    JsonMode.ESCAPE: _hole_escape,
    JsonMode.UNICODE: _hole_escape,
    JsonMode.TOKEN: _hole_token,
    JsonMode.GLUED: _unconfirmed,
}
"""What a placeholder standing in each mode is."""

# The same, indexed by mode.
_HOLE_STEPS: Final = tuple(HOLE_TRANSITIONS[mode] for mode in JsonMode)

_IN_STRING: Final = frozenset({JsonMode.STRING, JsonMode.ESCAPE, JsonMode.UNICODE})
_COMPLETE: Final = frozenset({JsonMode.AFTER, JsonMode.AFTER_HOLE})


class _JsonFormat:
    """The JSON state machine (see ``_base``)."""

    name = "json"

    def initial(self) -> JsonState:
        return ROOT.at(JsonMode.VALUE)

    # Literal text is the scanner's alone (one call less per text than a method calling it).
    text = staticmethod(scan)

    def hole(self, state: JsonState, node: Hole) -> tuple[JsonState, Context] | Defect[JsonState]:
        return _HOLE_STEPS[state.mode](state, node)

    def loop(self, before: JsonState, after: JsonState) -> str | None:
        # A join inside a string ("{join(items, i, "{i.sku}")}") may stay in it.  The
        # keys written are compared by the second item; a key the join stands in is not.
        if before.stack != after.stack or (
            (after.mode in _IN_STRING or after.mode == JsonMode.TOKEN)
            and after._replace(name=None) != before._replace(name=None)
        ):
            return "its template leaves an object, array or string open (or closes one)"
        return None

    def end(self, state: JsonState, offset: int) -> Problem | None:
        mode, stack = state.mode, state.stack
        if state.unconfirmed is not None:
            # The end of the document confirms a value read at its top level only.
            return state.unconfirmed if stack or mode == JsonMode.KEY_HOLE else None
        if mode == JsonMode.TOKEN:
            if state.token not in LITERALS and NUMBER(state.token) is None:
                return bad_token(state.token, offset)
            mode = JsonMode.AFTER
        if mode in _COMPLETE and not stack:
            return None
        if mode in _IN_STRING:
            msg = "the document ends inside a string (a closing '\"' is missing)"
        elif stack:
            closers = "".join("}" if c == "{" else "]" for c in reversed(stack))
            msg = f"the document ends with {len(stack)} unclosed container(s); add {closers!r}"
        else:
            msg = "the document is empty or incomplete"
        return Problem(Span(offset, offset), Code.INVALID_JSON, f"invalid JSON: {msg}")

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        """Let a string that is one placeholder (``"{Name}"``) write its own quotes."""
        if context is not JSON_STRING or not (before.endswith('"') and after.startswith('"')):
            return None
        # The quote before is a string's opening quote unless a backslash escapes it.
        backslashes = len(before) - 1 - len(before[:-1].rstrip("\\"))
        if backslashes % 2:
            return None
        return Fusion(JSON_QUOTED, 1, 1)


FORMAT = _JsonFormat()

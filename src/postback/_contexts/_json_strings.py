"""The JSON scanner inside strings: runs of characters, escapes, and the keys they spell.

The transitions of the modes ``STRING``, ``ESCAPE`` and ``UNICODE`` (``_json_scanner``
puts them in ``TEXT_TRANSITIONS``).  A string that is an object key keeps its text in
the state (``JsonState.name``) until its closing quote, where a key its object already
has is refused (``duplicate-key``).
"""

from __future__ import annotations

import json
import re
from typing import Final

from .._compiler.nodes import Span, Text
from .._problems import Code, Problem
from ._base import Defect
from ._json_state import JsonMode, JsonState, Scope, TextStep, decode_key, describe, invalid

__all__ = ["escape", "string", "unicode"]

_STRING_RUN: Final = re.compile(r'[^"\\\x00-\x1f]*').match
_NEXT_MEMBER: Final = re.compile(
    r'"[ \t\n\r]*,[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*"'
).match
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_ESCAPES: Final = frozenset('"\\/bfnrtu')
_LINE_BREAKS: Final = frozenset("\n\r")


def string(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    """STRING: read a run of characters up to a quote, a backslash or a control character."""
    j = _STRING_RUN(value, i).end()  # type: ignore[union-attr]
    if j == len(value):
        return state, j
    ch = value[j]
    if ch == '"':
        if state.key:
            return _close_key(state, value, j, node)
        return _close_value_fast(state.scope, value, j) or _close_value(state.scope, j)
    if ch == "\\":
        return (
            state._replace(mode=JsonMode.ESCAPE) if state.key else state.scope.at(JsonMode.ESCAPE)
        ), j + 1
    problem = invalid(
        node, j, f"{describe(ch)} inside a string must be escaped (write \\n, \\t or \\u00XX)"
    )
    # A line break may as well be a missing closing quote: what follows is uncertain.
    return Defect(problem, None if ch in _LINE_BREAKS else _untracked(state), j + 1)


def _close_value(scope: Scope, j: int) -> tuple[JsonState, int]:
    """At a string value's closing quote, character ``j``: the state after it."""
    return scope.at(JsonMode.AFTER), j + 1


def _close_value_fast(scope: Scope, value: str, j: int) -> tuple[JsonState, int] | None:
    """Read from a string value's closing quote ``value[j]`` to the opening quote of the
    next member's value in one step, as the transitions would, or return None.

    Between two string placeholders a template's text is most often the end of one
    member and the start of the next, ``", "key": "``: it is read so when the key is
    written whole and is new to its object.
    """
    member = _NEXT_MEMBER(value, j)
    if member is None or scope.stack[-1:] != "{":
        return None
    key = member.group(1)
    if key in scope.key_set():
        return None
    return scope.with_key(key).at(JsonMode.STRING), member.end()


def _untracked(state: JsonState) -> JsonState:
    """Return ``state`` with its key, if any, no longer compared to others."""
    return state._replace(name=None) if state.name is not None else state


def _in_string(state: JsonState) -> JsonState:
    """Return the state back inside the string after an escape sequence."""
    if state.key:
        return state._replace(mode=JsonMode.STRING, hex_left=0)
    return state.scope.at(JsonMode.STRING)


def _close_key(state: JsonState, value: str, j: int, node: Text) -> TextStep:
    """At a key's closing quote ``value[j]``: refuse a literal key its object already has."""
    scope, name = state.scope, state.name
    key = None if name is None else decode_key(name.text + value[name.start : j])
    if key is None:
        return scope.at(JsonMode.COLON), j + 1
    if key not in scope.key_set():
        return scope.with_key(key).at(JsonMode.COLON), j + 1
    assert name is not None
    shown = json.dumps(key, ensure_ascii=False)
    problem = Problem(
        Span(name.quote, node.offset_of(j) + 1),
        Code.DUPLICATE_KEY,
        f"the key {shown} is already in this object: receivers keep one of its values "
        "or refuse the document; write each key once (a join template that writes a "
        "literal key repeats it with every item: give each item an object of its own)",
    )
    return Defect(problem, scope.at(JsonMode.COLON), j + 1)


def escape(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    """ESCAPE: read the letter after a backslash."""
    ch = value[i]
    if ch == "u":
        return state._replace(mode=JsonMode.UNICODE, hex_left=4), i + 1
    if ch in _ESCAPES:
        return _in_string(state), i + 1
    problem = invalid(
        node,
        i,
        f'\\{ch} is not a JSON escape (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)',
    )
    return Defect(problem, None if ch in _LINE_BREAKS else _untracked(_in_string(state)), i + 1)


def unicode(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    """UNICODE: read a hex digit of ``\\uXXXX``."""
    is_hex = value[i] in _HEX
    if is_hex and state.hex_left > 1:
        return state._replace(hex_left=state.hex_left - 1), i + 1
    if is_hex:
        return _in_string(state), i + 1
    problem = invalid(node, i, "\\u must be followed by four hex digits")
    # The character is read again, in the string.
    return Defect(problem, _untracked(_in_string(state)), i)

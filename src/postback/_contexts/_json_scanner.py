"""The JSON scanner: one transition per mode over literal text, and the scan.

``scan`` reads the literal text of a template as JSON (RFC 8259) from a ``JsonState``:
a ``JsonMode`` and the stack of open containers.  ``TEXT_TRANSITIONS[mode]`` is the
transition of a mode; those between tokens are here, those inside strings in
``_json_strings``.  The ``json`` format (``json.py``) adds what placeholders are.

Two shapes that make up most of a JSON template's text are read in one step by a fast
path beside the transition it shortcuts, named after it: ``_open_key_fast`` (a key
written whole with its ``:``) and ``_json_strings._close_value_fast`` (the text between
two string values, ``", "key": "``).  A fast path returns None where it does not
apply; a test reads templates with every fast path returning None and compares.

After a defect the scan goes on where what follows can only be read one way, so that
``check`` reports later, independent defects too:

* a raw control character (but a line break) or a bad escape inside a string is
  skipped, and the string goes on;
* any other defect in literal text resumes at the start of the next line when the
  rest of its line ends with ``,`` and holds no quote or bracket, so that the open
  containers are still known, and the next line starts as a member of the innermost
  one does.

Misplaced placeholders are read as a key or a value until the text after them
confirms it (``KEY_HOLE``, ``AFTER_HOLE`` and ``GLUED`` with ``unconfirmed`` set).
"""

from __future__ import annotations

import re
from typing import Final

from .._compiler.nodes import Span, Text
from .._messages import option
from .._problems import Code, Problem
from ._base import Defect
from ._json_state import (
    ROOT,
    JsonMode,
    JsonState,
    KeyText,
    Scope,
    TextStep,
    TextTransition,
    describe,
    invalid,
    span,
)
from ._json_strings import escape, string, unicode

__all__ = [
    "LITERALS",
    "MAX_DEPTH",
    "NUMBER",
    "ROOT",
    "TEXT_TRANSITIONS",
    "JsonMode",
    "JsonState",
    "Scope",
    "bad_token",
    "scan",
]

# The deepest nesting of objects and arrays a template may have.  It keeps the scanner
# linear (each state holds the stack of open containers) and the output readable by
# common receivers.
MAX_DEPTH: Final = 512

_LAST_BETWEEN: Final = JsonMode.KEY_HOLE  # the modes up to this one read between tokens
_SPACE: Final = frozenset(" \t\n\r")
_SKIP_SPACE: Final = re.compile(r"[ \t\n\r]*").match
_WHOLE_KEY: Final = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:').match
_TOKEN_RUN: Final = re.compile(r"[0-9A-Za-z.+\-]*").match
_TOKEN_START: Final = frozenset("-0123456789tfn")
NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?").fullmatch
LITERALS: Final = frozenset({"true", "false", "null"})
_OPENS_OR_CLOSES: Final = re.compile(r'["{}\[\]]').search
_KEY_LINE: Final = re.compile(r'[ \t\r]*"(?:[^"\\\n]|\\.)*"[ \t]*:').match
_VALUE_LINE: Final = re.compile(r'[ \t\r]*[-0-9tfn"{\[]').match
_TRAILING_COMMA: Final = " (a trailing comma is not allowed)"


def _resync(problem: Problem, scope: Scope, value: str, i: int) -> Defect[JsonState]:
    """Return the defect of a structural error at ``value[i]``, resuming where certain.

    The scan resumes at the next line when the rest of this line ends with ``,`` and
    holds no quote or bracket, so that the open containers are still those of
    ``stack``, and when the next line starts as a member does there: with a key
    string and ``:`` in an object, with a value in an array.
    """
    end = value.find("\n", i)
    if end < 0 or not scope.stack:
        return Defect(problem)
    rest = value[i:end]
    if _OPENS_OR_CLOSES(rest) is not None or rest.rstrip()[-1:] != ",":
        return Defect(problem)
    next_line = _KEY_LINE if scope.stack[-1] == "{" else _VALUE_LINE
    if next_line(value, end + 1) is None:
        return Defect(problem)
    return Defect(problem, scope.member(), end + 1)


# -- literal text: one transition per mode ---------------------------------------------------
#
# A transition reads ``value`` from ``i`` in its mode and returns the state and the index
# after what it read, or a ``Defect``.  Between tokens, ``value[i]`` is not whitespace.


def _value(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    ch, scope = value[i], state.scope
    if ch == '"':
        return scope.at(JsonMode.STRING), i + 1
    if ch in _TOKEN_START:
        return JsonState(JsonMode.TOKEN, scope), i
    if ch == "{" or ch == "[":
        if scope.depth >= MAX_DEPTH:
            problem = Problem(
                span(node, i),
                Code.NESTING_TOO_DEEP,
                f"invalid JSON: objects and arrays nested more than {MAX_DEPTH} "
                "levels deep (JSON parsers refuse such documents)",
            )
            return Defect(problem)
        first = JsonMode.OBJECT_FIRST if ch == "{" else JsonMode.ARRAY_FIRST
        return scope.open(ch).at(first), i + 1
    hint = _TRAILING_COMMA if ch in "]}" else ""
    if scope.depth == 0:  # the template's first token: maybe a template of another format
        hint = _other_format(value[i:])
    problem = invalid(node, i, f"expected a value, found {describe(ch)}{hint}")
    return _resync(problem, scope, value, i)


_URL_START: Final = re.compile(r"https?://", re.IGNORECASE).match
_QUERY_START: Final = re.compile(r"[A-Za-z0-9_.~%+\-\[\]]+=").match


def _other_format(text: str) -> str:
    """Return a hint naming the format that text starting a JSON template looks like.

    A URL, XML or a query string compiled without ``format=`` (JSON is the default)
    would otherwise be told only "invalid JSON".
    """
    if _URL_START(text):
        what, fmt = "a URL", "url"
    elif text.startswith("<"):
        what, fmt = "XML", "xml"
    elif _QUERY_START(text):
        what, fmt = "a query string", "query"
    else:
        return ""
    return f"; this looks like {what}, not JSON: use {option('format', fmt)}"


def _array_first(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    if value[i] == "]":
        return state.scope.close().at(JsonMode.AFTER), i + 1
    return _value(state, value, i, node)


def _open_key(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    """Start reading a key whose opening quote is ``value[i]``, as a string (which ends
    in ``_json_strings._close_key``)."""
    name = KeyText("", i + 1, -1, node.offset_of(i))
    return JsonState(JsonMode.STRING, state.scope, key=True, name=name), i + 1


def _open_key_fast(state: JsonState, value: str, i: int) -> TextStep | None:
    """Read a key whose opening quote is ``value[i]`` and its ``:`` in one step, as the
    transitions would, or return None.

    Most keys are read so: written whole in one text with their ``:``, without
    escapes, and new to their object.
    """
    whole = _WHOLE_KEY(value, i)
    if whole is None:
        return None
    key, scope = whole.group(1), state.scope
    if key in scope.key_set():
        return None
    return scope.with_key(key).at(JsonMode.VALUE), whole.end()


def _object_first(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    ch = value[i]
    if ch == "}":
        return state.scope.close().at(JsonMode.AFTER), i + 1
    if ch == '"':
        return _open_key_fast(state, value, i) or _open_key(state, value, i, node)
    problem = invalid(node, i, f"expected a key string or '}}', found {describe(ch)}")
    return _resync(problem, state.scope, value, i)


def _key(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    ch = value[i]
    if ch == '"':
        return _open_key_fast(state, value, i) or _open_key(state, value, i, node)
    hint = _TRAILING_COMMA if ch == "}" else ""
    problem = invalid(node, i, f"expected a key string, found {describe(ch)}{hint}")
    return _resync(problem, state.scope, value, i)


def _colon(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    ch = value[i]
    if ch == ":":
        return state.scope.at(JsonMode.VALUE), i + 1
    problem = invalid(node, i, f"expected ':' after an object key, found {describe(ch)}")
    return _resync(problem, state.scope, value, i)


def _after(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    ch, scope = value[i], state.scope
    stack = scope.stack
    if ch == "," and stack:
        return scope.member(), i + 1
    top = stack[-1:]
    if (ch == "}" and top == "{") or (ch == "]" and top == "["):
        return scope.close().at(JsonMode.AFTER), i + 1
    if not stack:
        problem = invalid(node, i, f"unexpected {describe(ch)} after the end of the document")
    else:
        closer = "}" if top == "{" else "]"
        problem = invalid(node, i, f"expected ',' or '{closer}', found {describe(ch)}")
    return _resync(problem, scope, value, i)


def _after_hole(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    ch = value[i]
    if ch == "," or ch == "}" or ch == "]":
        step = _after(state, value, i, node)
        if not isinstance(step, Defect):
            return step
    if state.unconfirmed is not None:
        return Defect(state.unconfirmed)
    problem = Problem(
        span(node, i),
        Code.INVALID_JSON,
        f"a placeholder at a value position must stand alone, but it is glued to "
        f"{describe(ch)}; put the placeholder and the text inside one string "
        '("...") to make a string value',
    )
    return _resync(problem, state.scope, value, i)


def _key_hole(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    ch = value[i]
    if ch == ":":  # the placeholder was a key
        return state.scope.at(JsonMode.VALUE), i + 1
    if ch == "," or ch == "}":  # it was a whole member, or a value after a missing ':'
        return _after(state, value, i, node)
    assert state.unconfirmed is not None  # only a misplaced placeholder leads here
    return Defect(state.unconfirmed)


def _token(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    j = _TOKEN_RUN(value, i).end()  # type: ignore[union-attr]
    token = state.token + value[i:j]
    if j == len(value):
        return JsonState(JsonMode.TOKEN, state.scope, token=token), j
    if token in LITERALS or NUMBER(token) is not None:
        return state.scope.at(JsonMode.AFTER), j
    return _resync(bad_token(token, node.offset_of(j)), state.scope, value, j)


def _glued(state: JsonState, value: str, i: int, node: Text) -> TextStep:
    j = _TOKEN_RUN(value, i).end()  # type: ignore[union-attr]
    if j == len(value):
        return state, j
    return JsonState(JsonMode.AFTER_HOLE, state.scope, unconfirmed=state.unconfirmed), j


def bad_token(token: str, end: int) -> Problem:
    return Problem(
        Span(end - len(token), end),
        Code.INVALID_JSON,
        f"invalid JSON: {token!r} is not a value (strings need double quotes)",
    )


TEXT_TRANSITIONS: Final[dict[JsonMode, TextTransition]] = {
    JsonMode.VALUE: _value,
    JsonMode.ARRAY_FIRST: _array_first,
    JsonMode.OBJECT_FIRST: _object_first,
    JsonMode.KEY: _key,
    JsonMode.COLON: _colon,
    JsonMode.AFTER: _after,
    JsonMode.AFTER_HOLE: _after_hole,
    JsonMode.KEY_HOLE: _key_hole,
    JsonMode.STRING: string,
    JsonMode.ESCAPE: escape,
    JsonMode.UNICODE: unicode,
    JsonMode.TOKEN: _token,
    JsonMode.GLUED: _glued,
}
"""The transition over literal text of each mode."""

# The same, indexed by mode: ``scan`` looks a transition up at nearly every token.
_TEXT_STEPS: Final = tuple(TEXT_TRANSITIONS[mode] for mode in JsonMode)


def scan(state: JsonState, node: Text, start: int = 0) -> JsonState | Defect[JsonState]:
    """Return the state after the text of ``node`` from ``start`` on, or its first defect."""
    value = node.value
    i, n = start, len(value)
    name = state.name
    if name is not None:
        # A key goes on in this text only if it follows the key's text at once (not
        # after a join's template or separator); its characters here start at 0.
        state = state._replace(name=KeyText(name.text, 0, -1, name.quote))
        if node.span.start != name.end or start:
            state = state._replace(name=None)
    while i < n:
        mode = state.mode
        if mode <= _LAST_BETWEEN and value[i] in _SPACE:
            i = _SKIP_SPACE(value, i).end()  # type: ignore[union-attr]
            if i == n:
                break
        step = _TEXT_STEPS[mode](state, value, i, node)
        if isinstance(step, Defect):
            return step
        state, i = step
    name = state.name
    if name is not None and state.mode <= JsonMode.UNICODE and state.mode >= JsonMode.STRING:
        # The key goes on in the next text: keep what this one holds of it.
        text = name.text + value[name.start :]
        state = state._replace(name=KeyText(text, 0, node.span.end, name.quote))
    return state

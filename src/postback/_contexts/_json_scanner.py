"""The JSON scanner: its state, and one transition per mode over literal text.

``scan`` reads the literal text of a template as JSON (RFC 8259) from a ``JsonState``:
a ``Mode`` and the stack of open containers.  ``TEXT[mode]`` is the transition of a
mode.  The ``json`` format (``json.py``) adds what placeholders are.

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

import json
import re
from collections.abc import Callable
from typing import Final

from .._compiler.nodes import Span, Text
from .._messages import describe_char, option
from .._problems import Code, Problem
from ._base import Defect
from ._json_state import ROOT, JsonState, KeyText, Mode, Scope, decode_key

__all__ = [
    "LITERALS",
    "MAX_DEPTH",
    "NUMBER",
    "ROOT",
    "JsonState",
    "Mode",
    "Scope",
    "bad_token",
    "scan",
]

# The deepest nesting of objects and arrays a template may have.  It keeps the scanner
# linear (each state holds the stack of open containers) and the output readable by
# common receivers.
MAX_DEPTH: Final = 512


_Step = tuple[JsonState, int] | Defect[JsonState]
_Transition = Callable[[JsonState, str, int, Text], _Step]

_LAST_BETWEEN: Final = Mode.KEY_HOLE  # the modes up to this one read between tokens
_SPACE: Final = frozenset(" \t\n\r")
_SKIP_SPACE: Final = re.compile(r"[ \t\n\r]*").match
_STRING_RUN: Final = re.compile(r'[^"\\\x00-\x1f]*').match
_WHOLE_KEY: Final = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:').match
_NEXT_MEMBER: Final = re.compile(
    r'"[ \t\n\r]*,[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*"'
).match
_TOKEN_RUN: Final = re.compile(r"[0-9A-Za-z.+\-]*").match
_TOKEN_START: Final = frozenset("-0123456789tfn")
NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?").fullmatch
LITERALS: Final = frozenset({"true", "false", "null"})
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_ESCAPES: Final = frozenset('"\\/bfnrtu')
_OPENS_OR_CLOSES: Final = re.compile(r'["{}\[\]]').search
_LINE_BREAKS: Final = frozenset("\n\r")
_KEY_LINE: Final = re.compile(r'[ \t\r]*"(?:[^"\\\n]|\\.)*"[ \t]*:').match
_VALUE_LINE: Final = re.compile(r'[ \t\r]*[-0-9tfn"{\[]').match
_TRAILING_COMMA: Final = " (a trailing comma is not allowed)"


def _describe(ch: str) -> str:
    return describe_char(ch, code_points=False)


def _span(node: Text, i: int) -> Span:
    at = node.offset_of(i)
    return Span(at, at + 1)


def _invalid(node: Text, i: int, message: str) -> Problem:
    return Problem(_span(node, i), Code.INVALID_JSON, f"invalid JSON: {message}")


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


def _value(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch, scope = value[i], state.scope
    if ch == '"':
        return scope.at(Mode.STRING), i + 1
    if ch in _TOKEN_START:
        return JsonState(Mode.TOKEN, scope), i
    if ch == "{" or ch == "[":
        if scope.depth >= MAX_DEPTH:
            problem = Problem(
                _span(node, i),
                Code.NESTING_TOO_DEEP,
                f"invalid JSON: objects and arrays nested more than {MAX_DEPTH} "
                "levels deep (JSON parsers refuse such documents)",
            )
            return Defect(problem)
        first = Mode.OBJECT_FIRST if ch == "{" else Mode.ARRAY_FIRST
        return scope.open(ch).at(first), i + 1
    hint = _TRAILING_COMMA if ch in "]}" else ""
    if scope.depth == 0:  # the template's first token: maybe a template of another format
        hint = _other_format(value[i:])
    problem = _invalid(node, i, f"expected a value, found {_describe(ch)}{hint}")
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


def _array_first(state: JsonState, value: str, i: int, node: Text) -> _Step:
    if value[i] == "]":
        return state.scope.close().at(Mode.AFTER), i + 1
    return _value(state, value, i, node)


def _open_key(state: JsonState, value: str, i: int, node: Text) -> _Step:
    """Start reading a key whose opening quote is ``value[i]``.

    A new key written whole in this text with its ``:``, without escapes, as most keys
    are, is read in one step; any other is read as a string (``_string``), which ends
    in ``_close_key``.
    """
    whole = _WHOLE_KEY(value, i)
    if whole is not None:
        key, scope = whole.group(1), state.scope
        if key not in scope.key_set():
            return scope.with_key(key).at(Mode.VALUE), whole.end()
    name = KeyText("", i + 1, -1, node.offset_of(i))
    return JsonState(Mode.STRING, state.scope, key=True, name=name), i + 1


def _object_first(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == "}":
        return state.scope.close().at(Mode.AFTER), i + 1
    if ch == '"':
        return _open_key(state, value, i, node)
    problem = _invalid(node, i, f"expected a key string or '}}', found {_describe(ch)}")
    return _resync(problem, state.scope, value, i)


def _key(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == '"':
        return _open_key(state, value, i, node)
    hint = _TRAILING_COMMA if ch == "}" else ""
    problem = _invalid(node, i, f"expected a key string, found {_describe(ch)}{hint}")
    return _resync(problem, state.scope, value, i)


def _colon(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == ":":
        return state.scope.at(Mode.VALUE), i + 1
    problem = _invalid(node, i, f"expected ':' after an object key, found {_describe(ch)}")
    return _resync(problem, state.scope, value, i)


def _after(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch, scope = value[i], state.scope
    stack = scope.stack
    if ch == "," and stack:
        return scope.member(), i + 1
    top = stack[-1:]
    if (ch == "}" and top == "{") or (ch == "]" and top == "["):
        return scope.close().at(Mode.AFTER), i + 1
    if not stack:
        problem = _invalid(node, i, f"unexpected {_describe(ch)} after the end of the document")
    else:
        closer = "}" if top == "{" else "]"
        problem = _invalid(node, i, f"expected ',' or '{closer}', found {_describe(ch)}")
    return _resync(problem, scope, value, i)


def _after_hole(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == "," or ch == "}" or ch == "]":
        step = _after(state, value, i, node)
        if not isinstance(step, Defect):
            return step
    if state.unconfirmed is not None:
        return Defect(state.unconfirmed)
    problem = Problem(
        _span(node, i),
        Code.INVALID_JSON,
        f"a placeholder at a value position must stand alone, but it is glued to "
        f"{_describe(ch)}; put the placeholder and the text inside one string "
        '("...") to make a string value',
    )
    return _resync(problem, state.scope, value, i)


def _key_hole(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == ":":  # the placeholder was a key
        return state.scope.at(Mode.VALUE), i + 1
    if ch == "," or ch == "}":  # it was a whole member, or a value after a missing ':'
        return _after(state, value, i, node)
    assert state.unconfirmed is not None  # only a misplaced placeholder leads here
    return Defect(state.unconfirmed)


def _string(state: JsonState, value: str, i: int, node: Text) -> _Step:
    j = _STRING_RUN(value, i).end()  # type: ignore[union-attr]
    if j == len(value):
        return state, j
    ch = value[j]
    if ch == '"':
        if state.key:
            return _close_key(state, value, j, node)
        return _close_value(state.scope, value, j)
    if ch == "\\":
        return (
            state._replace(mode=Mode.ESCAPE) if state.key else state.scope.at(Mode.ESCAPE)
        ), j + 1
    problem = _invalid(
        node, j, f"{_describe(ch)} inside a string must be escaped (write \\n, \\t or \\u00XX)"
    )
    # A line break may as well be a missing closing quote: what follows is uncertain.
    return Defect(problem, None if ch in _LINE_BREAKS else _untracked(state), j + 1)


def _close_value(scope: Scope, value: str, j: int) -> tuple[JsonState, int]:
    """At a string value's closing quote ``value[j]``: the state after it.

    Between two string placeholders a template's text is most often the end of one
    member and the start of the next, ``", "key": "``: when it is, with a new key
    written whole, it is read in one step, as the transitions would read it.
    """
    member = _NEXT_MEMBER(value, j)
    if member is not None and scope.stack[-1:] == "{":
        key = member.group(1)
        if key not in scope.key_set():
            return scope.with_key(key).at(Mode.STRING), member.end()
    return scope.at(Mode.AFTER), j + 1


def _untracked(state: JsonState) -> JsonState:
    """Return ``state`` with its key, if any, no longer compared to others."""
    return state._replace(name=None) if state.name is not None else state


def _in_string(state: JsonState) -> JsonState:
    """Return the state back inside the string after an escape sequence."""
    return (
        state._replace(mode=Mode.STRING, hex_left=0) if state.key else state.scope.at(Mode.STRING)
    )


def _close_key(state: JsonState, value: str, j: int, node: Text) -> _Step:
    """At a key's closing quote ``value[j]``: refuse a literal key its object already has."""
    scope, name = state.scope, state.name
    key = None if name is None else decode_key(name.text + value[name.start : j])
    if key is None:
        return scope.at(Mode.COLON), j + 1
    if key not in scope.key_set():
        return scope.with_key(key).at(Mode.COLON), j + 1
    assert name is not None
    shown = json.dumps(key, ensure_ascii=False)
    problem = Problem(
        Span(name.quote, node.offset_of(j) + 1),
        Code.DUPLICATE_KEY,
        f"the key {shown} is already in this object: receivers keep one of its values "
        "or refuse the document; write each key once (a join template that writes a "
        "literal key repeats it with every item: give each item an object of its own)",
    )
    return Defect(problem, scope.at(Mode.COLON), j + 1)


def _escape(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == "u":
        return state._replace(mode=Mode.UNICODE, hex_left=4), i + 1
    if ch in _ESCAPES:
        return _in_string(state), i + 1
    problem = _invalid(
        node,
        i,
        f'\\{ch} is not a JSON escape (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)',
    )
    return Defect(problem, None if ch in _LINE_BREAKS else _untracked(_in_string(state)), i + 1)


def _unicode(state: JsonState, value: str, i: int, node: Text) -> _Step:
    is_hex = value[i] in _HEX
    if is_hex and state.hex_left > 1:
        return state._replace(hex_left=state.hex_left - 1), i + 1
    if is_hex:
        return _in_string(state), i + 1
    problem = _invalid(node, i, "\\u must be followed by four hex digits")
    # The character is read again, in the string.
    return Defect(problem, _untracked(_in_string(state)), i)


def _token(state: JsonState, value: str, i: int, node: Text) -> _Step:
    j = _TOKEN_RUN(value, i).end()  # type: ignore[union-attr]
    token = state.token + value[i:j]
    if j == len(value):
        return JsonState(Mode.TOKEN, state.scope, token=token), j
    if token in LITERALS or NUMBER(token) is not None:
        return state.scope.at(Mode.AFTER), j
    return _resync(bad_token(token, node.offset_of(j)), state.scope, value, j)


def _glued(state: JsonState, value: str, i: int, node: Text) -> _Step:
    j = _TOKEN_RUN(value, i).end()  # type: ignore[union-attr]
    if j == len(value):
        return state, j
    return JsonState(Mode.AFTER_HOLE, state.scope, unconfirmed=state.unconfirmed), j


def bad_token(token: str, end: int) -> Problem:
    return Problem(
        Span(end - len(token), end),
        Code.INVALID_JSON,
        f"invalid JSON: {token!r} is not a value (strings need double quotes)",
    )


TEXT: Final[tuple[_Transition, ...]] = (
    _value,  # VALUE
    _array_first,  # ARRAY_FIRST
    _object_first,  # OBJECT_FIRST
    _key,  # KEY
    _colon,  # COLON
    _after,  # AFTER
    _after_hole,  # AFTER_HOLE
    _key_hole,  # KEY_HOLE
    _string,  # STRING
    _escape,  # ESCAPE
    _unicode,  # UNICODE
    _token,  # TOKEN
    _glued,  # GLUED
)


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
        step = TEXT[mode](state, value, i, node)
        if isinstance(step, Defect):
            return step
        state, i = step
    name = state.name
    if name is not None and state.mode <= Mode.UNICODE and state.mode >= Mode.STRING:
        # The key goes on in the next text: keep what this one holds of it.
        text = name.text + value[name.start :]
        state = state._replace(name=KeyText(text, 0, node.span.end, name.quote))
    return state

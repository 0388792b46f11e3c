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

import re
from collections.abc import Callable
from enum import IntEnum
from typing import Final, NamedTuple

from .._messages import describe_char
from .._nodes import Span, Text
from .._problems import Code, Problem
from ._base import Defect

__all__ = ["LITERALS", "MAX_DEPTH", "NUMBER", "STATES", "JsonState", "Mode", "bad_token", "scan"]

# The deepest nesting of objects and arrays a template may have.  It keeps the scanner
# linear (each state holds the stack of open containers) and the output readable by
# common receivers.
MAX_DEPTH: Final = 512


class Mode(IntEnum):
    """Where the scanner is; ``TEXT`` (and ``json._HOLE``) hold what each mode does."""

    # Between tokens (whitespace is skipped):
    VALUE = 0  # a value must follow (document start, after ':' or after ',' in an array)
    ARRAY_FIRST = 1  # after '[': a value or ']'
    OBJECT_FIRST = 2  # after '{': a key or '}'
    KEY = 3  # after ',' in an object: a key
    COLON = 4  # after a key: ':'
    AFTER = 5  # after a literal value: ',' or the closer
    AFTER_HOLE = 6  # after a placeholder at a value position: ',' or the closer
    KEY_HOLE = 7  # after a placeholder misplaced in an object: ':', ',' or '}' (unconfirmed)
    # Inside a token:
    STRING = 8  # inside a string
    ESCAPE = 9  # inside a string, right after a backslash
    UNICODE = 10  # inside a string, in the hex digits of a \uXXXX escape
    TOKEN = 11  # inside a bare number or literal (true, false, null)
    GLUED = 12  # inside a bare value with a placeholder glued in (unconfirmed)


class JsonState(NamedTuple):
    """The scanner's situation; fields a mode does not use keep their defaults."""

    mode: Mode
    stack: str  # the open containers, outermost first, as their opening characters
    key: bool = False  # STRING, ESCAPE, UNICODE: the string is an object key
    hex_left: int = 0  # UNICODE: the hex digits still to come
    token: str = ""  # TOKEN: the bare value read so far
    # After a misplaced placeholder read as a key or value, until the text after it
    # confirms that reading: its defect, reported again to end the scan if the text
    # does not (the compiler keeps each defect once).
    unconfirmed: Problem | None = None


class _Family(NamedTuple):
    """The states of one stack of open containers in the modes that hold nothing else."""

    value: JsonState
    array_first: JsonState
    object_first: JsonState
    key: JsonState
    colon: JsonState
    after: JsonState
    after_hole: JsonState
    string: JsonState
    key_string: JsonState
    escape: JsonState
    key_escape: JsonState
    member: JsonState  # after ',': KEY in an object, VALUE in an array


class _Families(dict[str, _Family]):
    """The family of every stack seen lately, made on first use.

    The scanner changes state at nearly every token it reads; taking the new state
    from here instead of building it keeps it as fast as one working on bare
    integers.  The cache is emptied when it grows large: equal states need not be
    the same object.
    """

    def __missing__(self, stack: str) -> _Family:
        if len(self) >= 4096:
            self.clear()
        family = self[stack] = _Family(
            value=JsonState(Mode.VALUE, stack),
            array_first=JsonState(Mode.ARRAY_FIRST, stack),
            object_first=JsonState(Mode.OBJECT_FIRST, stack),
            key=JsonState(Mode.KEY, stack),
            colon=JsonState(Mode.COLON, stack),
            after=JsonState(Mode.AFTER, stack),
            after_hole=JsonState(Mode.AFTER_HOLE, stack),
            string=JsonState(Mode.STRING, stack),
            key_string=JsonState(Mode.STRING, stack, key=True),
            escape=JsonState(Mode.ESCAPE, stack),
            key_escape=JsonState(Mode.ESCAPE, stack, key=True),
            member=JsonState(Mode.KEY if stack[-1:] == "{" else Mode.VALUE, stack),
        )
        return family


STATES: Final = _Families()

_Step = tuple[JsonState, int] | Defect[JsonState]
_Transition = Callable[[JsonState, str, int, Text], _Step]

_LAST_BETWEEN: Final = Mode.KEY_HOLE  # the modes up to this one read between tokens
_SPACE: Final = frozenset(" \t\n\r")
_SKIP_SPACE: Final = re.compile(r"[ \t\n\r]*").match
_STRING_RUN: Final = re.compile(r'[^"\\\x00-\x1f]*').match
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


def _resync(problem: Problem, stack: str, value: str, i: int) -> Defect[JsonState]:
    """Return the defect of a structural error at ``value[i]``, resuming where certain.

    The scan resumes at the next line when the rest of this line ends with ``,`` and
    holds no quote or bracket, so that the open containers are still those of
    ``stack``, and when the next line starts as a member does there: with a key
    string and ``:`` in an object, with a value in an array.
    """
    end = value.find("\n", i)
    if end < 0 or not stack:
        return Defect(problem)
    rest = value[i:end]
    if _OPENS_OR_CLOSES(rest) is not None or rest.rstrip()[-1:] != ",":
        return Defect(problem)
    next_line = _KEY_LINE if stack[-1] == "{" else _VALUE_LINE
    if next_line(value, end + 1) is None:
        return Defect(problem)
    return Defect(problem, STATES[stack].member, end + 1)


# -- literal text: one transition per mode ---------------------------------------------------
#
# A transition reads ``value`` from ``i`` in its mode and returns the state and the index
# after what it read, or a ``Defect``.  Between tokens, ``value[i]`` is not whitespace.


def _value(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch, stack = value[i], state.stack
    if ch == '"':
        return STATES[stack].string, i + 1
    if ch in _TOKEN_START:
        return JsonState(Mode.TOKEN, stack), i
    if ch == "{" or ch == "[":
        if len(stack) >= MAX_DEPTH:
            problem = Problem(
                _span(node, i),
                Code.NESTING_TOO_DEEP,
                f"invalid JSON: objects and arrays nested more than {MAX_DEPTH} "
                "levels deep (JSON parsers refuse such documents)",
            )
            return Defect(problem)
        inner = STATES[stack + ch]
        return (inner.object_first if ch == "{" else inner.array_first), i + 1
    hint = _TRAILING_COMMA if ch in "]}" else ""
    problem = _invalid(node, i, f"expected a value, found {_describe(ch)}{hint}")
    return _resync(problem, stack, value, i)


def _array_first(state: JsonState, value: str, i: int, node: Text) -> _Step:
    if value[i] == "]":
        return STATES[state.stack[:-1]].after, i + 1
    return _value(state, value, i, node)


def _object_first(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == "}":
        return STATES[state.stack[:-1]].after, i + 1
    if ch == '"':
        return STATES[state.stack].key_string, i + 1
    problem = _invalid(node, i, f"expected a key string or '}}', found {_describe(ch)}")
    return _resync(problem, state.stack, value, i)


def _key(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == '"':
        return STATES[state.stack].key_string, i + 1
    hint = _TRAILING_COMMA if ch == "}" else ""
    problem = _invalid(node, i, f"expected a key string, found {_describe(ch)}{hint}")
    return _resync(problem, state.stack, value, i)


def _colon(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == ":":
        return STATES[state.stack].value, i + 1
    problem = _invalid(node, i, f"expected ':' after an object key, found {_describe(ch)}")
    return _resync(problem, state.stack, value, i)


def _after(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch, stack = value[i], state.stack
    if ch == "," and stack:
        return STATES[stack].member, i + 1
    top = stack[-1:]
    if (ch == "}" and top == "{") or (ch == "]" and top == "["):
        return STATES[stack[:-1]].after, i + 1
    if not stack:
        problem = _invalid(node, i, f"unexpected {_describe(ch)} after the end of the document")
    else:
        closer = "}" if top == "{" else "]"
        problem = _invalid(node, i, f"expected ',' or '{closer}', found {_describe(ch)}")
    return _resync(problem, stack, value, i)


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
    return _resync(problem, state.stack, value, i)


def _key_hole(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == ":":  # the placeholder was a key
        return STATES[state.stack].value, i + 1
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
        family = STATES[state.stack]
        return (family.colon if state.key else family.after), j + 1
    if ch == "\\":
        family = STATES[state.stack]
        return (family.key_escape if state.key else family.escape), j + 1
    problem = _invalid(
        node, j, f"{_describe(ch)} inside a string must be escaped (write \\n, \\t or \\u00XX)"
    )
    # A line break may as well be a missing closing quote: what follows is uncertain.
    return Defect(problem, None if ch in _LINE_BREAKS else state, j + 1)


def _escape(state: JsonState, value: str, i: int, node: Text) -> _Step:
    ch = value[i]
    if ch == "u":
        return JsonState(Mode.UNICODE, state.stack, state.key, 4), i + 1
    family = STATES[state.stack]
    in_string = family.key_string if state.key else family.string
    if ch in _ESCAPES:
        return in_string, i + 1
    problem = _invalid(
        node,
        i,
        f'\\{ch} is not a JSON escape (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)',
    )
    return Defect(problem, None if ch in _LINE_BREAKS else in_string, i + 1)


def _unicode(state: JsonState, value: str, i: int, node: Text) -> _Step:
    is_hex = value[i] in _HEX
    if is_hex and state.hex_left > 1:
        return JsonState(Mode.UNICODE, state.stack, state.key, state.hex_left - 1), i + 1
    family = STATES[state.stack]
    in_string = family.key_string if state.key else family.string
    if is_hex:
        return in_string, i + 1
    problem = _invalid(node, i, "\\u must be followed by four hex digits")
    return Defect(problem, in_string, i)  # the character is read again, in the string


def _token(state: JsonState, value: str, i: int, node: Text) -> _Step:
    j = _TOKEN_RUN(value, i).end()  # type: ignore[union-attr]
    token = state.token + value[i:j]
    if j == len(value):
        return JsonState(Mode.TOKEN, state.stack, token=token), j
    if token in LITERALS or NUMBER(token) is not None:
        return STATES[state.stack].after, j
    return _resync(bad_token(token, node.offset_of(j)), state.stack, value, j)


def _glued(state: JsonState, value: str, i: int, node: Text) -> _Step:
    j = _TOKEN_RUN(value, i).end()  # type: ignore[union-attr]
    if j == len(value):
        return state, j
    return JsonState(Mode.AFTER_HOLE, state.stack, unconfirmed=state.unconfirmed), j


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
    return state

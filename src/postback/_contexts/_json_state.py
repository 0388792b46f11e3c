"""The JSON scanner's state: where it is, the open containers, the keys of each object.

A ``JsonState`` is a ``JsonMode`` and a ``Scope``, plus what the mode is in the middle of
(a key's text, a token, hex digits).  A ``Scope`` is the stack of open containers (as
their opening characters) and, for every open object, the keys the template has written
into it literally, so that a key written twice is found where it is written the second
time, be it by the template's text or by a join's second item.

States and scopes are values: two are equal when they hold the same, however they were
reached.  Adding a key makes a new scope in constant time: the new scope takes over the
set of keys of the one it extends, which rebuilds its own from its chain of keys only if
it is used again (after a join, which follows several states).  The scanner changes
state at nearly every token it reads; ``Scope.at`` gives the states that hold nothing
but a mode, made once per scope, so that it is as fast as one working on bare integers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import IntEnum
from typing import Final, NamedTuple

from .._compiler.nodes import Hole, Span, Text
from .._messages import describe_char
from .._problems import Code, Problem
from ._base import Context, Defect

__all__ = [
    "ROOT",
    "HoleStep",
    "HoleTransition",
    "JsonMode",
    "JsonState",
    "KeyText",
    "Scope",
    "TextStep",
    "TextTransition",
    "decode_key",
    "describe",
    "invalid",
    "span",
]


class JsonMode(IntEnum):
    """Where the scanner is; ``TEXT_TRANSITIONS`` (``_json_scanner``) and
    ``HOLE_TRANSITIONS`` (``json``) hold what each mode does."""

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

    mode: JsonMode
    scope: Scope  # the open containers and the literal keys of the open objects
    key: bool = False  # STRING, ESCAPE, UNICODE: the string is an object key
    # In a key: its text so far, or None if it is not literal (a placeholder or a
    # join stands in it, or it has a defect), so that it cannot be compared.
    name: KeyText | None = None
    hex_left: int = 0  # UNICODE: the hex digits still to come
    token: str = ""  # TOKEN: the bare value read so far
    # After a misplaced placeholder read as a key or value, until the text after it
    # confirms that reading: its defect, reported again to end the scan if the text
    # does not (the compiler keeps each defect once).
    unconfirmed: Problem | None = None

    @property
    def stack(self) -> str:
        """The open containers, outermost first, as their opening characters."""
        return self.scope.stack


# The values of JsonState's fields after ``mode`` and ``scope``: their defaults.
_STATE_DEFAULTS: Final = tuple(JsonState._field_defaults[f] for f in JsonState._fields[2:])
_MODES: Final = len(JsonMode)


class Scope:
    """The open containers and the literal keys of each open object (see the module)."""

    __slots__ = ("_hash", "_keys", "_states", "count", "depth", "key", "outer", "prev", "stack")

    outer: Scope | None  # the scope the innermost container was opened in
    stack: str  # the open containers, outermost first: '{' or '['
    depth: int
    prev: Scope | None  # the innermost object before its last key, or None
    key: str | None  # that last key, or None
    count: int  # the number of keys of the innermost object
    _keys: set[str] | None  # those keys, if this scope holds them now
    _hash: int
    _states: list[JsonState | None] | None  # ``at``'s states by mode, made on first use

    def __init__(
        self,
        outer: Scope | None,
        stack: str,
        prev: Scope | None = None,
        key: str | None = None,
        keys: set[str] | None = None,
    ) -> None:
        self.outer, self.stack, self.depth = outer, stack, len(stack)
        self.prev, self.key = prev, key
        self.count = prev.count + 1 if prev is not None else 0
        self._keys = keys if keys is not None else (set() if prev is None else None)
        # The keys' hashes are combined with XOR so that their order does not matter.
        mix = (prev._hash ^ hash(("key", key))) if prev is not None else hash(("scope", stack))
        self._hash = mix if prev is not None else hash((mix, outer._hash if outer else 0))
        self._states = None

    def at(self, mode: JsonMode) -> JsonState:
        """Return the state in ``mode`` in this scope, its other fields at their defaults."""
        states = self._states
        if states is None:
            states = self._states = [None] * _MODES
        state = states[mode]
        if state is None:
            # ``tuple.__new__`` is several times faster than the named tuple's own
            # constructor, and a scope is made for every object key.
            state = states[mode] = tuple.__new__(JsonState, (mode, self, *_STATE_DEFAULTS))
        return state

    def member(self) -> JsonState:
        """Return the state after ``,`` here: a key in an object, a value in an array."""
        return self.at(JsonMode.KEY if self.stack[-1:] == "{" else JsonMode.VALUE)

    def open(self, container: str) -> Scope:
        """Return the scope inside a new container ('{' or '[') opened here."""
        return Scope(self, self.stack + container)

    def close(self) -> Scope:
        """Return the scope after the innermost container is closed."""
        assert self.outer is not None
        return self.outer

    def key_set(self) -> set[str]:
        """Return the literal keys of the innermost object (do not change the set)."""
        keys = self._keys
        if keys is None:
            keys = set()
            link: Scope | None = self
            while link is not None and link.key is not None:
                keys.add(link.key)
                link = link.prev
            self._keys = keys
        return keys

    def with_key(self, key: str) -> Scope:
        """Return the scope after ``key`` is added to the innermost object."""
        keys = self.key_set()
        # The new scope takes the set over; this one rebuilds it if it is used again,
        # and its states too, which are no longer needed as the scan goes on.
        self._keys = self._states = None
        keys.add(key)
        return Scope(self.outer, self.stack, self, key, keys)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Scope):
            return NotImplemented
        a: Scope | None = self
        b: Scope | None = other
        while a is not None and b is not None and a is not b:
            if (
                a._hash != b._hash
                or a.stack != b.stack
                or a.count != b.count
                or (a.count and a.key_set() != b.key_set())
            ):
                return False
            a, b = a.outer, b.outer
        return a is b

    def __repr__(self) -> str:
        return f"Scope({self.stack!r}, {sorted(self.key_set())!r})"


ROOT = Scope(None, "")
"""The scope of the document's top level: no container is open."""


TextStep = tuple[JsonState, int] | Defect[JsonState]
"""What a transition over literal text returns: the state and where it stopped, or a defect."""

TextTransition = Callable[[JsonState, str, int, Text], TextStep]
"""Reads ``text`` from character ``i`` on in a state of one mode (``node`` holds it);
between tokens, ``text[i]`` is not whitespace."""

HoleStep = tuple[JsonState, Context] | Defect[JsonState]
"""What a transition over a placeholder returns: the state after it and its context."""

HoleTransition = Callable[[JsonState, Hole], HoleStep]
"""Says what a placeholder standing in a state of one mode is."""


def describe(ch: str) -> str:
    """Name the character ``ch`` for a message."""
    return describe_char(ch, code_points=False)


def span(node: Text, i: int) -> Span:
    """Return the source span of character ``i`` of ``node``."""
    at = node.offset_of(i)
    return Span(at, at + 1)


def invalid(node: Text, i: int, message: str) -> Problem:
    """Return an ``invalid-json`` problem at character ``i`` of ``node``."""
    return Problem(span(node, i), Code.INVALID_JSON, f"invalid JSON: {message}")


class KeyText(NamedTuple):
    """An object key being read: its raw text so far, where it goes on, where it began."""

    text: str  # its characters (JSON escapes as written) read in the nodes before
    start: int  # the index in the node being scanned where its characters start
    end: int  # the source offset where ``text`` ends: a key goes on only right there
    quote: int  # the source offset of its opening quote


def decode_key(raw: str) -> str | None:
    """Return the key a string's literal characters ``raw`` (escapes included) stand for."""
    if "\\" not in raw:
        return raw
    try:
        key: str = json.loads(f'"{raw}"')
    except ValueError:
        return None
    return key

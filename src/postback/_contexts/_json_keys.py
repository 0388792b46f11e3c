"""The open containers of a JSON document and the literal keys of each open object.

A ``Scope`` is part of the JSON scanner's state: the stack of open containers (as their
opening characters) and, for every open object, the keys the template has written
into it literally, so that a key written twice is found where it is written the second
time, be it by the template's text or by a join's second item.

Scopes are values: two are equal when they hold the same containers and keys, however
they were reached.  Adding a key makes a new scope in constant time: the new scope
takes over the set of keys of the one it extends, which rebuilds its own from its
chain of keys only if it is used again (after a join, which follows several states).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ._json_scanner import Family

__all__ = ["ROOT", "KeyText", "Scope", "decode_key"]


class Scope:
    """The open containers and the literal keys of each open object (see the module)."""

    __slots__ = ("_family", "_hash", "_keys", "count", "depth", "key", "outer", "prev", "stack")

    outer: Scope | None  # the scope the innermost container was opened in
    stack: str  # the open containers, outermost first: '{' or '['
    depth: int
    prev: Scope | None  # the innermost object before its last key, or None
    key: str | None  # that last key, or None
    count: int  # the number of keys of the innermost object
    _keys: set[str] | None  # those keys, if this scope holds them now
    _hash: int
    _family: Family | None  # this scope's states, made on first use

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
        self._family = None

    @property
    def family(self) -> Family:
        """The scanner's states in this scope, in the modes that hold nothing else."""
        family = self._family
        if family is None:
            from ._json_scanner import make_family

            family = self._family = make_family(self)
        return family

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
        self._keys = self._family = None
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

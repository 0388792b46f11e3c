"""How an escaper is declared: named rules, and a builder that makes the escaper from them.

Every escaper of the package is built from a table of rules by its ``Escaper``
declaration.  The escapers a template binds are built with every rule; the mutation
check (``tests/fuzz/test_mutation.py``) builds each one again without one rule at a time
and shows that some test fails, so no rule is left untested.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

__all__ = ["Escape", "Escaper", "Inline", "char_class", "translation"]

Escape = Callable[[str | None], str]


class Escaper(NamedTuple):
    """An escaper's rules and how to build it from a subset of them.

    ``rules`` maps each rule's name to what it is for; ``build(rules)`` returns the
    escape function that applies only the named rules.
    """

    name: str
    rules: Mapping[str, str]
    build: Callable[[frozenset[str]], Escape]

    def complete(self) -> Escape:
        """Return the escaper with every rule: the one templates use."""
        return self.build(frozenset(self.rules))

    def without(self, rule: str) -> Escape:
        """Return the escaper with every rule but ``rule`` (a mutant)."""
        if rule not in self.rules:
            raise KeyError(rule)
        return self.build(frozenset(self.rules) - {rule})


class Inline(NamedTuple):
    """An escaper's exact form for a value known to be a ``str``, as C calls.

    The compiler writes ``write if test else escaper(v)`` into a render function in
    place of a call of the escaper, so that a value costs no Python-level call where
    the C form is exact.  ``write`` and ``test`` are expressions over ``{v}`` (the
    value, never None) and each name of ``names``, a C function or table the generated
    code binds: where ``test`` holds, ``write`` is exactly what the escaper returns.  An
    empty text needs neither (the compiler may test ``v`` for truth with ``test``).
    Both are this package's own constant text, never template text; a property test
    compares every form with its escaper over arbitrary text.
    """

    write: str
    test: str
    names: Mapping[str, object]

    def expression(self, v: str, names: Mapping[str, str]) -> tuple[str, str]:
        """Return ``write`` and ``test`` for the value ``v``, the bindings named ``names``."""
        return self.write.format(v=v, **names), self.test.format(v=v, **names)


def translation(writes: Iterable[Mapping[str, str]]) -> dict[int, str]:
    """Return one ``str.translate`` table for the character -> text maps ``writes``."""
    return {ord(ch): text for table in writes for ch, text in table.items()}


def char_class(chars: Iterable[str]) -> re.Pattern[str]:
    """Return a pattern matching any one of ``chars`` (never matching when there are none).

    Runs of consecutive code points are written as ranges, so a class of thousands
    of characters (the lone surrogates) stays one small pattern.
    """
    points = sorted({ord(ch) for ch in chars})
    parts: list[str] = []
    start = 0
    while start < len(points):
        end = start
        while end + 1 < len(points) and points[end + 1] == points[end] + 1:
            end += 1
        first, last = re.escape(chr(points[start])), re.escape(chr(points[end]))
        parts.append(first if start == end else f"{first}-{last}")
        start = end + 1
    return re.compile(f"[{''.join(parts)}]" if parts else "(?!)")

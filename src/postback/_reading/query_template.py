"""The pairs of a query template: what the query reader matches a body against.

Each pair is a key and a value (leaves, read on decoded text) and each join whose
template or separator holds ``&`` the pairs one item writes; a join inside a key or a
value is a ``Loop`` of that leaf.  Literal text is decoded with its mask (``form``),
so that the ``,`` a template writes between two values is told from a value's ``%2C``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from .._compiler.nodes import Field, ItemField, Join, Node, Text
from .form import literal
from .match import Leaf
from .pattern import Lit, Loop, Part, Piece, Slot, join_offset, pieces

__all__ = ["Pair", "PairJoin", "QueryPlan", "query_plan"]


class Pair(NamedTuple):
    """A pair the template writes: its key and its value, as leaves."""

    key: Leaf
    value: Leaf
    name: str | None  # the key, decoded, when it is literal text
    whole: Leaf | None  # key, "=" and value as one leaf, for a key with a placeholder
    offset: int


class PairJoin(NamedTuple):
    """A join whose template writes pairs: the pairs of one item.

    ``last`` is the item's last pair with the join's separator after its value, as
    every item but the last writes it (a template ``&sku={i.sku}`` with the separator
    ``;``), or None when the separator is empty or holds the ``&`` between items.
    ``unread`` says why the join's pairs cannot be read, if they cannot.
    """

    pairs: tuple[Pair, ...]
    offset: int
    last: Pair | None = None
    unread: str = ""

    def pair(self, index: int, item: int, count: int) -> Pair:
        """The template's pair ``index`` as item ``item`` of ``count`` writes it."""
        if self.last is not None and index == len(self.pairs) - 1 and item < count - 1:
            return self.last
        return self.pairs[index]


class QueryPlan(NamedTuple):
    """The template's pairs and pair joins, in template order."""

    entries: tuple[Pair | PairJoin, ...]
    offset: int


class _PairParts:
    def __init__(self) -> None:
        self.key: list[Part] = []
        self.value: list[Part] | None = None
        self.offset = -1

    def add(self, part: Part, offset: int) -> None:
        if self.offset < 0:
            self.offset = offset
        (self.key if self.value is None else self.value).append(part)

    def pair(self) -> Pair | None:
        if self.offset < 0:
            return None
        value = self.value or []
        literal = all(isinstance(p, Lit) for p in self.key)
        name = "".join(p.text for p in self.key if isinstance(p, Lit)) if literal else None
        eq = Lit("=", self.offset, "r")  # raw, as the template writes it
        whole = None if literal else Leaf([*self.key, eq, *value], self.offset)
        return Pair(Leaf(self.key, self.offset), Leaf(value, self.offset), name, whole, self.offset)


def query_plan(
    nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot], offset: int = 0
) -> QueryPlan:
    """Return the pairs ``nodes`` write (a query body, or a URL's query)."""
    entries: list[Pair | PairJoin] = []
    current = _PairParts()

    def end_pair() -> None:
        nonlocal current
        pair = current.pair()
        if pair is not None:
            entries.append(pair)
        current = _PairParts()

    for node in pieces(nodes):
        if isinstance(node, Piece):
            _text(node, end_pair, lambda: current)
        elif isinstance(node, Field | ItemField):
            current.add(slot_of(node), node.span.start)
        elif isinstance(node, Join) and _writes_pairs(node):
            end_pair()
            entries.append(_pair_join(node, slot_of))
        elif isinstance(node, Join):
            body = _loop_parts(node, slot_of)
            sep = literal(node.sep, node.sep_span.start)
            current.add(Loop(tuple(body), sep, join_offset(node)), node.span.start)
    end_pair()
    return QueryPlan(tuple(entries), offset)


def _text(piece: Piece, end_pair: Callable[[], None], now: Callable[[], _PairParts]) -> None:
    """Split a piece of literal text at its ``&`` and ``=`` into the pairs' parts."""
    text = piece.text
    start = 0
    for k, ch in enumerate(text):
        if ch not in "&=":
            continue
        pair = now()
        if k > start:
            pair.add(literal(text[start:k], piece.offset(start)), piece.offset(start))
        if ch == "&":
            end_pair()
        elif pair.value is None:
            if pair.offset < 0:
                pair.offset = piece.offset(k)
            pair.value = []
        start = k + 1
    if start < len(text):
        now().add(literal(text[start:], piece.offset(start)), piece.offset(start))


def _pair_join(join: Join, slot_of: Callable[[Field | ItemField], Slot]) -> PairJoin:
    """Return the pairs one item of ``join`` writes, and how its separator lands."""
    pairs = tuple(p for p in query_plan([*join.body], slot_of).entries if isinstance(p, Pair))
    offset = join_offset(join)
    if not join.sep or "&" in join.sep or not pairs:
        return PairJoin(pairs, offset)
    first = join.body[0] if join.body else None
    if not (isinstance(first, Text) and first.value.startswith("&")):
        why = "its separator lands inside a key of the next item"
        return PairJoin(pairs, offset, unread=why)
    # "&sku={i.sku}" with ";": every item but the last ends its last value with ";".
    last = pairs[-1]
    sep = literal(join.sep, join.sep_span.start)
    value = Leaf([*last.value.parts, sep], last.offset)
    whole = None if last.whole is None else Leaf([*last.whole.parts, sep], last.offset)
    return PairJoin(pairs, offset, last._replace(value=value, whole=whole))


def _writes_pairs(join: Join) -> bool:
    """Whether a join writes pairs (an ``&`` in its template or separator), not a value."""
    literal = "".join(n.value for n in join.body if isinstance(n, Text)) + join.sep
    return "&" in literal


def _loop_parts(join: Join, slot_of: Callable[[Field | ItemField], Slot]) -> list[Lit | Slot]:
    body: list[Lit | Slot] = []
    for node in pieces(join.body):
        if isinstance(node, Piece):
            body.append(literal(node.text, node.offset(0)))
        elif isinstance(node, Field | ItemField):
            body.append(slot_of(node))
    return body

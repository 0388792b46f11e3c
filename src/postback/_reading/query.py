"""The query reader: ``key=value`` pairs, form-encoded, as a body or a URL's query.

The plan is the template's pairs: each a key and a value (leaves, read on decoded
text), and each join whose template holds ``&`` as the pairs one item writes.  A
received body is split at every raw ``&`` (a value's ``&`` is always ``%26``), and
its pairs are matched by key, in any order: a literal key takes the pairs with that
key in order, a join's keys one pair per item (the n-th ``sku`` is the n-th item's),
and pairs whose key the template writes with a placeholder are matched in the order
received.  A value may come with ``+`` or ``%20`` for a space and hex digits in either
case; characters that a value's escaper encodes but that came raw (a sender that
does not escape) are read as themselves where that leaves one reading only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from .._compiler.nodes import Field, ItemField, Join, Node, Text
from .._messages import suggest
from .errors import Where, quote
from .form import decode_form, literal
from .match import Leaf
from .pattern import Lit, Loop, Part, Piece, Slot, join_offset, pieces
from .record import Collector, ItemPlace

__all__ = ["QueryPlan", "build", "query_plan", "read_pairs"]

BodyReader = Callable[[str, Collector], None]


class Pair(NamedTuple):
    """A pair the template writes: its key and its value, as leaves."""

    key: Leaf
    value: Leaf
    name: str | None  # the key, decoded, when it is literal text
    whole: Leaf  # key, "=" and value as one leaf, for a key with a placeholder
    offset: int


class PairJoin(NamedTuple):
    """A join whose template writes pairs: the pairs of one item."""

    pairs: tuple[Pair, ...]
    offset: int


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
        eq = Lit("=", self.offset)
        return Pair(
            Leaf(self.key, self.offset),
            Leaf(value, self.offset),
            name,
            Leaf([*self.key, eq, *value], self.offset),
            self.offset,
        )


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
            inner = query_plan([*node.body], slot_of).entries
            pairs = tuple(p for p in inner if isinstance(p, Pair))
            entries.append(PairJoin(pairs, join_offset(node)))
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


def build(nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> BodyReader:
    """Return the reader of bodies written by the query template ``nodes``."""
    plan = query_plan(nodes, slot_of)

    def read(text: str, collector: Collector) -> None:
        read_pairs(plan, text, 0, collector)

    return read


class _Received(NamedTuple):
    key: str  # decoded
    raw_key: str
    value: str  # raw
    key_at: int
    value_at: int


def _split(text: str, start: int, where: Where) -> list[_Received]:
    pairs: list[_Received] = []
    at = 0
    for raw in text.split("&"):
        here = start + at
        at += len(raw) + 1
        if not raw:
            continue  # an empty pair holds nothing
        eq = raw.find("=")
        if eq < 0:
            raise where.error(
                expected="a pair key=value", found=quote(raw), offset=here, template=None
            )
        key = decode_form(raw[:eq], here, where).text
        pairs.append(_Received(key, raw[:eq], raw[eq + 1 :], here, here + eq + 1))
    return pairs


def read_pairs(plan: QueryPlan, text: str, start: int, collector: Collector) -> None:
    """Match the pairs of ``text`` (at ``start`` in the received text) against ``plan``."""
    where = collector.where
    received = _split(text, start, where)
    by_key: dict[str, list[_Received]] = {}
    for pair in received:
        by_key.setdefault(pair.key, []).append(pair)
    literal: dict[str, list[Pair | PairJoin]] = {}
    for entry in plan.entries:
        for written in entry.pairs if isinstance(entry, PairJoin) else (entry,):
            if written.name is not None:
                literal.setdefault(written.name, []).append(entry)
    claimed: set[int] = set()
    for name, entries in literal.items():
        got = by_key.get(name, [])
        _assign(name, entries, got, collector, claimed, received, plan)
    rest = [p for p in received if id(p) not in claimed]
    rest = _dynamic(plan, rest, collector)
    extras: dict[str, list[_Received]] = {}
    for pair in rest:
        extras.setdefault(pair.key, []).append(pair)
    for same in extras.values():
        _extra(same, plan, collector, literal)


def _assign(
    name: str,
    entries: list[Pair | PairJoin],
    got: list[_Received],
    collector: Collector,
    claimed: set[int],
    received: list[_Received],
    plan: QueryPlan,
) -> None:
    """Give the received pairs with key ``name`` to the template's pairs with that key."""
    fixed = [e for e in entries if isinstance(e, Pair)]
    joins = [e for e in entries if isinstance(e, PairJoin)]
    if (not joins and len(got) != len(fixed)) or len(got) < len(fixed):
        missing = fixed[len(got)] if len(got) < len(fixed) else fixed[-1]
        if len(got) < len(fixed):
            raise _missing(name, missing, received, collector.where, plan)
        extra = got[len(fixed)]
        raise collector.where.error(
            expected=f"the key {quote(name)} {len(fixed)} time{'s' if len(fixed) > 1 else ''}",
            found="it once more",
            offset=extra.key_at,
            template=missing.offset,
        )
    before = [e for e in entries[: entries.index(joins[0])]] if joins else fixed
    after = fixed[len(before) :]
    split = len(got) - len(after)
    for pair, entry in zip(got[: len(before)] + got[split:], before + after, strict=True):
        assert isinstance(entry, Pair)
        _read(entry, pair, collector, None)
        claimed.add(id(pair))
    if joins:
        join = joins[0]
        items = got[len(before) : split]
        index = [p.name for p in join.pairs].index(name)
        if not _count_ok(collector, join, len(items)):
            first = join.pairs[0].name
            raise collector.where.error(
                expected=f"the key {quote(name)} once for each {quote(str(first))} of the join",
                found=f"it {len(items)} time{'s' if len(items) != 1 else ''}",
                offset=items[-1].key_at if items else 0,
                template=join.pairs[index].offset,
            )
        for n, pair in enumerate(items):
            _read(join.pairs[index], pair, collector, (join.offset, n))
            claimed.add(id(pair))


def _count_ok(collector: Collector, join: PairJoin, count: int) -> bool:
    known = collector.count(join.offset)
    if known is None:
        collector.items(join.offset, count, 0)
        return True
    return known == count


def _read(entry: Pair, pair: _Received, collector: Collector, item: ItemPlace) -> None:
    units = decode_form(pair.value, pair.value_at, collector.where)
    collector.leaf(entry.value, units, item)


def _dynamic(plan: QueryPlan, rest: list[_Received], collector: Collector) -> list[_Received]:
    """Match pairs whose template key holds a placeholder, in the order received."""
    k = 0
    for entry in plan.entries:
        pairs = entry.pairs if isinstance(entry, PairJoin) else (entry,)
        holes = [p for p in pairs if p.name is None]
        if not holes:
            continue
        if isinstance(entry, Pair):
            if k >= len(rest):
                break
            pair = rest[k]
            raw = f"{pair.raw_key}={pair.value}"
            collector.leaf(entry.whole, decode_form(raw, pair.key_at, collector.where))
            k += 1
            continue
        count = collector.count(entry.offset)
        if count is None:
            count = (len(rest) - k) // len(holes)
            collector.items(entry.offset, count, rest[k].key_at if k < len(rest) else 0)
        count = min(count, (len(rest) - k) // len(holes))
        for n in range(count):
            for template_pair in holes:
                pair = rest[k]
                raw = f"{pair.raw_key}={pair.value}"
                units = decode_form(raw, pair.key_at, collector.where)
                collector.leaf(template_pair.whole, units, (entry.offset, n))
                k += 1
    return rest[k:]


def _names(plan: QueryPlan) -> list[str]:
    names: list[str] = []
    for entry in plan.entries:
        for pair in entry.pairs if isinstance(entry, PairJoin) else (entry,):
            if pair.name is not None and pair.name not in names:
                names.append(pair.name)
    return names


def _missing(
    name: str, pair: Pair, received: list[_Received], where: Where, plan: QueryPlan
) -> Exception:
    known = set(_names(plan))
    others = [p.key for p in received if p.key not in known]
    near = suggest(name, others, cutoff=0.6)
    if near is None:
        return where.error(
            expected=f"the key {quote(name)}",
            found="no such pair",
            offset=len(where.text),
            template=pair.offset,
        )
    at = next(p.key_at for p in received if p.key == near)
    return where.error(
        expected=f"the key {quote(name)}",
        found=quote(near),
        offset=at,
        template=pair.offset,
        hint=f"; did you mean {quote(name)}?",
    )


def _extra(
    pairs: list[_Received],
    plan: QueryPlan,
    collector: Collector,
    literal: dict[str, list[Pair | PairJoin]],
) -> None:
    """Keep (or refuse) the pairs with a key the template does not have: one value as a
    string, a key given several times as the list of its values."""
    pair = pairs[0]

    def error() -> Exception:
        near = suggest(pair.key, list(literal), cutoff=0.6)
        hint = f"; did you mean {quote(near)}?" if near else ""
        return collector.where.error(
            expected="only the template's keys",
            found=f"the key {quote(pair.key)}",
            offset=pair.key_at,
            template=plan.offset,
            hint=f"{hint} (parse(..., extra='keep') keeps other pairs in Action.extra)",
        )

    values = [decode_form(p.value, p.value_at, collector.where).text for p in pairs]
    kept: object = values[0] if len(values) == 1 else values
    collector.extra(pair.key, lambda: kept, error)  # type: ignore[arg-type]

"""The query reader: ``key=value`` pairs, form-encoded, as a body or a URL's query.

The plan is the template's pairs (``query_template``).  A received body is split at every raw ``&`` (a value's ``&`` is always ``%26``), and
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

from .._compiler.nodes import Field, ItemField, Node
from .._messages import suggest
from .errors import Where, keep_hint, quote
from .form import decode_form
from .pattern import Slot
from .query_template import Pair, PairJoin, QueryPlan, query_plan
from .record import Collector, ItemPlace

__all__ = ["build", "read_pairs"]

BodyReader = Callable[[str, Collector], None]


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
    for entry in plan.entries:
        if isinstance(entry, PairJoin) and entry.unread:
            raise where.plain(
                f"the pairs of the join at template {where.in_template(entry.offset)} cannot "
                f"be read: {entry.unread}"
            )
    received = _split(text, start, where)
    by_key: dict[str, list[_Received]] = {}
    for pair in received:
        by_key.setdefault(pair.key, []).append(pair)
    literal: dict[str, list[Pair | PairJoin]] = {}
    for entry in plan.entries:
        for written in entry.pairs if isinstance(entry, PairJoin) else (entry,):
            if written.name is not None:
                known = literal.setdefault(written.name, [])
                if not known or known[-1] is not entry:
                    known.append(entry)
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
        _assign_join(name, joins[0], got[len(before) : split], collector, claimed)


def _assign_join(
    name: str, join: PairJoin, got: list[_Received], collector: Collector, claimed: set[int]
) -> None:
    """Give a join's received pairs with key ``name`` to its items, in the order received:
    an item writes the key as many times as the join's template does."""
    indices = [k for k, p in enumerate(join.pairs) if p.name == name]
    count, left = divmod(len(got), len(indices))
    if left or not _count_ok(collector, join, count, got[0].key_at if got else 0):
        first = join.pairs[0].name
        times = f"{len(indices)} times" if len(indices) > 1 else "once"
        raise collector.where.error(
            expected=f"the key {quote(name)} {times} for each {quote(str(first))} of the join",
            found=f"it {len(got)} time{'s' if len(got) != 1 else ''}",
            offset=got[-1].key_at if got else 0,
            template=join.pairs[indices[0]].offset,
        )
    for n in range(count):
        for r, index in enumerate(indices):
            pair = got[n * len(indices) + r]
            _read(join.pair(index, n, count), pair, collector, (join.offset, n))
            claimed.add(id(pair))


def _count_ok(collector: Collector, join: PairJoin, count: int, at: int) -> bool:
    """Whether ``count`` items agree with what the join's other keys read (if any)."""
    known = collector.count(join.offset)
    if known is None:
        collector.items(join.offset, count, at)
        return True
    return known == count


def _read(entry: Pair, pair: _Received, collector: Collector, item: ItemPlace) -> None:
    units = decode_form(pair.value, pair.value_at, collector.where)
    collector.leaf(entry.value, units, item)


def _dynamic(plan: QueryPlan, rest: list[_Received], collector: Collector) -> list[_Received]:
    """Match pairs whose template key holds a placeholder, in the order received.

    Every join is over the same items: a join whose count no literal key told takes
    the count that leaves one pair for each other such pair of the template.
    """
    dynamic = [
        (
            entry,
            [
                p
                for p in (entry.pairs if isinstance(entry, PairJoin) else (entry,))
                if p.name is None
            ],
        )
        for entry in plan.entries
    ]
    dynamic = [(entry, holes) for entry, holes in dynamic if holes]
    singles = sum(1 for entry, _ in dynamic if isinstance(entry, Pair))
    known = [collector.count(e.offset) for e, _ in dynamic if isinstance(e, PairJoin)]
    count = next((c for c in known if c is not None), None)
    if count is None:
        per_item = sum(len(h) for e, h in dynamic if isinstance(e, PairJoin))
        count = max(len(rest) - singles, 0) // per_item if per_item else 0
    k = 0
    for entry, _holes in dynamic:
        if isinstance(entry, Pair):
            if k >= len(rest):
                break
            _read_whole(entry, None, rest[k], collector)
            k += 1
            continue
        if collector.count(entry.offset) is None:
            collector.items(entry.offset, count, rest[k].key_at if k < len(rest) else 0)
        for n in range(count):
            for index, template_pair in enumerate(entry.pairs):
                if template_pair.name is not None:
                    continue
                template_pair = entry.pair(index, n, count)
                if k >= len(rest):
                    raise collector.where.error(
                        expected=f"a pair for each item of the join ({n} read)",
                        found="no more pairs",
                        offset=len(collector.where.text),
                        template=template_pair.offset,
                    )
                _read_whole(template_pair, (entry.offset, n), rest[k], collector)
                k += 1
    return rest[k:]


def _read_whole(entry: Pair, item: ItemPlace, pair: _Received, collector: Collector) -> None:
    """Read a received pair as the template's pair whose key holds a placeholder."""
    raw = f"{pair.raw_key}={pair.value}"
    assert entry.whole is not None  # only a key with a placeholder is read whole
    collector.leaf(entry.whole, decode_form(raw, pair.key_at, collector.where), item)


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
            hint=hint + keep_hint("other pairs"),
        )

    values = [decode_form(p.value, p.value_at, collector.where).text for p in pairs]
    kept: object = values[0] if len(values) == 1 else values
    collector.extra(pair.key, lambda: kept, error)  # type: ignore[arg-type]

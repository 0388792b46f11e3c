"""The json reader: a received JSON value matched against the template's structure.

A received body is parsed (``json_text``) and matched against the template's
structure (``json_template``): keys in any order and any whitespace (JSON does not
order an object's members), a literal key looked up by name; members whose key the
template writes with a placeholder, and join items, are taken in the order received.
A value at a bare position must be the JSON type postback writes there (a number for
a number, a string for text and ISO dates), or ``null`` for a missing value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from .._compiler.nodes import Field, ItemField, Node
from .._messages import suggest
from .convert import Refused, read_decimal, read_int
from .errors import Where, keep_hint, quote
from .json_template import (
    TArray,
    TBare,
    TJoin,
    TMember,
    TObject,
    TScalar,
    TString,
    TValue,
    structure,
)
from .json_text import JValue, describe, load
from .pattern import Slot, Units
from .record import Collector, ItemPlace

__all__ = ["build"]

BodyReader = Callable[[str, Collector], None]


def build(nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> BodyReader:
    """Return the reader of bodies written by the json template ``nodes``."""
    root = structure(nodes, slot_of)

    def read(text: str, collector: Collector) -> None:
        _Match(collector).run(root, load(text, collector.where))

    return read


def _units(value: JValue) -> Units:
    if value.plain:
        return Units(value.text, value.offset + 1)
    return Units(value.text, value.offset, runs=((0, value.offset, False),))


class _Match:
    """Matches a received value against the template's structure, without recursion."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.where: Where = collector.where
        self.tasks: list[tuple[TValue, JValue, ItemPlace, str]] = []

    def run(self, root: TValue, value: JValue) -> None:
        self.tasks.append((root, value, None, ""))
        while self.tasks:
            t, j, item, path = self.tasks.pop()
            if isinstance(t, TString):
                self.expect(t, j, "string", "a string")
                self.collector.leaf(t.leaf, _units(j), item)
            elif isinstance(t, TBare):
                self.bare(t.slot, j, item)
            elif isinstance(t, TScalar):
                self.scalar(t, j)
            elif isinstance(t, TObject):
                self.expect(t, j, "object", "an object")
                self.obj(t, j, item, path)
            else:
                self.expect(t, j, "array", "an array")
                self.array(t, j, item, path)

    def push(self, work: list[tuple[TValue, JValue, ItemPlace, str]]) -> None:
        self.tasks.extend(reversed(work))

    def expect(self, t: TValue, j: JValue, kind: str, what: str) -> None:
        if j.kind != kind:
            offset = t.offset if not isinstance(t, TBare) else t.slot.offset
            raise self.where.error(
                expected=what, found=describe(j), offset=j.offset, template=offset
            )

    def scalar(self, t: TScalar, j: JValue) -> None:
        same = j.kind == "number" and t.text[:1] in "-0123456789"
        if same:
            same = Decimal(j.text) == Decimal(t.text)
        elif j.kind in ("true", "false", "null"):
            same = j.kind == t.text
        if not same:
            raise self.where.error(
                expected=t.text, found=describe(j), offset=j.offset, template=t.offset
            )

    def bare(self, slot: Slot, j: JValue, item: ItemPlace) -> None:
        """Read the value at a bare position: the JSON type postback writes there."""
        collector = self.collector
        if j.kind == "null":
            if not collector.conversion.empty:
                raise collector.refused(
                    slot, "a value (the template has missing='error')", "null", j.offset
                )
            collector.store(slot, None, j.offset, item)
            return
        kind = slot.kind
        numeric = kind in (int, Decimal) or (
            kind is not str and kind is not object and collector.conversion.number_date()
        )
        if kind is object:
            value = self.any_value(slot, j)
            collector.store(slot, value, j.offset, item)
            return
        wanted = "number" if numeric else "string"
        if j.kind != wanted:
            what = "a number" if numeric else "a string"
            raise collector.refused(slot, what, describe(j), j.offset)
        collector.put(slot, j.text, j.offset + (1 if j.kind == "string" and j.plain else 0), item)

    def any_value(self, slot: Slot, j: JValue) -> object:
        """An extra field's value at a bare position: its JSON type says its type."""
        if j.kind == "string":
            return None if not j.text and self.collector.conversion.empty else j.text
        if j.kind in ("true", "false"):
            return j.kind == "true"
        if j.kind == "number":
            try:
                return _number(j.text)
            except Refused as exc:
                raise self.collector.refused(slot, exc.expected, describe(j), j.offset) from None
        raise self.collector.refused(
            slot, "a string, a number, true or false", describe(j), j.offset
        )

    def obj(self, t: TObject, j: JValue, item: ItemPlace, path: str) -> None:
        received = {key: (offset, value) for key, offset, value in j.members}
        literal = [m for m in t.members if isinstance(m, TMember) and m.name is not None]
        names = {m.name for m in literal}
        others = [key for key, _, _ in j.members if key not in names]
        work: list[tuple[TValue, JValue, ItemPlace, str]] = []
        for member in literal:
            assert member.name is not None
            hit = received.get(member.name)
            if hit is None:
                raise self.missing_key(member, j, others)
            work.append((member.value, hit[1], item, _path(path, member.name)))
        rest = [m for m in j.members if m[0] not in names]
        dynamic = [m for m in t.members if isinstance(m, TJoin) or m.name is None]
        rest = self.dynamic(dynamic, rest, item, path, work)
        for key, offset, value in rest:
            self.extra(_path(path, key), key, offset, value, t, [m.name for m in literal if m.name])
        self.push(work)

    def dynamic(
        self,
        dynamic: Sequence[TMember | TJoin],
        rest: list[tuple[str, int, JValue]],
        item: ItemPlace,
        path: str,
        work: list[tuple[TValue, JValue, ItemPlace, str]],
    ) -> list[tuple[str, int, JValue]]:
        """Match the members whose keys are placeholders, and joins, in received order."""
        k = 0
        for index, pattern in enumerate(dynamic):
            if isinstance(pattern, TMember):
                if k >= len(rest):
                    return rest[k:]
                key, offset, value = rest[k]
                self.collector.leaf(pattern.key, Units(key, offset + 1), item)
                work.append((pattern.value, value, item, _path(path, key)))
                k += 1
                continue
            later = sum(1 for p in dynamic[index + 1 :] if isinstance(p, TMember))
            size = len(pattern.body)
            count = max(len(rest) - k - later, 0) // size if size else 0
            start = rest[k][1] if k < len(rest) else 0
            self.collector.items(pattern.offset, count, start)
            for n in range(count):
                for member in pattern.body:
                    assert isinstance(member, TMember)
                    key, offset, value = rest[k]
                    here = (pattern.offset, n)
                    self.collector.leaf(member.key, Units(key, offset + 1), here)
                    work.append((member.value, value, here, _path(path, key)))
                    k += 1
        return rest[k:]

    def missing_key(self, member: TMember, j: JValue, others: list[str]) -> Exception:
        assert member.name is not None
        near = suggest(member.name, others, cutoff=0.6)
        expected = f"the key {quote(member.name)}"
        if near is None:
            return self.where.error(
                expected=expected,
                found="an object without it",
                offset=j.offset,
                template=member.offset,
            )
        offset = next(o for key, o, _ in j.members if key == near)
        return self.where.error(
            expected=expected,
            found=quote(near),
            offset=offset,
            template=member.offset,
            hint=f"; did you mean {quote(member.name)}?",
        )

    def extra(
        self, name: str, key: str, offset: int, value: JValue, t: TObject, keys: list[str]
    ) -> None:
        def error() -> Exception:
            near = suggest(key, keys, cutoff=0.6)
            hint = f"; did you mean {quote(near)}?" if near else ""
            return self.where.error(
                expected="only the template's keys",
                found=f"the key {quote(key)}",
                offset=offset,
                template=t.offset,
                hint=hint + keep_hint("other keys"),
            )

        self.collector.extra(name, lambda: self.python(value), error)  # type: ignore[arg-type]

    def python(self, value: JValue) -> object:
        """Return a received value as Python data: the value of a kept extra key."""
        results: dict[int, object] = {}
        stack: list[tuple[JValue, bool]] = [(value, False)]
        while stack:
            v, done = stack.pop()
            children = [m[2] for m in v.members] if v.kind == "object" else list(v.elements)
            if not done and children:
                stack.append((v, True))
                stack.extend((c, False) for c in children)
                continue
            if v.kind == "object":
                results[id(v)] = {k: results.pop(id(c)) for k, _, c in v.members}
            elif v.kind == "array":
                results[id(v)] = [results.pop(id(c)) for c in v.elements]
            elif v.kind == "number":
                try:
                    results[id(v)] = _number(v.text)
                except Refused as exc:
                    raise self.where.error(
                        expected=exc.expected, found=describe(v), offset=v.offset, template=None
                    ) from None
            else:
                results[id(v)] = {"true": True, "false": False, "null": None}.get(v.kind, v.text)
        return results[id(value)]

    def array(self, t: TArray, j: JValue, item: ItemPlace, path: str) -> None:
        joins = [e for e in t.elements if isinstance(e, TJoin)]
        fixed = len(t.elements) - len(joins)
        body = sum(len(e.body) for e in joins)
        sep = sum(len(e.sep) for e in joins)
        have = len(j.elements)
        count = 0
        if joins and body + sep and have > fixed:
            count, left = divmod(have - fixed + sep, body + sep)
            if left:
                count = -1
        if count < 0 or fixed + count * body + max(count - 1, 0) * sep != have:
            need = f"{fixed} element{'s' if fixed != 1 else ''}"
            if joins:
                need += f" and {body} for each item"
            raise self.where.error(
                expected=need,
                found=f"{have} element{'s' if have != 1 else ''}",
                offset=j.offset,
                template=t.offset,
            )
        expanded: list[tuple[TValue, ItemPlace]] = []
        for element in t.elements:
            if not isinstance(element, TJoin):
                expanded.append((element, item))
                continue
            start = j.elements[len(expanded)].offset if count else j.offset
            self.collector.items(element.offset, count, start)
            for n in range(count):
                if n:
                    expanded.extend((s, item) for s in element.sep)  # type: ignore[misc]
                expanded.extend((b, (element.offset, n)) for b in element.body)  # type: ignore[misc]
        self.push(
            [
                (p, v, place, f"{path}[{k}]")
                for k, ((p, place), v) in enumerate(zip(expanded, j.elements, strict=True))
            ]
        )


def _path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _number(text: str) -> object:
    if any(ch in text for ch in ".eE"):
        return read_decimal(text)
    return read_int(text)

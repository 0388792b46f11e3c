"""Gathering what a body holds into the ``Action`` that ``Template.parse`` returns.

The format readers hand over each placeholder's text (``put``), each join's number of
items (``items``), and each key the template does not have (``extra``).  A field
written twice (``{ActionId}`` in an attribute and an element) must read the same in
both places; every join over ``items`` must read the same number of items, except a
join whose text is empty, which reads as no items or as one item without values,
whichever the other joins read (see ``match.LoopReading.flexible``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from .._errors import ParseError
from .._messages import option
from .._records.action import Action
from .._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from .._records.item import Item
from .._records.reader import ACTION_KEYS
from .convert import Conversion, Refused
from .errors import Where, quote
from .match import Leaf, Reading
from .pattern import Slot, Units

__all__ = ["Collector", "ExtraPolicy", "ItemPlace"]

ExtraPolicy = Literal["error", "keep"]

ItemPlace = tuple[int, int] | None  # (the join's template offset, the item's index)


class _Repeated(list[object]):
    """The values of a name kept more than once, in the order read."""


class _Join:
    __slots__ = ("count", "flexible", "items", "offset")

    def __init__(self, count: int, flexible: bool, offset: int) -> None:
        self.count = count
        self.flexible = flexible
        self.offset = offset  # where the join's text starts in the received body
        self.items: dict[int, dict[str, tuple[object, int]]] = {}


class Collector:
    """The values read from one body, checked against each other as they come."""

    __slots__ = ("_extra", "_fields", "_joins", "conversion", "keep", "where")

    def __init__(self, conversion: Conversion, where: Where, extra: ExtraPolicy) -> None:
        self.conversion = conversion
        self.where = where
        self.keep = extra == "keep"
        self._fields: dict[str, tuple[object, int, Slot]] = {}
        self._joins: dict[int, _Join] = {}
        self._extra: dict[str, object] = {}

    def leaf(self, leaf: Leaf, units: Units, item: ItemPlace = None) -> None:
        """Read a leaf's text and keep what its placeholders and joins hold."""
        self.apply(leaf.read(units, self.where), units, item)

    def apply(self, reading: Reading, units: Units, item: ItemPlace = None) -> None:
        """Keep what the placeholders and joins of a leaf's reading hold."""
        text = units.text
        for slot, p, o in reading.values:
            self.put(slot, text[p:o], units.offset(p), item)
        for lr in reading.loops:
            at = lr.items[0][0][1] if lr.items and lr.items[0] else 0
            self.items(lr.loop.offset, len(lr.items), units.offset(at), flexible=lr.flexible)
            for k, spans in enumerate(lr.items):
                for slot, p, o in spans:
                    self.put(slot, text[p:o], units.offset(p), (lr.loop.offset, k))

    def put(self, slot: Slot, text: str, offset: int, item: ItemPlace = None) -> None:
        """Convert a placeholder's text and keep its value."""
        try:
            value = self.conversion.value(slot, text)
        except Refused as exc:
            raise self.refused(slot, exc.expected, quote(text), offset) from None
        self.store(slot, value, offset, item)

    def refused(self, slot: Slot, expected: str, found: str, offset: int) -> ParseError:
        """Return the error for a value that is there but does not convert."""
        field = f"i.{slot.name}" if slot.item else slot.name
        return self.where.error(
            expected=f"{expected} for {slot.label}",
            found=found,
            offset=offset,
            template=slot.offset,
            field=field,
        )

    def store(self, slot: Slot, value: object, offset: int, item: ItemPlace = None) -> None:
        """Keep ``value`` for ``slot``; a field read twice must read the same."""
        if slot.item:
            assert item is not None
            join = self._joins[item[0]]
            values = join.items.setdefault(item[1], {})
            seen = values.get(slot.name)
            if seen is None:
                values[slot.name] = (value, offset)
            elif seen[0] != value:
                raise self._conflict(slot, seen[0], seen[1], value, offset)
            return
        known = self._fields.get(slot.name)
        if known is None:
            self._fields[slot.name] = (value, offset, slot)
        elif known[0] != value:
            raise self._conflict(slot, known[0], known[1], value, offset)

    def _conflict(
        self, slot: Slot, first: object, first_at: int, second: object, at: int
    ) -> ParseError:
        line, column = self.where.at(first_at)
        return self.where.error(
            expected=f"the same value wherever the template writes {slot.label}",
            found=f"{first!r} at {line}:{column} and {second!r}",
            offset=at,
            template=slot.offset,
            field=f"i.{slot.name}" if slot.item else slot.name,
        )

    def items(self, join: int, count: int, offset: int, *, flexible: bool = False) -> None:
        """Say that the join at template offset ``join`` reads ``count`` items (-1: the
        body does not tell, the other joins do)."""
        self._joins[join] = _Join(count, flexible, offset)

    def count(self, join: int) -> int | None:
        """Return how many items the join at template offset ``join`` reads, if known."""
        known = self._joins.get(join)
        return None if known is None else known.count

    def extra(
        self, name: str, value: Callable[[], object], error: Callable[[], ParseError]
    ) -> None:
        """Keep the value of a key the template does not have, or raise ``error()``.

        A name kept twice (two XML elements of one name) keeps the list of its values.
        """
        if not self.keep:
            raise error()
        if name in ACTION_KEYS:
            raise self.where.plain(
                f"cannot keep the key {quote(name)} in Action.extra: it is the name of a "
                f"field; {option('extra', 'keep')} keeps only other names"
            )
        if name not in self._extra:
            self._extra[name] = value()
            return
        kept = self._extra[name]
        if not isinstance(kept, _Repeated):
            kept = self._extra[name] = _Repeated([kept])
        kept.append(value())

    def action(self) -> Action:
        """Return the action the body holds."""
        values: dict[str, object] = {}
        extra = {k: list(v) if isinstance(v, _Repeated) else v for k, v in self._extra.items()}
        for name, (value, offset, slot) in self._fields.items():
            spec = FIELDS_BY_NAME.get(name)
            if spec is not None:
                values[spec.attribute] = value
                continue
            if name in extra:
                raise self.where.plain(
                    f"the key {quote(name)} the body gives besides the template's keys has "
                    f"the name of the extra field {slot.label}",
                    offset=offset,
                )
            extra[name] = value
        return Action(**values, items=self._items(), extra=extra)  # type: ignore[arg-type]

    def _items(self) -> tuple[Item, ...]:
        joins = self._joins
        if not joins:
            return ()
        fixed = [j for j in joins.values() if not j.flexible and j.count >= 0]
        count = fixed[0].count if fixed else 0
        for offset, join in joins.items():
            if join.count < 0 and not fixed:
                raise self.where.plain(
                    "the number of items cannot be read: the join at template "
                    f"{self.where.in_template(offset)} writes nothing a body keeps (only "
                    "comments or processing instructions), and no other join tells it"
                )
            if join.count in (count, -1) or (join.flexible and count <= 1):
                continue
            reference = fixed[0] if fixed else join
            raise self._count_error(reference, join, count)
        items: list[Item] = []
        for index in range(count):
            attrs: dict[str, object] = {}
            for offset, join in joins.items():
                for name, (value, at) in join.items.get(index, {}).items():
                    seen = attrs.get(name)
                    if name in attrs and seen != value:
                        slot = Slot(f"{{i.{name}}}", name, True, object, None, offset)
                        raise self._conflict(slot, seen, 0, value, at)
                    attrs[name] = value
            kwargs = {ITEM_FIELDS_BY_NAME[name].attribute: v for name, v in attrs.items()}
            items.append(Item(**kwargs))  # type: ignore[arg-type]
        return tuple(items)

    def _count_error(self, reference: _Join, join: _Join, count: int) -> ParseError:
        joins = self._joins
        first = next(k for k, v in joins.items() if v is reference)
        second = next(k for k, v in joins.items() if v is join)
        line, column = self.where.at(reference.offset)
        return self.where.error(
            expected=f"{_items(count)} in each join, as the join at {line}:{column} reads",
            found=_items(join.count),
            offset=join.offset,
            template=second if second != first else None,
        )


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"

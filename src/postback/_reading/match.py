"""Reading one leaf: which part of its text each placeholder and each join item holds.

A leaf's parts (``pattern``) are compiled once, when the plan is made, into an
``automaton.Automaton`` that counts the readings of a text, up to two, in one pass.
``Leaf.read`` takes the common shapes first (literal text alone, one placeholder
between literal text, one join of one placeholder whose separator a value always
escapes), then the automaton, and turns what it finds into a ``Reading`` or an error:

- a placeholder takes any run of text without a raw delimiter (``Units.bad``);
  where the mask allows no reading (a sender that does not escape), the text is read
  again as its characters alone;
- a join whose template is one placeholder and whose separator is not empty reads an
  empty text as no items (and so do joins with no literal text at all): an item none
  of whose values is set writes nothing either, so one such item and no item read the
  same, and ``LoopReading.flexible`` says so;
- a text with two readings is an error naming both (``Where.ambiguous``): postback
  never guesses.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from .._errors import ParseError
from .automaton import END, HOLE, LIT, Automaton, Ref, paths
from .errors import Where, quote
from .pattern import Lit, Loop, Part, Slot, Units, label_of, merge

__all__ = ["Leaf", "LoopReading", "Reading", "Span", "collecting"]

Span = tuple[Slot, int, int]  # a placeholder and the decoded text it holds: [start, end)


class LoopReading(NamedTuple):
    """The items a join of the leaf reads: each a tuple of its placeholders' spans.

    ``flexible``: the join's text is empty, which reads as no items, and one item
    without values would have written the same.
    """

    loop: Loop
    items: tuple[tuple[Span, ...], ...]
    flexible: bool


class Reading(NamedTuple):
    """What a leaf's text holds: the spans of its own placeholders, and its joins."""

    values: tuple[Span, ...]
    loops: tuple[LoopReading, ...]


class Leaf:
    """The compiled reading of one leaf (see the module docstring)."""

    __slots__ = ("_auto", "_literal", "_single", "_split", "offset", "parts")

    def __init__(self, parts: Sequence[Part], offset: int) -> None:
        self.parts = merge(parts)
        self.offset = offset
        self._literal: str | None = None
        if all(isinstance(p, Lit) for p in self.parts):
            self._literal = "".join(p.text for p in self.parts if isinstance(p, Lit))
        self._single = _single(self.parts)
        self._split = _split(self.parts)
        self._auto = Automaton(self.parts)
        built = _BUILT.get()
        if built is not None:
            built.append(self)

    @property
    def single(self) -> tuple[Lit, Slot, Lit] | None:
        """The leaf's parts when they are one placeholder between literal texts."""
        return self._single

    def read(self, units: Units, where: Where, *, lenient: bool = True) -> Reading:
        """Return the one reading of ``units``; raise ``ParseError`` if there is none or
        there are two.  ``lenient``: where the mask allows no reading, read the text as
        its characters alone (a sender that does not escape)."""
        text = units.text
        if self._literal is not None:
            if text == self._literal:
                return Reading((), ())
            raise self._mismatch(units, where, 0, self._literal, self.offset)
        if self._single is not None:
            return self._read_single(units, where)
        if self._split is not None and units.mask and lenient:
            split = self._read_split(units)
            if split is not None:
                return split
        found = self._auto.run(text, units.mask, units.bad)
        if found[0] is None and units.mask and lenient:
            # A sender that does not escape: read the text as its characters alone.
            again = self._auto.run(text, "", ())
            found = again if again[0] is not None or again[1] >= found[1] else found
        accept, _, far_state, far_pos = found
        if accept is None:
            raise self._failure(units, where, far_state, far_pos)
        first, second = paths(accept)
        reading, glued = self._reading(first)
        if second is not None:
            other, _ = self._reading(second)
            if other != reading:
                raise self._two(units, where, reading, other)
        if glued:
            raise self._glue_error(units, where, *glued[0])
        return reading

    # -- the common shapes ----------------------------------------------------------

    def _read_single(self, units: Units, where: Where) -> Reading:
        assert self._single is not None
        before, slot, after = self._single
        text = units.text
        if not text.startswith(before.text):
            raise self._mismatch(units, where, 0, before.text, before.offset)
        end = len(text) - len(after.text)
        if end < len(before.text) or not text.endswith(after.text):
            at = max(len(before.text), end)
            raise self._mismatch(units, where, at, after.text, after.offset)
        return Reading(((slot, len(before.text), end),), ())

    def _read_split(self, units: Units) -> Reading | None:
        """Read a leaf that is one join of one placeholder, whose separator a value
        always escapes: split at the separator; None if the text is not that simple."""
        assert self._split is not None
        loop, slot = self._split
        text, mask, sep = units.text, units.mask, loop.sep
        if not text:
            return Reading((), (LoopReading(loop, (), True),))
        items: list[tuple[Span, ...]] = []
        start = 0
        bad = units.bad
        b = 0
        at = text.find(sep.text)
        while True:
            if at >= 0 and not mask.startswith(sep.mask, at):
                at = text.find(sep.text, at + 1)
                continue
            end = len(text) if at < 0 else at
            while b < len(bad) and bad[b] < start:
                b += 1
            if b < len(bad) and bad[b] < end:
                return None  # a raw delimiter inside a value: the general reading decides
            items.append(((slot, start, end),))
            if at < 0:
                break
            start = at + len(sep.text)
            at = text.find(sep.text, start)
        return Reading((), (LoopReading(loop, tuple(items), False),))

    def _mismatch(
        self, units: Units, where: Where, at: int, expected: str, template: int
    ) -> ParseError:
        text = units.text
        k = 0
        while k < len(expected) and at + k < len(text) and text[at + k] == expected[k]:
            k += 1
        # What stands where the literal text should, and the place where it differs.
        return where.error(
            expected=quote(expected) if expected else "the end of the value",
            found=_found(text, at if k < len(expected) else at + k),
            offset=units.offset(at + k),
            template=template,
        )

    # -- the general reading --------------------------------------------------------

    def _reading(self, path: list[Ref]) -> tuple[Reading, list[tuple[Loop, int, int]]]:
        """Return the reading a path of steps makes, and the text of the joins with no
        literal text that it gives any (which has more than one reading)."""
        values: list[Span] = []
        items: list[list[list[Span]]] = [[] for _ in self._auto.loops]
        glue: dict[int, tuple[int, int]] = {}
        for ref in path:
            if ref.span is not None:
                h, p, o = ref.span
                state = self._auto.states[h]
                if isinstance(state.hole, Loop):
                    glue[state.loop] = (p, o)
                elif state.loop >= 0:
                    assert state.hole is not None
                    items[state.loop][-1].append((state.hole, p, o))
                else:
                    assert state.hole is not None
                    values.append((state.hole, p, o))
            for li in ref.marks:
                items[li].append([])
        loops = []
        glued: list[tuple[Loop, int, int]] = []
        for li, loop in enumerate(self._auto.loops):
            if li in glue:
                # An empty text is no items; any other text has several readings.
                p, o = glue[li]
                if o > p:
                    glued.append((loop, p, o))
                loops.append(LoopReading(loop, (), True))
                continue
            its = tuple(tuple(item) for item in items[li])
            loops.append(LoopReading(loop, its, not its and li in self._auto.nullable))
        return Reading(tuple(values), tuple(loops)), glued

    def _glue_error(self, units: Units, where: Where, loop: Loop, p: int, o: int) -> ParseError:
        text = units.text[p:o]
        return where.ambiguous(
            offset=units.offset(p),
            template=loop.offset,
            first=f"1 item {quote(text)}",
            second=f"2 items {quote(text[:1])} and {quote(text[1:])}",
            what="the join, whose items have no literal text between them",
        )

    def _two(self, units: Units, where: Where, one: Reading, two: Reading) -> ParseError:
        text = units.text
        at, template = _difference(one, two)
        what = "this part of the template" if template is None else "its placeholders"
        return where.ambiguous(
            offset=units.offset(at),
            template=template if template is not None else self.offset,
            first=describe(one, text),
            second=describe(two, text),
            what=what,
        )

    def _failure(self, units: Units, where: Where, state_index: int, pos: int) -> ParseError:
        text = units.text
        if state_index < 0:
            return self._mismatch(units, where, 0, "", self.offset)
        state = self._auto.states[state_index]
        if state.kind == LIT:
            return self._mismatch(units, where, pos, state.lit, state.offset)
        if state.kind == END:
            return where.error(
                expected="the end of the value",
                found=_found(text, pos),
                offset=units.offset(pos),
                template=self.offset,
            )
        # A placeholder that found nothing after it: it ends at a raw delimiter or at
        # the end, where the template's next text was expected.
        i = bisect_left(units.bad, pos)
        stop = units.bad[i] if i < len(units.bad) else len(text)
        nexts = []
        template = state.offset
        for edge in reversed(self._auto.after[state_index]):
            target = self._auto.states[edge.target]
            if target.kind == LIT:
                nexts.append(quote(target.lit))
                template = target.offset
            elif target.kind == HOLE and target.hole is not None:
                nexts.append(label_of(target.hole))
            else:
                nexts.append("the end of the value")
        assert state.hole is not None
        label = state.hole.label if isinstance(state.hole, Slot) else "the join"
        return where.error(
            expected=f"{' or '.join(reversed(dict.fromkeys(nexts)))} after {label}",
            found=_found(text, stop),
            offset=units.offset(stop),
            template=template,
        )


_BUILT: ContextVar[list[Leaf] | None] = ContextVar("_BUILT", default=None)


@contextmanager
def collecting() -> Iterator[list[Leaf]]:
    """Collect the leaves built inside the ``with`` block, in the order they are built
    (``ambiguity`` checks the leaves a reading plan is made of)."""
    built: list[Leaf] = []
    token = _BUILT.set(built)
    try:
        yield built
    finally:
        _BUILT.reset(token)


def _single(parts: tuple[Part, ...]) -> tuple[Lit, Slot, Lit] | None:
    """Return (text before, placeholder, text after) for a leaf of one placeholder."""
    slots = [p for p in parts if not isinstance(p, Lit)]
    if len(slots) != 1 or not isinstance(slots[0], Slot):
        return None
    k = parts.index(slots[0])
    before = parts[k - 1] if k > 0 else Lit("", slots[0].offset)
    after = parts[k + 1] if k + 1 < len(parts) else Lit("", slots[0].offset)
    assert isinstance(before, Lit) and isinstance(after, Lit)
    return before, slots[0], after


def _split(parts: tuple[Part, ...]) -> tuple[Loop, Slot] | None:
    """Return the join and its placeholder for a leaf that is one join of one placeholder,
    whose separator is made of characters a value's escaper always encodes."""
    if len(parts) != 1 or not isinstance(parts[0], Loop):
        return None
    loop = parts[0]
    body = merge(loop.body)
    sep = loop.sep
    if len(body) != 1 or not isinstance(body[0], Slot) or not sep.text:
        return None
    if not sep.mask or "-" in sep.mask:
        return None
    return loop, body[0]


def _found(text: str, at: int) -> str:
    if at >= len(text):
        return "the end of the value"
    return quote(text[at : at + 12])


def _flat(reading: Reading) -> list[Span]:
    spans = list(reading.values)
    for lr in reading.loops:
        for item in lr.items:
            spans.extend(item)
    return sorted(spans, key=lambda span: (span[1], span[2]))


def _difference(one: Reading, two: Reading) -> tuple[int, int | None]:
    """Return where two readings first differ: a decoded position and a template offset."""
    a, b = _flat(one), _flat(two)
    for x, y in zip(a, b, strict=False):
        if x != y:
            first = min(x, y, key=lambda span: span[1])
            return first[1], first[0].offset
    if len(a) != len(b):
        extra = (a if len(a) > len(b) else b)[min(len(a), len(b))]
        return extra[1], extra[0].offset
    return 0, None


def describe(reading: Reading, text: str) -> str:
    """Say what a reading gives each placeholder, for a message."""
    parts = [f"{slot.label}={quote(text[p:o])}" for slot, p, o in reading.values]
    for lr in reading.loops:
        count = len(lr.items)
        shown = "; ".join(
            " ".join(f"{slot.label}={quote(text[p:o])}" for slot, p, o in item)
            for item in lr.items[:3]
        )
        more = "; ..." if count > 3 else ""
        noun = "item" if count == 1 else "items"
        parts.append(f"{count} {noun}" + (f" ({shown}{more})" if shown else ""))
    return " ".join(parts) if parts else "no values"

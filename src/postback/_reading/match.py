"""Reading one leaf: which part of its text each placeholder and each join item holds.

A leaf's parts (``pattern``) become a small automaton once, when the plan is made:
literal text to match, placeholders that take a run of text, and joins as loops whose
body is repeated with the separator between items.  Reading a text counts its
readings, up to two, in one pass over the text:

- a configuration is a state of the automaton at a position of the text, with the
  number of ways (1, or 2 for "two or more") to get there and the steps that did;
- a placeholder takes any run of text that holds no raw delimiter (``Units.bad``), up
  to a place where what follows it in the template (literal text, another
  placeholder, or the end) stands; the runs a placeholder may end at are found from
  the places of the following literal text, so the work is linear in the number of
  those places and not in the text's length times the template's;
- a join whose template is one placeholder and whose separator is not empty reads
  an empty text as no items (and so do joins with no literal text at all): an item
  none of whose values is set writes nothing either, so one such item and no item
  read the same, and ``LoopReading.flexible`` says so.

A text read with raw delimiters inside values (a sender that does not escape) is
read again with ``bad`` empty when the first reading fails; either way a text with
two readings is an error naming both (``Where.ambiguous``): postback never guesses.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Final, NamedTuple

from .._errors import ParseError
from .errors import Where, quote
from .pattern import Lit, Loop, Part, Slot, Units, label_of, merge

__all__ = ["Leaf", "LoopReading", "Reading", "Span"]

_LIT: Final = 0
_HOLE: Final = 1
_FORK: Final = 2
_END: Final = 3

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


class _State(NamedTuple):
    kind: int
    lit: str = ""
    mask: str = ""  # the literal text's mask
    hole: Slot | Loop | None = None  # a Loop: a join with no literal text, read whole
    loop: int = -1  # the loop whose body holds the state
    forks: tuple[tuple[int, int, bool], ...] = ()  # (target, loop an item starts in, nonempty)
    offset: int = 0


class _Edge(NamedTuple):
    target: int
    marks: tuple[int, ...]  # the loops a new item starts in, on the way
    nonempty: bool  # the placeholder before must hold text (a lone item of a join)


class _Cfg:
    __slots__ = ("count", "pos", "refs", "state")

    def __init__(self, state: int, pos: int) -> None:
        self.state = state
        self.pos = pos
        self.count = 0
        self.refs: list[_Ref] = []


class _Ref(NamedTuple):
    pred: _Cfg | None
    marks: tuple[int, ...]
    span: tuple[int, int, int] | None  # (placeholder state, start, end) of the step
    weight: int  # the readings it brings, 1 or 2


class _Compiler:
    """Builds the automaton of a leaf's parts (see the module docstring)."""

    def __init__(self) -> None:
        self.states: list[_State] = []
        self.loops: list[Loop] = []
        self.nullable: set[int] = set()

    def add(self, state: _State) -> int:
        self.states.append(state)
        return len(self.states) - 1

    def patch(self, index: int, *forks: tuple[int, int, bool]) -> None:
        self.states[index] = self.states[index]._replace(forks=forks)

    def parts(self, parts: Sequence[Lit | Slot], loop: int = -1) -> None:
        for part in parts:
            if isinstance(part, Lit):
                self.add(_State(_LIT, part.text, part.mask, loop=loop, offset=part.offset))
            else:
                self.add(_State(_HOLE, hole=part, loop=loop, offset=part.offset))

    def join(self, loop: Loop) -> None:
        li = len(self.loops)
        self.loops.append(loop)
        body = tuple(p for p in merge(loop.body) if isinstance(p, Lit | Slot))
        sep = loop.sep
        if not sep.text and not any(isinstance(p, Lit) for p in body):
            self.add(_State(_HOLE, hole=loop, loop=li, offset=loop.offset))
            return
        enter = self.add(_State(_FORK))
        start = len(self.states)
        self.parts(body, li)
        end = self.add(_State(_FORK))
        if not sep.text:
            exit_ = len(self.states)
            self.patch(enter, (start, li, False), (exit_, -1, False))
            self.patch(end, (start, li, False), (exit_, -1, False))
            return
        sep_state = self.add(_State(_LIT, sep.text, sep.mask, loop=li, offset=sep.offset))
        again = self.add(_State(_FORK))
        single = len(body) == 1 and isinstance(body[0], Slot)
        if not single:
            exit_ = len(self.states)
            self.patch(enter, (start, li, False), (exit_, -1, False))
            self.patch(end, (sep_state, -1, False), (exit_, -1, False))
            self.patch(again, (start, li, False))
            return
        # One placeholder: the first item is a copy whose value must hold text when it
        # is the only item, so that an empty text reads as no items and nothing else.
        self.nullable.add(li)
        rest = len(self.states)
        self.parts(body, li)
        rest_end = self.add(_State(_FORK))
        exit_ = len(self.states)
        self.patch(enter, (start, li, False), (exit_, -1, False))
        self.patch(end, (sep_state, -1, False), (exit_, -1, True))
        self.patch(again, (rest, li, False))
        self.patch(rest_end, (sep_state, -1, False), (exit_, -1, False))

    def closure(self, index: int) -> tuple[_Edge, ...]:
        """Return the states reached from ``index`` through forks, with their marks."""
        out: list[_Edge] = []
        stack: list[tuple[int, tuple[int, ...], bool]] = [(index, (), False)]
        while stack:
            j, marks, nonempty = stack.pop()
            state = self.states[j]
            if state.kind != _FORK:
                out.append(_Edge(j, marks, nonempty))
                continue
            for target, mark, ne in reversed(state.forks):
                stack.append((target, (*marks, mark) if mark >= 0 else marks, nonempty or ne))
        return tuple(out)


class Leaf:
    """The compiled reading of one leaf (see the module docstring)."""

    __slots__ = (
        "_adjacent",
        "_after",
        "_begin",
        "_holes",
        "_literal",
        "_loops",
        "_nullable",
        "_single",
        "_split",
        "_states",
        "offset",
        "parts",
    )

    def __init__(self, parts: Sequence[Part], offset: int) -> None:
        self.parts = merge(parts)
        self.offset = offset
        self._literal: str | None = None
        if all(isinstance(p, Lit) for p in self.parts):
            self._literal = "".join(p.text for p in self.parts if isinstance(p, Lit))
        self._single = _single(self.parts)
        self._split = _split(self.parts)
        compiler = _Compiler()
        for part in self.parts:
            if isinstance(part, Loop):
                compiler.join(part)
            else:
                compiler.parts((part,))
        compiler.add(_State(_END))
        states = compiler.states
        self._states = tuple(states)
        self._loops = tuple(compiler.loops)
        self._nullable = frozenset(compiler.nullable)
        self._begin = compiler.closure(0)
        self._after = {
            i: compiler.closure(i + 1) for i, s in enumerate(states) if s.kind in (_LIT, _HOLE)
        }
        holes = [i for i, s in enumerate(states) if s.kind == _HOLE]
        self._adjacent = any(states[e.target].kind == _HOLE for h in holes for e in self._after[h])
        self._holes = _ranked(holes, self._after, states)

    @property
    def slots(self) -> tuple[Slot, ...]:
        """Every placeholder of the leaf, those of its joins included."""
        out: list[Slot] = []
        for part in self.parts:
            if isinstance(part, Slot):
                out.append(part)
            elif isinstance(part, Loop):
                out.extend(p for p in part.body if isinstance(p, Slot))
        return tuple(out)

    def read(self, units: Units, where: Where) -> Reading:
        """Return the one reading of ``units``; raise ``ParseError`` if there is none or
        there are two."""
        text = units.text
        if self._literal is not None:
            if text == self._literal:
                return Reading((), ())
            raise self._mismatch(units, where, 0, self._literal, self.offset)
        if self._single is not None:
            return self._read_single(units, where)
        if self._split is not None and units.mask:
            split = self._read_split(units)
            if split is not None:
                return split
        found = self._run(text, units.mask, units.bad)
        if found[0] is None and units.mask:
            # A sender that does not escape: read the text as its characters alone.
            again = self._run(text, "", ())
            found = again if again[0] is not None or again[1] >= found[1] else found
        accept, _, far_state, far_pos = found
        if accept is None:
            raise self._failure(units, where, far_state, far_pos)
        first, second = _paths(accept)
        reading = self._reading(first)
        if second is not None:
            other = self._reading(second)
            if other != reading:
                raise self._two(units, where, reading, other)
        for lr in reading.loops:
            if lr.loop.offset in self._glued(reading):
                raise self._glue_error(units, where, lr)
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
        if len(items) == 1 and not text:
            return None
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

    def _run(self, s: str, mask: str, bad: Sequence[int]) -> tuple[_Cfg | None, int, int, int]:
        """Count the readings of ``s`` (with its ``mask``, "" to read characters alone):
        (accepting configuration or None, how far the reading got, the state and
        position it got there in)."""
        return _Run(self, s, mask, bad).go()

    def _reading(self, path: list[_Ref]) -> Reading:
        values: list[Span] = []
        items: list[list[list[Span]]] = [[] for _ in self._loops]
        glue: dict[int, tuple[int, int]] = {}
        for ref in path:
            if ref.span is not None:
                h, p, o = ref.span
                state = self._states[h]
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
        for li, loop in enumerate(self._loops):
            if li in glue:
                p, o = glue[li]
                span = ((_GLUE_SLOT, p, o),) if o > p else ()
                loops.append(LoopReading(loop, (span,) if span else (), True))
                continue
            its = tuple(tuple(item) for item in items[li])
            loops.append(LoopReading(loop, its, not its and li in self._nullable))
        return Reading(tuple(values), tuple(loops))

    def _glued(self, reading: Reading) -> set[int]:
        return {
            lr.loop.offset
            for lr in reading.loops
            if lr.items and lr.items[0] and lr.items[0][0][0] is _GLUE_SLOT
        }

    def _glue_error(self, units: Units, where: Where, lr: LoopReading) -> ParseError:
        _, p, o = lr.items[0][0]
        text = units.text[p:o]
        return where.ambiguous(
            offset=units.offset(p),
            template=lr.loop.offset,
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
        state = self._states[state_index]
        if state.kind == _LIT:
            return self._mismatch(units, where, pos, state.lit, state.offset)
        if state.kind == _END:
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
        for edge in reversed(self._after[state_index]):
            target = self._states[edge.target]
            if target.kind == _LIT:
                nexts.append(quote(target.lit))
                template = target.offset
            elif target.kind == _HOLE and target.hole is not None:
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


# A stand-in placeholder for the text of a join with no literal text (an error).
_GLUE_SLOT: Final = Slot("{join}", "join", True, str, "", 0)


class _Run:
    """One count of the readings of a text (see ``Leaf._run``)."""

    def __init__(self, leaf: Leaf, s: str, mask: str, bad: Sequence[int]) -> None:
        self.leaf = leaf
        self.s = s
        self.mask = mask
        self.n = len(s)
        self.bad = bad
        self.cfgs: dict[tuple[int, int], _Cfg] = {}
        self.queue: dict[int, list[tuple[int, _Ref]]] = {}
        self.heap: list[int] = []
        self.pend_pos: dict[int, list[int]] = {h: [] for h in leaf._holes}
        self.pend_cfg: dict[int, list[_Cfg]] = {h: [] for h in leaf._holes}
        self.pend_sum: dict[int, list[int]] = {h: [0] for h in leaf._holes}
        self.accept: _Cfg | None = None
        self.far = (-1, -1, 0)  # (reach, state, position)

    def go(self) -> tuple[_Cfg | None, int, int, int]:
        leaf, n = self.leaf, self.n
        for edge in leaf._begin:
            self.arrive(edge.target, 0, _Ref(None, edge.marks, None, 1))
        if leaf._adjacent:
            for o in range(n + 1):
                self.visit(o, leaf._holes)
        else:
            events = self.events()
            positions = sorted(events)
            k = 0
            while True:
                heap_top = self.heap[0] if self.heap else None
                event = positions[k] if k < len(positions) else None
                if heap_top is None and event is None:
                    break
                o = min(p for p in (heap_top, event) if p is not None)
                holes: Sequence[int] = ()
                if event == o:
                    holes = events[o]
                    k += 1
                self.visit(o, holes)
        reach, state, pos = self.far
        return self.accept, reach, state, pos

    def events(self) -> dict[int, list[int]]:
        """Return, by position, the placeholders that may end there (in rank order)."""
        leaf, s = self.leaf, self.s
        found: dict[str, list[int]] = {}
        events: dict[int, list[int]] = {}
        for h in leaf._holes:
            for edge in leaf._after[h]:
                target = leaf._states[edge.target]
                if target.kind == _END:
                    places: list[int] = [self.n]
                else:
                    places = found.get(target.lit) or []
                    if target.lit not in found:
                        i = s.find(target.lit)
                        while i >= 0:
                            places.append(i)
                            i = s.find(target.lit, i + 1)
                        found[target.lit] = places
                for p in places:
                    at = events.setdefault(p, [])
                    if not at or at[-1] != h:
                        at.append(h)
        rank = {h: i for i, h in enumerate(leaf._holes)}
        for at in events.values():
            at.sort(key=rank.__getitem__)
        return events

    def visit(self, o: int, holes: Sequence[int]) -> None:
        heap = self.heap
        if heap and heap[0] == o:
            heappop(heap)
            for state, ref in self.queue.pop(o):
                self.arrive(state, o, ref)
        if not holes:
            return
        bad = self.bad
        i = bisect_left(bad, o)
        lb = bad[i - 1] if i else -1
        for h in holes:
            positions = self.pend_pos[h]
            if positions and positions[-1] > lb:
                self.close(h, o, lb)

    def push(self, pos: int, state: int, ref: _Ref) -> None:
        waiting = self.queue.get(pos)
        if waiting is None:
            self.queue[pos] = [(state, ref)]
            heappush(self.heap, pos)
        else:
            waiting.append((state, ref))

    def arrive(self, t: int, pos: int, ref: _Ref) -> None:
        key = (t, pos)
        cfg = self.cfgs.get(key)
        new = cfg is None
        if cfg is None:
            cfg = self.cfgs[key] = _Cfg(t, pos)
        if cfg.count >= 2:
            return
        added = min(ref.weight, 2 - cfg.count)
        cfg.count += added
        cfg.refs.append(ref._replace(weight=added))
        state = self.leaf._states[t]
        reach = pos
        if state.kind == _LIT:
            if self.at(state, pos):
                for edge in self.leaf._after[t]:
                    self.push(pos + len(state.lit), edge.target, _Ref(cfg, edge.marks, None, added))
        elif state.kind == _HOLE:
            if new:
                self.pend_pos[t].append(pos)
                self.pend_cfg[t].append(cfg)
                sums = self.pend_sum[t]
                sums.append(sums[-1] + added)
                i = bisect_left(self.bad, pos)
                reach = self.bad[i] if i < len(self.bad) else self.n
            else:
                self.pend_sum[t][-1] += added
        elif pos == self.n and new:
            self.accept = cfg
        if new and (reach, t) > self.far[:2]:
            # The furthest in the text, and of those the furthest in the template.
            self.far = (reach, t, pos)

    def at(self, state: _State, pos: int) -> bool:
        """Whether the literal text of ``state`` stands at ``pos``, in the same form."""
        if not self.s.startswith(state.lit, pos):
            return False
        mask = self.mask
        return not (mask and state.mask) or mask.startswith(state.mask, pos)

    def close(self, h: int, o: int, lb: int) -> None:
        """End the runs of placeholder ``h`` at ``o`` where what follows it stands there."""
        leaf = self.leaf
        positions = self.pend_pos[h]
        lo = bisect_right(positions, lb)
        hi = bisect_right(positions, o, lo)
        if lo >= hi:
            return
        for edge in leaf._after[h]:
            target = leaf._states[edge.target]
            top = bisect_left(positions, o, lo, hi) if edge.nonempty else hi
            if lo >= top:
                continue
            if target.kind == _LIT and not self.at(target, o):
                continue
            if target.kind == _END and o != self.n:
                continue
            given = 0
            for k in range(lo, min(top, lo + 2)):
                if given >= 2:
                    break
                pending = self.pend_cfg[h][k]
                span = (h, positions[k], o)
                given += pending.count
                if target.kind == _LIT:
                    for after in leaf._after[edge.target]:
                        marks = edge.marks + after.marks
                        ref = _Ref(pending, marks, span, pending.count)
                        self.push(o + len(target.lit), after.target, ref)
                else:
                    self.arrive(edge.target, o, _Ref(pending, edge.marks, span, pending.count))


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


def _ranked(
    holes: list[int], after: dict[int, tuple[_Edge, ...]], states: list[_State]
) -> tuple[int, ...]:
    """Order the placeholders so that one that can end where another starts comes first."""
    order: list[int] = []
    seen: set[int] = set()
    for root in holes:
        if root in seen:
            continue
        stack = [(root, False)]
        while stack:
            h, done = stack.pop()
            if done:
                order.append(h)
                continue
            if h in seen:
                continue
            seen.add(h)
            stack.append((h, True))
            for edge in after[h]:
                if states[edge.target].kind == _HOLE and edge.target not in seen:
                    stack.append((edge.target, False))
    order.reverse()
    return tuple(order)


def _paths(accept: _Cfg) -> tuple[list[_Ref], list[_Ref] | None]:
    """Return the steps of one reading and, if there are two, of another."""
    first: list[_Ref] = []
    c: _Cfg | None = accept
    while c is not None:
        ref = c.refs[0]
        first.append(ref)
        c = ref.pred
    first.reverse()
    if accept.count < 2:
        return first, None
    suffix: list[_Ref] = []
    c = accept
    while c is not None:
        r0 = c.refs[0]
        for alt in c.refs[1:]:
            if alt.pred is not r0.pred or alt.marks != r0.marks or alt.span != r0.span:
                chain = [alt]
                d = alt.pred
                while d is not None:
                    ref = d.refs[0]
                    chain.append(ref)
                    d = ref.pred
                chain.reverse()
                suffix.reverse()
                return first, chain + suffix
        suffix.append(r0)
        c = r0.pred
    return first, None


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

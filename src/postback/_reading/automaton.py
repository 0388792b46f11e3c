"""The automaton that counts the readings of a leaf's text (see ``match``).

A leaf's parts become states: literal text to match (``LIT``), a placeholder that takes
a run of text (``HOLE``), forks (``FORK``) that a join's items loop through, and the
end.  ``Run`` reads one text, position by position, keeping for each state reached at
a position the number of ways to get there (1, or 2 for "two or more") and up to two
of the steps that did; ``paths`` follows the steps back to one reading and, where the
count is two, to another.

A placeholder that starts at a position is *pending* there; it ends only where what
follows it in the template (literal text, another placeholder, or the end) stands, and
before any raw delimiter.  So the places where runs may end are the places of the
following literal text, found once with ``str.find``; the pending starts a run may
come from are a window of a sorted list, summed with prefix sums.  The work is linear
in the number of those places, not in the text's length times the template's (only a
placeholder followed directly by another visits every position).  A join whose
template is one placeholder reads its first item from a copy of the body whose value
must hold text when it is the only item, so that an empty text has one reading.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Final, NamedTuple

from .pattern import Lit, Loop, Part, Slot, merge

__all__ = ["END", "FORK", "HOLE", "LIT", "Automaton", "Cfg", "Ref", "State", "paths"]

LIT: Final = 0
HOLE: Final = 1
FORK: Final = 2
END: Final = 3


class State(NamedTuple):
    kind: int
    lit: str = ""
    mask: str = ""  # the literal text's mask
    hole: Slot | Loop | None = None  # a Loop: a join with no literal text, read whole
    loop: int = -1  # the loop whose body holds the state
    forks: tuple[tuple[int, int, bool], ...] = ()  # (target, loop an item starts in, nonempty)
    offset: int = 0


class Edge(NamedTuple):
    target: int
    marks: tuple[int, ...]  # the loops a new item starts in, on the way
    nonempty: bool  # the placeholder before must hold text (a lone item of a join)


class Cfg:
    __slots__ = ("count", "pos", "refs", "state")

    def __init__(self, state: int, pos: int) -> None:
        self.state = state
        self.pos = pos
        self.count = 0
        self.refs: list[Ref] = []


class Ref(NamedTuple):
    pred: Cfg | None
    marks: tuple[int, ...]
    span: tuple[int, int, int] | None  # (placeholder state, start, end) of the step
    weight: int  # the readings it brings, 1 or 2


class _Compiler:
    """Builds the automaton of a leaf's parts (see the module docstring)."""

    def __init__(self) -> None:
        self.states: list[State] = []
        self.loops: list[Loop] = []
        self.nullable: set[int] = set()

    def add(self, state: State) -> int:
        self.states.append(state)
        return len(self.states) - 1

    def patch(self, index: int, *forks: tuple[int, int, bool]) -> None:
        self.states[index] = self.states[index]._replace(forks=forks)

    def parts(self, parts: Sequence[Lit | Slot], loop: int = -1) -> None:
        for part in parts:
            if isinstance(part, Lit):
                self.add(State(LIT, part.text, part.mask, loop=loop, offset=part.offset))
            else:
                self.add(State(HOLE, hole=part, loop=loop, offset=part.offset))

    def join(self, loop: Loop) -> None:
        li = len(self.loops)
        self.loops.append(loop)
        body = tuple(p for p in merge(loop.body) if isinstance(p, Lit | Slot))
        sep = loop.sep
        if not sep.text and not any(isinstance(p, Lit) for p in body):
            self.add(State(HOLE, hole=loop, loop=li, offset=loop.offset))
            return
        enter = self.add(State(FORK))
        start = len(self.states)
        self.parts(body, li)
        end = self.add(State(FORK))
        if not sep.text:
            exit_ = len(self.states)
            self.patch(enter, (start, li, False), (exit_, -1, False))
            self.patch(end, (start, li, False), (exit_, -1, False))
            return
        sep_state = self.add(State(LIT, sep.text, sep.mask, loop=li, offset=sep.offset))
        again = self.add(State(FORK))
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
        rest_end = self.add(State(FORK))
        exit_ = len(self.states)
        self.patch(enter, (start, li, False), (exit_, -1, False))
        self.patch(end, (sep_state, -1, False), (exit_, -1, True))
        self.patch(again, (rest, li, False))
        self.patch(rest_end, (sep_state, -1, False), (exit_, -1, False))

    def closure(self, index: int) -> tuple[Edge, ...]:
        """Return the states reached from ``index`` through forks, with their marks."""
        out: list[Edge] = []
        stack: list[tuple[int, tuple[int, ...], bool]] = [(index, (), False)]
        while stack:
            j, marks, nonempty = stack.pop()
            state = self.states[j]
            if state.kind != FORK:
                out.append(Edge(j, marks, nonempty))
                continue
            for target, mark, ne in reversed(state.forks):
                stack.append((target, (*marks, mark) if mark >= 0 else marks, nonempty or ne))
        return tuple(out)


class Automaton:
    """The states of a leaf's parts, and what follows each."""

    __slots__ = ("adjacent", "after", "begin", "holes", "loops", "nullable", "states")

    def __init__(self, parts: Sequence[Part]) -> None:
        compiler = _Compiler()
        for part in parts:
            if isinstance(part, Loop):
                compiler.join(part)
            else:
                compiler.parts((part,))
        compiler.add(State(END))
        states = compiler.states
        self.states = tuple(states)
        self.loops = tuple(compiler.loops)
        self.nullable = frozenset(compiler.nullable)
        self.begin = compiler.closure(0)
        self.after = {
            i: compiler.closure(i + 1) for i, s in enumerate(states) if s.kind in (LIT, HOLE)
        }
        holes = [i for i, s in enumerate(states) if s.kind == HOLE]
        self.adjacent = any(states[e.target].kind == HOLE for h in holes for e in self.after[h])
        self.holes = _ranked(holes, self.after, states)

    def run(self, s: str, mask: str, bad: Sequence[int]) -> tuple[Cfg | None, int, int, int]:
        """Count the readings of ``s`` (with its ``mask``, "" to read characters alone):
        (accepting configuration or None, how far the reading got, the state and
        position it got there in)."""
        return _Run(self, s, mask, bad).go()


class _Run:
    """One count of the readings of a text (see ``Automaton.run``)."""

    def __init__(self, auto: Automaton, s: str, mask: str, bad: Sequence[int]) -> None:
        self.auto = auto
        self.s = s
        self.mask = mask
        self.n = len(s)
        self.bad = bad
        self.cfgs: dict[tuple[int, int], Cfg] = {}
        self.queue: dict[int, list[tuple[int, Ref]]] = {}
        self.heap: list[int] = []
        self.pend_pos: dict[int, list[int]] = {h: [] for h in auto.holes}
        self.pend_cfg: dict[int, list[Cfg]] = {h: [] for h in auto.holes}
        self.pend_sum: dict[int, list[int]] = {h: [0] for h in auto.holes}
        self.accept: Cfg | None = None
        self.far = (-1, -1, 0)  # (reach, state, position)

    def go(self) -> tuple[Cfg | None, int, int, int]:
        auto, n = self.auto, self.n
        for edge in auto.begin:
            self.arrive(edge.target, 0, Ref(None, edge.marks, None, 1))
        if auto.adjacent:
            for o in range(n + 1):
                self.visit(o, auto.holes)
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
        auto, s = self.auto, self.s
        found: dict[str, list[int]] = {}
        events: dict[int, list[int]] = {}
        for h in auto.holes:
            for edge in auto.after[h]:
                target = auto.states[edge.target]
                if target.kind == END:
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
        rank = {h: i for i, h in enumerate(auto.holes)}
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

    def push(self, pos: int, state: int, ref: Ref) -> None:
        waiting = self.queue.get(pos)
        if waiting is None:
            self.queue[pos] = [(state, ref)]
            heappush(self.heap, pos)
        else:
            waiting.append((state, ref))

    def arrive(self, t: int, pos: int, ref: Ref) -> None:
        key = (t, pos)
        cfg = self.cfgs.get(key)
        new = cfg is None
        if cfg is None:
            cfg = self.cfgs[key] = Cfg(t, pos)
        if cfg.count >= 2:
            return
        added = min(ref.weight, 2 - cfg.count)
        cfg.count += added
        cfg.refs.append(ref._replace(weight=added))
        state = self.auto.states[t]
        reach = pos
        if state.kind == LIT:
            if self.at(state, pos):
                for edge in self.auto.after[t]:
                    self.push(pos + len(state.lit), edge.target, Ref(cfg, edge.marks, None, added))
        elif state.kind == HOLE:
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

    def at(self, state: State, pos: int) -> bool:
        """Whether the literal text of ``state`` stands at ``pos``, in the same form."""
        if not self.s.startswith(state.lit, pos):
            return False
        mask = self.mask
        return not (mask and state.mask) or mask.startswith(state.mask, pos)

    def close(self, h: int, o: int, lb: int) -> None:
        """End the runs of placeholder ``h`` at ``o`` where what follows it stands there."""
        auto = self.auto
        positions = self.pend_pos[h]
        lo = bisect_right(positions, lb)
        hi = bisect_right(positions, o, lo)
        if lo >= hi:
            return
        for edge in auto.after[h]:
            target = auto.states[edge.target]
            top = bisect_left(positions, o, lo, hi) if edge.nonempty else hi
            if lo >= top:
                continue
            if target.kind == LIT and not self.at(target, o):
                continue
            if target.kind == END and o != self.n:
                continue
            given = 0
            for k in range(lo, min(top, lo + 2)):
                if given >= 2:
                    break
                pending = self.pend_cfg[h][k]
                span = (h, positions[k], o)
                given += pending.count
                if target.kind == LIT:
                    for after in auto.after[edge.target]:
                        marks = edge.marks + after.marks
                        ref = Ref(pending, marks, span, pending.count)
                        self.push(o + len(target.lit), after.target, ref)
                else:
                    self.arrive(edge.target, o, Ref(pending, edge.marks, span, pending.count))


def _ranked(
    holes: list[int], after: dict[int, tuple[Edge, ...]], states: list[State]
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
                if states[edge.target].kind == HOLE and edge.target not in seen:
                    stack.append((edge.target, False))
    order.reverse()
    return tuple(order)


def paths(accept: Cfg) -> tuple[list[Ref], list[Ref] | None]:
    """Return the steps of one reading and, if there are two, of another."""
    first: list[Ref] = []
    c: Cfg | None = accept
    while c is not None:
        ref = c.refs[0]
        first.append(ref)
        c = ref.pred
    first.reverse()
    if accept.count < 2:
        return first, None
    suffix: list[Ref] = []
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

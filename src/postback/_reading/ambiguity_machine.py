"""The machines the reading check searches (``ambiguity``): a leaf's automata over symbols.

A symbol is a character and its mask (``pattern``; ``r`` for a raw delimiter, which no
value holds).  ``may_write`` says which characters a value of a placeholder's type may
write; a header value's *variants* are the leaf with the spaces its trim may have taken
left out (see ``ambiguity``'s docstring); ``Machine`` holds a leaf's variants, its
symbols and the steps of each state on each symbol.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .automaton import END, HOLE, LIT, Automaton
from .match import Leaf
from .pattern import Lit, Loop, Part, Slot

__all__ = [
    "DIGITS",
    "LETTERS",
    "SPACES",
    "UNRESERVED",
    "Machine",
    "Node",
    "Pads",
    "Step",
    "Symbol",
    "Tag",
    "may_write",
    "variants",
]

UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
DIGITS = "0123456789"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
SPACES = " \t"

Symbol = tuple[str, str]  # a character and its mask character
Step = tuple[int, int, int, tuple[int, ...]]  # (variant, from state, to state, marks)
Tag = tuple[Step, ...]
Node = tuple[int, int, int, bool]  # (variant, state, characters of its literal read, held)
Pads = tuple[str, str]  # the spaces a variant's reader puts back before and after the text


# -- what a value may write -------------------------------------------------------------


def may_write(slot: Slot | Loop, ch: str) -> bool:
    """Whether a value of ``slot`` may write ``ch`` (a join: any of its values).  Text
    and dates may write anything (a date's characters depend on its format)."""
    if isinstance(slot, Loop):
        return True
    if slot.missing and ch in slot.missing:
        return True
    if slot.kind is int:
        return ch in DIGITS or ch == "-"
    if slot.kind is Decimal:
        return ch in DIGITS or ch in "-."
    return True


# -- header variants ----------------------------------------------------------------------


def _spaces(parts: Sequence[Part], end: bool) -> str:
    """The spaces and tabs of the literal text before any other character (after the
    last, with ``end``), as ``text.build_header`` puts them back."""
    out = ""
    for part in reversed(parts) if end else parts:
        if not isinstance(part, Lit):
            continue
        text = part.text[::-1] if end else part.text
        stripped = text.lstrip(SPACES)
        out += text[: len(text) - len(stripped)]
        if stripped:
            break
    return out[::-1] if end else out


def _drop(parts: Sequence[Part], count: int) -> list[Part]:
    """``parts`` read after ``count`` of their leading spaces: the values before those
    spaces are empty, and the spaces are the trim's, not the text's."""
    out = list(parts)
    while count and out:
        part = out[0]
        if not isinstance(part, Lit):
            out.pop(0)
            continue
        take = min(count, len(part.text) - len(part.text.lstrip(SPACES)))
        count -= take
        rest = part.text[take:]
        out[0] = Lit(rest, part.offset + take, part.mask[take:])
        if not rest:
            out.pop(0)
    return out


def _mirror(parts: Sequence[Part]) -> list[Part]:
    return [
        Lit(p.text[::-1], p.offset, p.mask[::-1]) if isinstance(p, Lit) else p
        for p in reversed(parts)
    ]


def variants(parts: Sequence[Part], header: bool) -> list[tuple[Pads, Automaton]]:
    """The automata a reader of the leaf may follow, with the spaces each puts back."""
    whole = (("", ""), Automaton(parts))
    if not header or not parts:
        return [whole]
    lead = _spaces(parts, False) if not isinstance(parts[0], Lit) else ""
    trail = _spaces(parts, True) if not isinstance(parts[-1], Lit) else ""
    out = [whole]
    for i in range(len(lead) + 1):
        for j in range(len(trail) + 1):
            if i or j:
                cut = _mirror(_drop(_mirror(_drop(parts, i)), j))
                out.append(((lead[:i], trail[len(trail) - j :]), Automaton(cut)))
    return out


# -- the machine ------------------------------------------------------------------------


class Machine:
    """A leaf's automata as machines over symbols (see the module docstring)."""

    def __init__(self, leaf: Leaf, header: bool) -> None:
        self.leaf = leaf
        self.header = header
        found = variants(leaf.parts, header)
        self.pads = [pads for pads, _ in found]
        self.autos = [auto for _, auto in found]
        states = [s for auto in self.autos for s in auto.states]
        lits = [s for s in states if s.kind == LIT]
        self.masked = any(s.mask for s in lits)
        chars = {ch for s in lits for ch in s.lit}
        symbols: set[Symbol] = set()
        for s in lits:
            for k, ch in enumerate(s.lit):
                symbols.add((ch, s.mask[k] if s.mask else "-"))
        values = [s.hole for s in states if s.kind == HOLE and s.hole is not None]
        extra = SPACES if header else ""
        for ch in chars | set(extra):
            if any(may_write(v, ch) for v in values):
                symbols.add((ch, self.value_mask(ch)))
        for pool in (DIGITS, LETTERS):
            stand_in = next((c for c in pool if c not in chars), None)
            if stand_in is not None and any(may_write(v, stand_in) for v in values):
                symbols.add((stand_in, "-"))
        self.symbols = sorted(symbols)

    def value_mask(self, ch: str) -> str:
        return "e" if self.masked and ch not in UNRESERVED else "-"

    def begin(self, render: bool) -> list[tuple[Tag, Node]]:
        autos = self.autos[:1] if render else self.autos
        return [
            (((v, -1, e.target, e.marks),), (v, e.target, 0, False))
            for v, auto in enumerate(autos)
            for e in auto.begin
        ]

    def exits(self, node: Node, render: bool) -> list[tuple[Tag, Node]]:
        """The nodes reached from ``node`` without reading: itself, and where a value
        that stands there may end (through further values that write nothing)."""
        out: list[tuple[Tag, Node]] = [((), node)]
        stack: list[tuple[Tag, Node]] = [((), node)]
        while stack:
            tag, (v, i, _, held) = stack.pop()
            auto = self.autos[v]
            if auto.states[i].kind != HOLE or len(tag) > len(auto.states):
                continue
            for e in auto.after[i]:
                if e.nonempty and not held and not render:
                    continue
                step: tuple[Tag, Node] = (
                    (*tag, (v, i, e.target, e.marks)),
                    (v, e.target, 0, False),
                )
                out.append(step)
                stack.append(step)
        return out

    def step(self, node: Node, sym: Symbol, render: bool) -> list[tuple[Tag, Node]]:
        """The nodes reached from ``node`` by reading ``sym``, with the steps taken."""
        out: list[tuple[Tag, Node]] = []
        ch, m = sym
        for tag, (v, i, k, _) in self.exits(node, render):
            auto = self.autos[v]
            state = auto.states[i]
            if state.kind == HOLE:
                hole = state.hole
                assert hole is not None
                if m == "r":
                    continue
                if render and not (may_write(hole, ch) and m == self.value_mask(ch)):
                    continue
                out.append((tag, (v, i, 0, True)))
            elif state.kind == LIT:
                if state.lit[k] != ch or (state.mask and state.mask[k] != m):
                    continue
                if k + 1 < len(state.lit):
                    out.append((tag, (v, i, k + 1, False)))
                    continue
                for e in auto.after[i]:
                    out.append(((*tag, (v, i, e.target, e.marks)), (v, e.target, 0, False)))
        return out

    def accepts(self, node: Node, render: bool) -> list[Tag]:
        return [
            tag
            for tag, (v, i, _, _) in self.exits(node, render)
            if self.autos[v].states[i].kind == END
        ]

    def spaced(self, nodes: Sequence[Node]) -> set[Node]:
        """The renderer's nodes reached from ``nodes`` by writing spaces and tabs only."""
        seen = set(nodes)
        stack = list(nodes)
        while stack:
            node = stack.pop()
            for ch in SPACES:
                for sym in ((ch, "-"), (ch, "r"), (ch, "e")):
                    for _, nxt in self.step(node, sym, True):
                        if nxt not in seen:
                            seen.add(nxt)
                            stack.append(nxt)
        return seen

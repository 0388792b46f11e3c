"""Where a template's bodies could be read back more than one way: ``check(reading=True)``.

``Template.parse`` never guesses: a leaf's text with two readings is a ``ParseError``
(``match``).  This module finds, before any body is received, the leaves for which
some body the template renders has two readings, against the same model: the leaves
the reading plan builds and the automaton each is compiled into (``automaton``).

A leaf's automaton reads symbols: a character and its mask (``pattern``; ``r`` for a
raw delimiter, which no value holds).  Three copies of it run side by side over the
same text (the classic self-product, with one more copy): one *renders* the text,
its placeholders writing only what a value of their type may write there (an ``int``
its digits and ``-``, a ``Decimal`` also ``.``, text and dates anything), and two
*read* it as ``parse`` does, a placeholder taking any run without a raw delimiter.
The two readers start alike and part where one takes a different step (a placeholder
ends, or takes one more character); a text at whose end both accept after they
parted is a witness: the leaf is reported where they parted, with the witness and
its two readings.  The characters are the literal ones of the leaf and one stand-in
for all the others of each kind, so the search is small and exact for the model.

A header value is trimmed of spaces and tabs when it is written, and read as each
text it may have been before the trim (``text.build_header``): the template's own
spaces next to a value at either end may have been taken.  Each such reading is the
leaf with those spaces and the values before them left out (a *variant*); the
renderer writes the untrimmed value and the text is what the trim leaves, and a
reader may follow any variant.  (A value at either end that may itself begin or end
with a space reads back one way, without it: that is no ambiguity, and not reported.)
"""

from __future__ import annotations

from collections import deque
from importlib import import_module
from itertools import product
from typing import NamedTuple

from .._compiler.nodes import Field, ItemField, Span
from .._compiler.pipeline import Compiled
from .._errors import ParseError
from .._formats import Format, format_spec
from .._options import CompileOptions
from .._problems import Code, LineIndex, Problem
from . import _slot
from .ambiguity_machine import (
    SPACES,
    Machine,
    Node,
    Symbol,
    Tag,
)
from .automaton import END, HOLE
from .errors import Where, quote
from .match import Leaf, collecting, describe
from .pattern import Loop, Slot, Units, merge
from .xml import has_item_slots
from .xml_template import XElem, XJoin, XText, structure

__all__ = ["reading_problems"]

_LIMIT = 200_000  # configurations explored in one leaf before it is reported unproven


def reading_problems(front: Compiled, fmt: Format, opts: CompileOptions) -> list[Problem]:
    """Return where the bodies of the compiled template ``front`` read more than one way."""
    reader = format_spec(fmt).reader
    if reader is None:
        return []
    module, name = reader.split(":")
    build = getattr(import_module(module), name)
    missing = opts.missing == "empty"

    def slot_of(node: Field | ItemField) -> Slot:
        return _slot(node, front.contexts[node], missing)

    with collecting() as leaves:
        if fmt is Format.XML:
            _xml_leaves(structure(front.nodes, slot_of))
        else:
            build(front.nodes, slot_of)
    header = fmt is Format.HEADER
    found: dict[tuple[int, str], Problem] = {}
    for leaf in leaves:
        for problem in _leaf_problems(leaf, header):
            found.setdefault((problem.span.start, problem.code.value), problem)
    return sorted(found.values(), key=lambda p: (p.span.start, p.code.value))


# -- the text between an xml template's elements ---------------------------------------


def _xml_leaves(root: XElem) -> None:
    """Build the leaves the xml reader builds as it reads bodies: the text between an
    element's child elements, for every number of items of its joins (none, one, and
    two, after which the texts repeat)."""
    stack = [root]
    while stack:
        t = stack.pop()
        joins = [n for n in t.content if isinstance(n, XJoin)]
        counts = product(*([(0, 1, 2)] * min(len(joins), 4)))
        for chosen in counts:
            each = dict(zip((j.offset for j in joins), (*chosen, *[2] * len(joins)), strict=False))
            _xml_gaps(t, each)
        for node in t.content:
            body = node.body if isinstance(node, XJoin) else (node,)
            stack.extend(n for n in body if isinstance(n, XElem))


def _xml_gaps(t: XElem, counts: dict[int, int]) -> None:
    """Build the leaves of ``t``'s text between elements, its joins taking ``counts``."""
    gaps: list[list[tuple[XText, object]]] = [[]]
    for node in t.content:
        if isinstance(node, XText):
            gaps[-1].append((node, None))
        elif isinstance(node, XElem):
            gaps.append([])
        elif node.body and any(isinstance(n, XElem) for n in node.body):
            for k in range(counts[node.offset]):
                if k and node.sep:
                    gaps[-1].append((XText(node.sep, node.offset), None))
                for inner in node.body:
                    if isinstance(inner, XText):
                        gaps[-1].append((inner, (node.offset, k)))
                    elif isinstance(inner, XElem):
                        gaps.append([])
    for gap in gaps:
        if not gap or all(text.blank for text, _ in gap):
            continue
        places = {place for text, place in gap if has_item_slots(text)}
        if len(places) > 1:
            continue  # not read (two items' values in one text)
        Leaf(tuple(merge([p for text, _ in gap for p in text.parts])), gap[0][0].offset)


# -- the search -------------------------------------------------------------------------

# (renderer, reader one, reader two, readers parted, the text's last character is a space)
Triple = tuple[Node, Node, Node, bool, bool]


class _Witness(NamedTuple):
    text: str
    mask: str
    point: _Point  # where the two readings part
    variants: tuple[int, int]
    readings: tuple[str, str] | None  # as ``parse`` names them, if it does


def _leaf_problems(leaf: Leaf, header: bool) -> list[Problem]:
    if leaf._literal is not None:
        return []
    glued = _glued(leaf)
    if glued:
        return glued
    single = leaf._single is not None or leaf._split is not None
    if single and not header:
        return []  # read without the automaton: one reading or none
    machine = Machine(leaf, header)
    if len(machine.autos) == 1 and single:
        return []
    witness = _search(machine)
    return [] if witness is None else [_problem(witness)]


def _glued(leaf: Leaf) -> list[Problem]:
    """A join with no literal text at all: any text it holds is one item or two."""
    out = []
    for s in leaf._auto.states:
        if s.kind == HOLE and isinstance(s.hole, Loop):
            message = (
                "the join's items follow each other with nothing between them, so a received "
                'body can be read two ways: the text "ab" is 1 item "ab", or 2 items "a" and "b"'
            )
            fix = "give the join a separator, or literal text in its template"
            out.append(Problem(Span(s.offset, s.offset + 1), Code.READING_ADJACENT, message, fix))
    return out


def _search(m: Machine) -> _Witness | None:
    """Find a text the leaf renders that its reader reads two ways (breadth first)."""
    renders = [node for _, node in m.begin(True)]
    if m.header:
        renders = sorted(m.spaced(renders))  # the spaces the trim takes at the start
    readers = m.begin(False)
    parted_at: dict[Triple, _Point] = {}
    seen: dict[Triple, tuple[Triple | None, Symbol | None]] = {}
    queue: deque[Triple] = deque()
    for r in renders:
        for t1, a in readers:
            for t2, b in readers:
                triple = (r, a, b, t1 != t2, False)
                if triple not in seen:
                    seen[triple] = (None, None)
                    queue.append(triple)
                    if t1 != t2:
                        parted_at[triple] = _part_point(m, t1, t2)
    unconfirmed: _Witness | None = None
    while queue:
        triple = queue.popleft()
        r, a, b, parted, space = triple
        if _renders_end(m, r, space):
            ends_a, ends_b = m.accepts(a, False), m.accepts(b, False)
            if ends_a and ends_b and (parted or any(x != y for x in ends_a for y in ends_b)):
                point = parted_at.get(triple)
                if point is None:
                    x, y = next((x, y) for x in ends_a for y in ends_b if x != y)
                    point = _part_point(m, x, y)
                witness = _witness(m, seen, triple, point)
                if witness.readings is not None:
                    return witness
                if witness.variants[0] == witness.variants[1] and unconfirmed is None:
                    unconfirmed = witness  # two runs that parse does not tell apart
        if len(seen) > _LIMIT:
            point = _Point(m.leaf.offset, Code.READING_UNPROVEN, "")
            return _Witness("", "", point, (0, 0), None)
        first = seen[triple][1] is None
        for sym in m.symbols:
            is_space = sym[0] in SPACES
            if m.header and first and is_space:
                continue  # the trim took every space at the start
            rs = m.step(r, sym, True)
            if not rs:
                continue
            sa = m.step(a, sym, False)
            sb = m.step(b, sym, False)
            for _, r2 in rs:
                for t1, a2 in sa:
                    for t2, b2 in sb:
                        now = parted or t1 != t2
                        nxt = (r2, a2, b2, now, m.header and is_space)
                        if nxt in seen:
                            continue
                        seen[nxt] = (triple, sym)
                        if now:
                            parted_at[nxt] = parted_at[triple] if parted else _part_point(m, t1, t2)
                        queue.append(nxt)
    return unconfirmed


def _renders_end(m: Machine, r: Node, space: bool) -> bool:
    """Whether the renderer may end at ``r`` (a header: after spaces the trim takes)."""
    if not m.header:
        return bool(m.accepts(r, True))
    return not space and any(m.accepts(n, True) for n in m.spaced([r]))


class _Point(NamedTuple):
    """Where two readings part: a template offset, what parts them, and its label."""

    at: int
    kind: Code
    label: str


def _part_point(m: Machine, one: Tag, two: Tag) -> _Point:
    """Return where two runs' steps part: the state one of them enters and the other
    does not (the later in the template)."""
    k = 0
    while k < min(len(one), len(two)) and one[k] == two[k]:
        k += 1
    points = [_point(m, tag[k][0], tag[k][2]) for tag in (one, two) if k < len(tag)]
    if not points:
        return _Point(m.leaf.offset, Code.READING_AMBIGUOUS, "this text")
    return max(points, key=lambda p: p.at)


def _point(m: Machine, variant: int, index: int) -> _Point:
    auto = m.autos[variant]
    states = auto.states
    s = states[index]
    if s.kind == END:
        at = max((x.offset for x in states if x.kind != END), default=m.leaf.offset)
        return _Point(at, Code.READING_AMBIGUOUS, "the end of the text")
    if s.kind == HOLE:
        label = s.hole.label if isinstance(s.hole, Slot) else "the join"
        return _Point(s.offset, Code.READING_ADJACENT, label)
    loop = auto.loops[s.loop] if s.loop >= 0 else None
    if loop is not None and loop.sep.offset == s.offset:
        return _Point(s.offset, Code.READING_JOIN_SEPARATOR, quote(s.lit))
    at = s.offset
    if index and states[index - 1].kind == HOLE and states[index - 1].offset > at:
        # Literal text whose place is known only roughly (in an XML attribute value):
        # the placeholder after it, whose place is exact.
        at = next((x.offset for x in states[index:] if x.kind == HOLE), states[index - 1].offset)
    return _Point(at, Code.READING_SEPARATOR, quote(s.lit))


def _witness(
    m: Machine,
    seen: dict[Triple, tuple[Triple | None, Symbol | None]],
    triple: Triple,
    point: _Point,
) -> _Witness:
    symbols: list[Symbol] = []
    cur: Triple | None = triple
    start = triple
    while cur is not None:
        start = cur
        prev, sym = seen[cur]
        if sym is not None:
            symbols.append(sym)
        cur = prev
    symbols.reverse()
    text = "".join(ch for ch, _ in symbols)
    mask = "".join(mk for _, mk in symbols) if m.masked else ""
    variants = (start[1][0], start[2][0])
    if variants[0] != variants[1]:
        leads = {m.pads[v][0] for v in variants}
        part = m.leaf.parts[0 if len(leads) > 1 else -1]
        label = part.label if isinstance(part, Slot) else "the join"
        point = _Point(part.offset, Code.READING_HEADER_TRIM, label)
    readings = _readings(m, text, mask, variants)
    return _Witness(text, mask, point, variants, readings)


_FIXES = {
    Code.READING_ADJACENT: "put literal text that no value can hold between the placeholders",
    Code.READING_SEPARATOR: (
        "separate the values with literal text they cannot hold (or that the format "
        "escapes in a value: a query or a URL path escapes all but letters, digits and -._~)"
    ),
    Code.READING_JOIN_SEPARATOR: "give the join a separator that its items cannot hold",
    Code.READING_HEADER_TRIM: "put literal text other than spaces at that end of the value",
    Code.READING_AMBIGUOUS: "keep the values apart with literal text they cannot hold",
    Code.READING_UNPROVEN: "keep the values apart with literal text they cannot hold",
}


def _problem(w: _Witness) -> Problem:
    at, kind, label = w.point
    if kind is Code.READING_UNPROVEN:
        message = "this part of the template is too large to prove that it reads back one way"
        return Problem(Span(at, at + 1), kind, message, _FIXES[kind])
    what = {
        Code.READING_ADJACENT: f"{label} follows a value with nothing between them",
        Code.READING_SEPARATOR: f"the literal text {label} may also stand in the value before it",
        Code.READING_JOIN_SEPARATOR: f"the join's separator {label} may also stand in an item",
        Code.READING_HEADER_TRIM: (
            f"the header value is trimmed of the template's spaces next to {label} "
            "when it writes nothing"
        ),
        Code.READING_AMBIGUOUS: f"the template at {label}",
    }[kind]
    message = f"{what}, so a received body can be read two ways"
    if w.readings is not None:
        first, second = w.readings
        message += f": the text {quote(w.text)} reads as {first}, or as {second}"
    width = len(label) if label.startswith("{") else 1
    return Problem(Span(at, at + width), kind, message, _FIXES[kind])


def _readings(
    m: Machine, text: str, mask: str, variants: tuple[int, int]
) -> tuple[str, str] | None:
    """The two readings of a witness as ``parse`` names them, if they differ."""
    where = Where(text, LineIndex(""))
    found: list[str] = []
    for v in dict.fromkeys(variants):
        before, after = m.pads[v]
        padded = before + text + after
        masked = mask
        if before or after:
            masked = "r" * len(before) + (mask or "-" * len(text)) + "r" * len(after)
        try:
            reading = m.leaf.read(Units(padded, 0, masked), where, lenient=False)
        except ParseError as exc:
            if len(exc.readings) == 2:
                return exc.readings[0], exc.readings[1]
            continue
        found.append(describe(reading, padded))
    return (found[0], found[1]) if len(found) == 2 and found[0] != found[1] else None

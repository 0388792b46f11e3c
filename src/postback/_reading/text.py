"""The text and header readers: the whole body is one leaf.

Nothing is escaped in these formats, so a value may hold any character and only the
literal text around it tells where it ends: ``{SubId1}-{SubId2}`` reads one way only
if no value holds a ``-`` (otherwise the error names both readings).  A header value
is trimmed of spaces and tabs at an end where a value stands, as recipients read it;
a value read there has none at that end, and ``Bearer {SubId1}`` received as
``Bearer`` reads ``{SubId1}`` as missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .._compiler.nodes import Field, ItemField, Join, Node
from .._errors import ParseError
from .match import Leaf, Reading, describe
from .pattern import Lit, Loop, Part, Piece, Slot, Units, join_offset, pieces
from .record import Collector

__all__ = ["build", "build_header", "leaf_parts"]

BodyReader = Callable[[str, Collector], None]


def leaf_parts(
    nodes: Sequence[Node],
    slot_of: Callable[[Field | ItemField], Slot],
    literal: Callable[[str, int], Lit] = Lit,
) -> list[Part]:
    """Return the parts of a leaf written by ``nodes``, literal text made by ``literal``
    (from the template's text and its offset: decoded, with its mask)."""
    parts: list[Part] = []
    for node in pieces(nodes):
        if isinstance(node, Piece):
            parts.append(literal(node.text, node.offset(0)))
        elif isinstance(node, Field | ItemField):
            parts.append(slot_of(node))
        elif isinstance(node, Join):
            body = [p for p in leaf_parts(node.body, slot_of, literal) if not isinstance(p, Loop)]
            sep = literal(node.sep, node.sep_span.start)
            parts.append(Loop(tuple(body), sep, join_offset(node)))
    return parts


def build(nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> BodyReader:
    """Return the reader of bodies written by the text template ``nodes``."""
    leaf = Leaf(leaf_parts(nodes, slot_of), 0)

    def read(text: str, collector: Collector) -> None:
        collector.leaf(leaf, Units(text, 0))

    return read


def build_header(nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> BodyReader:
    """Return the reader of values written by the header template ``nodes``."""
    parts = leaf_parts(nodes, slot_of)
    leaf = Leaf(parts, 0)
    # The trim may have taken the template's own spaces next to empty values at either
    # end (a prefix of its spaces before the first other character, a suffix of those
    # after the last): the value is read as each text it may have been before the trim.
    lead = _spaces(parts) if parts and not isinstance(parts[0], Lit) else ""
    trail = _spaces(parts, end=True) if parts and not isinstance(parts[-1], Lit) else ""
    pads = [
        (lead[:i], trail[len(trail) - j :])
        for i in range(len(lead) + 1)
        for j in range(len(trail) + 1)
    ]

    def read(text: str, collector: Collector) -> None:
        first: ParseError | None = None
        found: list[tuple[Reading, Units]] = []
        for before, after in pads:
            # The spaces put back are marked as raw delimiters: no value may hold them.
            mask = "r" * len(before) + "-" * len(text) + "r" * len(after) if before or after else ""
            units = Units(before + text + after, 0, mask, runs=((0, -len(before), True),))
            try:
                reading = leaf.read(units, collector.where, lenient=False)
            except ParseError as exc:
                if exc.readings:
                    raise  # two readings of one text: never guess between them
                first = first or exc
                continue
            if not _in_literal(reading, len(before), len(units.text) - len(after)):
                continue  # a value holds the spaces: the trim took them from it, not the text
            if all(_values(reading, units) != _values(r, u) for r, u in found):
                found.append((reading, units))
        if not found:
            assert first is not None
            raise first
        if len(found) > 1:
            (one, one_units), (two, two_units) = found[:2]
            raise collector.where.ambiguous(
                offset=0,
                template=0,
                first=describe(one, one_units.text),
                second=describe(two, two_units.text),
                what="the value, trimmed of the spaces next to empty values",
            )
        collector.apply(*found[0])

    return read


def _spaces(parts: Sequence[Part], end: bool = False) -> str:
    """The spaces and tabs of the literal text of ``parts`` before any other character
    (after the last, with ``end``)."""
    out = ""
    for part in reversed(parts) if end else parts:
        if not isinstance(part, Lit):
            continue  # a value or a join, which may have written nothing
        text = part.text[::-1] if end else part.text
        stripped = text.lstrip(" \t")
        out += text[: len(text) - len(stripped)]
        if stripped:
            break
    return out[::-1] if end else out


def _in_literal(reading: Reading, start: int, end: int) -> bool:
    """Whether no value of ``reading`` holds a character before ``start`` or after ``end``."""
    spans = [*reading.values, *(s for lr in reading.loops for item in lr.items for s in item)]
    return all(p == o or (start <= p and o <= end) for _, p, o in spans)


def _values(reading: Reading, units: Units) -> list[tuple[str, str]]:
    """What a reading gives each placeholder, as text."""
    out = [(slot.label, units.text[p:o]) for slot, p, o in reading.values]
    for lr in reading.loops:
        out.extend((slot.label, units.text[p:o]) for item in lr.items for slot, p, o in item)
        out.append(("items", str(len(lr.items))))
    return out

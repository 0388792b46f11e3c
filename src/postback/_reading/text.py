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
from .match import Leaf
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
    lead = trail = ""
    if len(parts) > 1 and not isinstance(parts[0], Lit) and isinstance(parts[1], Lit):
        text = parts[1].text
        lead = text[: len(text) - len(text.lstrip(" \t"))]
    if len(parts) > 1 and not isinstance(parts[-1], Lit) and isinstance(parts[-2], Lit):
        text = parts[-2].text
        trail = text[len(text.rstrip(" \t")) :]

    def read(text: str, collector: Collector) -> None:
        try:
            collector.leaf(leaf, Units(text, 0))
        except ParseError as first:
            if not (lead or trail):
                raise
            # The values at the ends were empty, and the trim took the template's own
            # spaces next to them: read the value as it was before the trim.
            padded = Units(lead + text + trail, 0, runs=((0, -len(lead), True),))
            try:
                collector.leaf(leaf, padded)
            except ParseError:
                raise first from None

    return read

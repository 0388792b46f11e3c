"""The pieces a reading plan is made of: placeholders, literal text, joins and decoded text.

A *leaf* is the text of one JSON string, one query key or value, one XML text or
attribute value, one URL part, or a whole header or text body: the place where a
template writes values next to literal text.  The format readers take the structure
around the leaves apart (objects, pairs, elements); ``match.Leaf`` reads a leaf.

Leaves are matched on decoded text (``Units``): a query's ``%2C`` and ``,`` are both
a comma there.  What decoding loses is kept on the side, in a *mask* of one character
per decoded character: ``r`` for a character that came raw although a value's escaper
always encodes it (a raw ``,`` in a query: only literal text writes it so), ``e`` for
such a character that came escaped (``%2C``: a value, or literal text the template
writes escaped), and ``-`` for the others, whose form tells nothing.  Literal text
has a mask too, from the template's own text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .._compiler.nodes import Join, Node, Text

__all__ = ["Lit", "Loop", "Part", "Piece", "Slot", "Units", "label_of", "merge", "pieces"]

_RAW = re.compile("r")


@dataclass(frozen=True, slots=True)
class Slot:
    """A placeholder: where the text holds a value.

    ``label`` is the placeholder as written (``{Payout}``, ``{i.amt}``); ``name`` the
    field's name, the item attribute or the extra field; ``kind`` the type the value is
    read as (``int``, ``str``, ``Decimal``, ``datetime``; ``object`` for an extra field);
    ``missing`` the text a missing value writes there (None under ``missing="error"``);
    ``offset`` where the placeholder stands in the template; ``bare`` whether it stands
    at a JSON value position, where a value is a JSON value of its own.
    """

    label: str
    name: str
    item: bool
    kind: type
    missing: str | None
    offset: int
    bare: bool = False


class Lit(NamedTuple):
    """Literal text of the template, decoded, where it starts in the template, and its
    mask ("" when the format's escaping leaves nothing to tell)."""

    text: str
    offset: int
    mask: str = ""


@dataclass(frozen=True, slots=True)
class Loop:
    """A join inside one leaf: its template's parts and its separator, decoded.

    ``offset`` is where the join stands in the template; it names the join.
    """

    body: tuple[Lit | Slot, ...]
    sep: Lit
    offset: int


Part = Lit | Slot | Loop


def merge(parts: Sequence[Part]) -> tuple[Part, ...]:
    """Return ``parts`` with adjacent literals joined and empty ones left out."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, Lit):
            if not part.text:
                continue
            last = out[-1] if out else None
            if isinstance(last, Lit):
                mask = ""
                if last.mask or part.mask:
                    mask = (last.mask or "-" * len(last.text)) + (part.mask or "-" * len(part.text))
                out[-1] = Lit(last.text + part.text, last.offset, mask)
                continue
        out.append(part)
    return tuple(out)


def label_of(part: Slot | Loop) -> str:
    """Name a placeholder or a join for a message."""
    return part.label if isinstance(part, Slot) else "the join"


class Units:
    """A leaf's text, decoded, with its mask and its origin.

    ``text`` is the decoded text; ``mask`` its mask ("" when the format's escaping
    leaves nothing to tell); ``bad`` the sorted indices of the raw delimiters (``r``);
    ``runs`` maps decoded indices to offsets in the received text: ``(decoded start,
    received start, linear)``, where a linear run maps character for character and any
    other (an escape) to its start.
    """

    __slots__ = ("bad", "mask", "runs", "text")

    def __init__(
        self,
        text: str,
        start: int,
        mask: str = "",
        runs: Sequence[tuple[int, int, bool]] | None = None,
    ) -> None:
        self.text = text
        self.mask = mask
        self.bad: Sequence[int] = [m.start() for m in _RAW.finditer(mask)] if "r" in mask else ()
        self.runs = runs if runs is not None else ((0, start, True),)

    def offset(self, k: int) -> int:
        """Return the offset in the received text of decoded character ``k``."""
        runs = self.runs
        i = max(bisect_right(runs, (k, float("inf"))) - 1, 0)
        dstart, rstart, linear = runs[i]
        return rstart + (k - dstart) if linear else rstart


class Piece:
    """The literal text of adjacent ``Text`` nodes as one string, with template offsets."""

    __slots__ = ("_nodes", "_starts", "text")

    def __init__(self, nodes: Sequence[Text]) -> None:
        self.text = "".join(node.value for node in nodes)
        starts, k = [], 0
        for node in nodes:
            starts.append(k)
            k += len(node.value)
        self._starts = starts
        self._nodes = tuple(nodes)

    def offset(self, k: int) -> int:
        """Return the template offset of character ``k`` of ``text``."""
        i = max(bisect_right(self._starts, k) - 1, 0)
        return self._nodes[i].offset_of(k - self._starts[i])


def pieces(nodes: Sequence[Node]) -> list[Piece | Node]:
    """Return ``nodes`` with each run of ``Text`` nodes made one ``Piece``."""
    out: list[Piece | Node] = []
    run: list[Text] = []
    for node in nodes:
        if isinstance(node, Text):
            run.append(node)
            continue
        if run:
            out.append(Piece(run))
            run = []
        out.append(node)
    if run:
        out.append(Piece(run))
    return out


def join_offset(join: Join) -> int:
    """Return the offset that names a join: where it stands in the template."""
    return join.span.start

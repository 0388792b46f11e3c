"""The template syntax tree: small immutable nodes, each carrying its source span.

Nodes are named tuples rather than frozen dataclasses: a template of a few
kilobytes makes a few hundred of them per compile, and a named tuple is built
several times faster while being just as immutable, hashable and comparable.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

__all__ = ["Field", "Hole", "ItemField", "Join", "Malformed", "Node", "Span", "Text"]


class Span(NamedTuple):
    """A half-open range of character offsets into the template source."""

    start: int
    end: int


class Text(NamedTuple):
    """Literal text.

    ``value`` is the text the template produces.  When ``exact`` is true every
    character of it has its own source offset: character ``k`` comes from offset
    ``span.start + k``, plus one for every character before it that the source writes
    as a two-character escape (``\\"`` or ``\\\\`` in a join's string literal;
    ``escapes`` holds their indices in ``value``).  Otherwise (an escape such as
    ``\\{``, a join's separator) every character is attributed to ``span.start``.
    """

    value: str
    span: Span
    exact: bool = True
    escapes: tuple[int, ...] = ()

    def offset_of(self, k: int) -> int:
        """Return the source offset of character ``k`` of ``value`` (or of its end)."""
        if not self.exact:
            return self.span.start
        if self.escapes:
            return self.span.start + k + bisect_left(self.escapes, k)
        return self.span.start + k


class Field(NamedTuple):
    """A field placeholder such as ``{CampaignId}``."""

    name: str
    span: Span


class ItemField(NamedTuple):
    """An item placeholder such as ``{i.sku}`` inside a join template."""

    var: str
    attr: str
    span: Span


class Malformed(NamedTuple):
    """Braces around a name that is not a valid placeholder, such as ``{ Payout }``.

    The parser keeps it as a node of its own; the checker reports it and replaces it
    with the placeholder it most likely meant, so the format is still checked.
    """

    text: str
    span: Span


class Join(NamedTuple):
    """A loop: ``{join(items, i, "TEMPLATE", "SEP")}``.

    ``body`` is the parsed TEMPLATE; ``sep`` the separator text and ``sep_span`` where
    its literal stands in the source (for error positions); ``collection_span`` and
    ``var_span`` are where the collection and the loop variable are named.
    """

    collection: str
    var: str
    body: tuple[Node, ...]
    sep: str
    sep_span: Span
    span: Span
    collection_span: Span
    var_span: Span


Hole = Field | ItemField
"""A placeholder: where a value goes."""

Node = Text | Field | ItemField | Join | Malformed

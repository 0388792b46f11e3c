"""The url reader: a received URL's path, query and fragment matched against the template.

A URL template's scheme and authority are literal (values cannot stand there), so a
received URL must have the same ones; the scheme and the host are compared in any
case.  The path is one leaf, read on percent-decoded text: a value's ``/`` is always
``%2F``, so the template's segments are told apart from values; the query is read as
a query body is (``query``), pairs in any order; the fragment is one leaf.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from .._compiler.nodes import Field, ItemField, Node, Span, Text
from .errors import Where, quote, snippet
from .form import decode_form, literal
from .match import Leaf
from .pattern import Lit, Slot
from .query import read_pairs
from .query_template import QueryPlan, query_plan
from .record import Collector
from .text import leaf_parts

__all__ = ["build"]

BodyReader = Callable[[str, Collector], None]
_NEXT = {"origin": "/?#", "path": "?#", "query": "#", "fragment": ""}


class _Parts(NamedTuple):
    origin: str  # scheme and authority, as written
    sections: dict[str, list[Node]]  # path, query and fragment, those the template has
    starts: dict[str, int]  # where each starts in the template


def _slice(node: Text, a: int, b: int) -> Text:
    """Return characters ``a`` to ``b`` of a literal node, with their places."""
    escapes = tuple(e - a for e in node.escapes if a <= e < b)
    return Text(node.value[a:b], Span(node.offset_of(a), node.offset_of(b)), node.exact, escapes)


def _stop(part: str, origin: str, value: str, k: int) -> int:
    """Return where the part being read ends in ``value`` (from ``k``), or -1."""
    if part == "origin" and "://" not in origin:
        j = (origin + value[k:]).find("://")
        if j < 0:
            return -1
        k = max(k, j + 3 - len(origin) + k)
    return next((i for i in range(k, len(value)) if value[i] in _NEXT[part]), -1)


def _parts(nodes: Sequence[Node]) -> _Parts:
    """Split a URL template into its origin, path, query and fragment."""
    origin, part = "", "origin"
    sections: dict[str, list[Node]] = {"path": []}
    starts: dict[str, int] = {"path": 0}
    current: list[Node] = []
    for node in nodes:
        if not isinstance(node, Text):
            current.append(node)
            continue
        k = 0
        while True:
            stop = _stop(part, origin, node.value, k)
            end = len(node.value) if stop < 0 else stop
            if part == "origin":
                origin += node.value[k:end]
            elif end > k:
                current.append(_slice(node, k, end))
            if stop < 0:
                break
            if part != "origin":
                sections[part] = current
            ch = node.value[stop]
            part = {"/": "path", "?": "query", "#": "fragment"}[ch]
            current = []
            k = stop if ch == "/" else stop + 1
            starts[part] = node.offset_of(k)
    if part != "origin":
        sections[part] = current
    return _Parts(origin, sections, starts)


def _literal(text: str, offset: int) -> Lit:
    return literal(text, offset, plus=False)


def build(nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> BodyReader:
    """Return the reader of URLs written by the url template ``nodes``."""
    parts = _parts(nodes)
    path = Leaf(leaf_parts(parts.sections["path"], slot_of, _literal), parts.starts["path"])
    query = query_plan(parts.sections.get("query", []), slot_of, parts.starts.get("query", 0))
    fragment = None
    if "fragment" in parts.sections:
        written = leaf_parts(parts.sections["fragment"], slot_of, _literal)
        fragment = Leaf(written, parts.starts["fragment"])

    def read(text: str, collector: Collector) -> None:
        head = _origin(text, parts.origin, collector.where)
        _rest(text, head, collector, path, query, fragment)

    return read


def _origin(text: str, origin: str, where: Where) -> int:
    """Check the received scheme and authority; return where the path starts."""
    scheme, _, authority = origin.partition("://")
    got_scheme, sep, rest = text.partition("://")
    end = next((i for i, ch in enumerate(rest) if ch in "/?#"), len(rest))
    if not sep or got_scheme.lower() != scheme.lower() or rest[:end].lower() != authority.lower():
        shown = text[: len(got_scheme) + 3 + end] if sep else text
        raise where.error(expected=quote(origin), found=quote(shown), offset=0, template=0)
    return len(got_scheme) + 3 + end


def _rest(
    text: str, head: int, collector: Collector, path: Leaf, query: QueryPlan, fragment: Leaf | None
) -> None:
    """Read the path, the query and the fragment of a URL whose origin matched."""
    where = collector.where
    hash_at = text.find("#", head)
    end = hash_at if hash_at >= 0 else len(text)
    query_at = text.find("?", head, end)
    path_end = query_at if query_at >= 0 else end
    collector.leaf(path, decode_form(text[head:path_end], head, where, plus=False))
    if query_at >= 0:
        read_pairs(query, text[query_at + 1 : end], query_at + 1, collector)
    elif query.entries:
        read_pairs(query, "", end, collector)
    if fragment is None:
        if hash_at >= 0:
            raise where.error(
                expected="the end of the URL (the template has no fragment)",
                found=snippet(text, hash_at),
                offset=hash_at,
                template=None,
            )
        return
    start = hash_at + 1 if hash_at >= 0 else len(text)
    collector.leaf(fragment, decode_form(text[start:], start, where, plus=False))

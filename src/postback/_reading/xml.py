"""The xml reader: a received XML document matched against the template's structure.

The body is read by expat without DTDs (``xml_tree``): attributes in any order and
either quote, ``<a/>`` for ``<a></a>``, character references and CDATA sections for
any character.  Elements are matched in order by name (with their namespace); a join
takes the elements one item writes as long as they follow, leaving those the
template writes after the join.  Text that is only literal whitespace in the template
(indentation) may be any whitespace, or none; text with values is a leaf.  Elements
and attributes the template does not have are extra: under ``extra="keep"`` an
element's value is its text, or a dict of its attributes (``@name``), children and
text (``#text``), kept under its path (``action/note``, ``action@lang``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .._compiler.nodes import Field, ItemField, Node
from .._errors import ParseError
from .errors import Where, keep_hint, quote
from .match import Leaf
from .pattern import Part, Slot, Units, merge
from .record import Collector, ItemPlace
from .xml_template import XElem, XItem, XJoin, XText, structure
from .xml_tree import NS, Chars, Element, parse_xml

__all__ = ["build", "has_item_slots"]

BodyReader = Callable[[str, Collector], None]
_XML_SPACE = " \t\r\n"
_Placed = tuple[XText | XElem, ItemPlace, int]  # a text or an element, its item, its place


def build(nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> BodyReader:
    """Return the reader of bodies written by the xml template ``nodes``."""
    root = structure(nodes, slot_of)
    leaves: dict[tuple[Part, ...], Leaf] = {}

    def read(text: str, collector: Collector) -> None:
        _Match(collector, leaves).run(root, parse_xml(text, collector.where))

    return read


def _name(name: str) -> str:
    """Show an expanded name (URI, ``NS``, local name) as ``{URI}local``."""
    uri, _, local = name.rpartition(NS)
    return f"{{{uri}}}{local}" if uri else local


class _Match:
    def __init__(self, collector: Collector, leaves: dict[tuple[Part, ...], Leaf]) -> None:
        self.collector = collector
        self.where: Where = collector.where
        self.leaves = leaves
        self.tasks: list[tuple[XElem, Element, ItemPlace, str]] = []

    def run(self, root: XElem, element: Element) -> None:
        self.tasks.append((root, element, None, ""))
        while self.tasks:
            t, r, item, path = self.tasks.pop()
            self.element(t, r, item, f"{path}/{_name(r.name)}" if path else _name(r.name))

    def element(self, t: XElem, r: Element, item: ItemPlace, path: str) -> None:
        if r.name != t.name:
            raise self.where.error(
                expected=f"the element <{_name(t.name)}>",
                found=f"<{_name(r.name)}>",
                offset=r.offset,
                template=t.offset,
            )
        names = {name for name, _ in t.attrs}
        for name, leaf in t.attrs:
            value = r.attrs.get(name)
            if value is None:
                raise self.where.error(
                    expected=f"the attribute {_name(name)}",
                    found=f"<{_name(r.name)}> without it",
                    offset=r.offset,
                    template=leaf.offset,
                )
            self.collector.leaf(leaf, Units(value, r.offset, runs=((0, r.offset, False),)), item)
        for name, value in r.attrs.items():
            if name not in names:
                self.extra(f"{path}@{_name(name)}", value, f"the attribute {_name(name)}", r, t)
        self.content(t, r, item, path)

    def content(self, t: XElem, r: Element, item: ItemPlace, path: str) -> None:
        """Match the content of ``r`` against the template's: elements in order by
        name, then the text between them."""
        received = [c for c in r.children if isinstance(c, Element)]
        placed: list[_Placed] = []  # (text or element, its item, its received index)
        k = 0
        fixed_after = _fixed_after(t.content)
        for n, node in enumerate(t.content):
            if isinstance(node, XText):
                placed.append((node, item, -1))
            elif isinstance(node, XElem):
                k = self.find(node, received, k, r, t, path)
                placed.append((node, item, k))
                k += 1
            else:
                k = self.join(node, received, k, len(received) - fixed_after[n], placed)
        for element in received[k:]:
            self.extra_element(element, path, t)
        self.texts(placed, r, t)
        work = [
            (node, received[i], place, path)
            for node, place, i in placed
            if isinstance(node, XElem) and i >= 0
        ]
        self.tasks.extend(reversed(work))

    def find(
        self, node: XElem, received: list[Element], k: int, r: Element, t: XElem, path: str
    ) -> int:
        for j in range(k, len(received)):
            if received[j].name == node.name:
                for extra in received[k:j]:
                    self.extra_element(extra, path, t)
                return j
        at = received[k].offset if k < len(received) else r.offset
        found = f"<{_name(received[k].name)}>" if k < len(received) else "no more elements"
        raise self.where.error(
            expected=f"the element <{_name(node.name)}>",
            found=found,
            offset=at,
            template=node.offset,
        )

    def join(
        self,
        join: XJoin,
        received: list[Element],
        k: int,
        stop: int,
        placed: list[_Placed],
    ) -> int:
        """Take the items of ``join``: as long as the elements one item writes follow."""
        names = [e.name for e in join.body if isinstance(e, XElem)]
        if not join.body:
            # Its template writes only comments or processing instructions: a body does
            # not keep them, so the other joins must tell the number of items.
            self.collector.items(join.offset, -1, 0)
            return k
        count = 0
        while names and k + len(names) <= stop:
            if [e.name for e in received[k : k + len(names)]] != names:
                break
            if count and join.sep:
                placed.append((XText(join.sep, join.offset), None, -1))
            for node in join.body:
                assert not isinstance(node, XJoin)  # joins do not nest
                index = -1
                if isinstance(node, XElem):
                    index = k
                    k += 1
                placed.append((node, (join.offset, count), index))
            count += 1
        self.collector.items(join.offset, count, received[k - 1].offset if count else 0)
        return k

    def texts(self, placed: list[_Placed], r: Element, t: XElem) -> None:
        """Match the template's text between its elements with the received text there."""
        gaps: list[list[tuple[XText, ItemPlace]]] = [[]]
        bounds: list[int] = [-1]
        for node, place, index in placed:
            if isinstance(node, XText):
                gaps[-1].append((node, place))
            else:
                gaps.append([])
                bounds.append(index)
        bounds.append(len([c for c in r.children if isinstance(c, Element)]))
        texts = _between(r)
        for n, gap in enumerate(gaps):
            units = _joined(texts[bounds[n] + 1 : bounds[n + 1] + 1], r.offset)
            self.gap(gap, units, t)

    def gap(self, gap: list[tuple[XText, ItemPlace]], units: Units, t: XElem) -> None:
        if all(text.blank for text, _ in gap):
            if units.text.strip(_XML_SPACE):
                at = units.offset(len(units.text) - len(units.text.lstrip(_XML_SPACE)))
                raise self.where.error(
                    expected="no text here (only whitespace)",
                    found=quote(units.text.strip(_XML_SPACE)),
                    offset=at,
                    template=gap[0][0].offset if gap else t.offset,
                )
            return
        parts: list[Part] = []
        places = {place for text, place in gap if has_item_slots(text)}
        if len(places) > 1:
            raise self.where.plain(
                "the template writes values of two items in one text, which is not read",
                offset=units.offset(0),
            )
        for text, _ in gap:
            parts.extend(text.parts)
        key = tuple(merge(parts))
        leaf = self.leaves.get(key)
        if leaf is None:
            leaf = self.leaves[key] = Leaf(key, gap[0][0].offset)
        self.collector.leaf(leaf, units, next(iter(places)) if places else None)

    def extra(self, name: str, value: object, what: str, r: Element, t: XElem) -> None:
        def error() -> ParseError:
            return self.where.error(
                expected="only the template's elements and attributes",
                found=what,
                offset=r.offset,
                template=t.offset,
                hint=keep_hint("it"),
            )

        self.collector.extra(name, lambda: value, error)

    def extra_element(self, element: Element, path: str, t: XElem) -> None:
        name = f"{path}/{_name(element.name)}"
        self.extra(name, _python(element), f"the element <{_name(element.name)}>", element, t)


def has_item_slots(text: XText) -> bool:
    """Whether the text holds a value of an item (its other values are the action's)."""
    return any(isinstance(part, Slot) and part.item for part in text.parts)


def _fixed_after(content: Sequence[XItem]) -> list[int]:
    """For each node, how many elements outside joins the template writes after it."""
    out = [0] * len(content)
    count = 0
    for n in range(len(content) - 1, -1, -1):
        out[n] = count
        if isinstance(content[n], XElem):
            count += 1
    return out


def _between(r: Element) -> list[list[Chars]]:
    """The character data before, between and after the child elements of ``r``."""
    runs: list[list[Chars]] = [[]]
    for child in r.children:
        if isinstance(child, Element):
            runs.append([])
        else:
            runs[-1].append(child)
    return runs


def _joined(runs: Sequence[list[Chars]], offset: int) -> Units:
    chars = [c for run in runs for c in run]
    if not chars:
        return Units("", offset)
    start = chars[0].offset
    return Units("".join(c.text for c in chars), start, runs=((0, start, False),))


def _python(element: Element) -> object:
    """An extra element as Python data: its text, or its attributes, children and text."""
    results: dict[int, object] = {}
    stack: list[tuple[Element, bool]] = [(element, False)]
    while stack:
        e, done = stack.pop()
        children = [c for c in e.children if isinstance(c, Element)]
        if not done and children:
            stack.append((e, True))
            stack.extend((c, False) for c in children)
            continue
        text = "".join(c.text for c in e.children if isinstance(c, Chars))
        if not children and not e.attrs:
            results[id(e)] = text
            continue
        value: dict[str, object] = {f"@{_name(k)}": v for k, v in e.attrs.items()}
        for child in children:
            key, got = _name(child.name), results.pop(id(child))
            if key in value:
                previous = value[key]
                value[key] = [*previous, got] if isinstance(previous, list) else [previous, got]
            else:
                value[key] = got
        if text.strip(_XML_SPACE):
            value["#text"] = text
        results[id(e)] = value
    return results[id(element)]

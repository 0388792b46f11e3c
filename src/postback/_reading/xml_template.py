"""The structure of an xml template: what the xml reader matches a body against.

The template is written out once with a marker where each placeholder stands and
around each join's template (private-use characters its own text does not hold) and
read by the same parser as a body (``xml_tree``), so that names, namespaces,
references and CDATA sections are read alike on both sides.  The markers then become
the pieces of the plan: an element with its attributes (leaves) and its content, a
sequence of text (leaves), elements and joins of elements; a join inside text or an
attribute value is a ``Loop`` of that leaf.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple, Union

from .._compiler.nodes import Field, ItemField, Join, Node, Text
from .._problems import LineIndex
from .errors import Where
from .match import Leaf
from .pattern import Lit, Loop, Part, Slot, join_offset, merge
from .xml_tree import Chars, Element, parse_xml

__all__ = ["XElem", "XItem", "XJoin", "XText", "structure"]

_XML_SPACE: Final = " \t\r\n"
_REFERENCE: Final = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


class XText(NamedTuple):
    """Character data the template writes between elements: a leaf's parts."""

    parts: tuple[Part, ...]
    offset: int

    @property
    def blank(self) -> bool:
        """Whether it is only literal whitespace (read leniently: any whitespace)."""
        return all(isinstance(p, Lit) and not p.text.strip(_XML_SPACE) for p in self.parts)


class XElem(NamedTuple):
    """An element the template writes: its name, attributes (leaves) and content."""

    name: str
    attrs: tuple[tuple[str, Leaf], ...]
    content: tuple[XItem, ...]
    offset: int


class XJoin(NamedTuple):
    """A join whose template writes elements: what one item writes, the separator."""

    body: tuple[XItem, ...]
    sep: tuple[Part, ...]
    offset: int


XItem = Union[XText, XElem, XJoin]  # noqa: UP007


class _Markers:
    """The template written out with markers, and where its characters come from."""

    def __init__(self, nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> None:
        used = {ord(ch) for node in nodes for ch in _texts(node)}
        base = next(b for b in range(0xE000, 0xF900, 0x100) if not used & set(range(b, b + 0x100)))
        self.base = base
        self.slot_of = slot_of
        self.slots: list[Slot] = []
        self.joins: list[Join] = []
        self.out: list[str] = []
        self.length = 0
        self.origin: list[tuple[int, int]] = []  # (marker text offset, template offset)
        self.emit(nodes)
        self.text = "".join(self.out)
        code = f"[{chr(base + 0x10)}-{chr(base + 0x1F)}]+"
        self.pattern = re.compile(f"([{chr(base)}-{chr(base + 2)}])({code}){chr(base + 3)}")

    def mark(self, kind: int, number: int) -> str:
        digits = "".join(chr(self.base + 0x10 + int(d, 16)) for d in f"{number:x}")
        return chr(self.base + kind) + digits + chr(self.base + 3)

    def put(self, text: str, template: int) -> None:
        self.origin.append((self.length, template))
        self.out.append(text)
        self.length += len(text)

    def emit(self, nodes: Sequence[Node]) -> None:
        for node in nodes:
            if isinstance(node, Text):
                self.put(node.value, node.span.start)
            elif isinstance(node, Field | ItemField):
                self.slots.append(self.slot_of(node))
                self.put(self.mark(0, len(self.slots) - 1), node.span.start)
            elif isinstance(node, Join):
                self.joins.append(node)
                number = len(self.joins) - 1
                self.put(self.mark(1, number), node.span.start)
                self.emit(node.body)
                self.put(self.mark(2, number), node.span.end)

    def template(self, offset: int) -> int:
        """Return the template offset of a character of the marker text."""
        i = max(bisect(self.origin, offset) - 1, 0)
        start, template = self.origin[i]
        return template + (offset - start)

    def tokens(self, text: str, offset: int) -> list[tuple[str, object, int]]:
        """Split character data at its markers: (kind, value, template offset)."""
        out: list[tuple[str, object, int]] = []
        k = 0
        for match in self.pattern.finditer(text):
            if match.start() > k:
                out.append(("text", text[k : match.start()], self.template(offset + k)))
            number = int("".join(f"{ord(c) - self.base - 0x10:x}" for c in match.group(2)), 16)
            kind = ("hole", "open", "close")[ord(match.group(1)) - self.base]
            out.append((kind, number, self.template(offset + match.start())))
            k = match.end()
        if k < len(text):
            out.append(("text", text[k:], self.template(offset + k)))
        return out


def bisect(origin: list[tuple[int, int]], offset: int) -> int:
    lo, hi = 0, len(origin)
    while lo < hi:
        mid = (lo + hi) // 2
        if origin[mid][0] <= offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _texts(node: Node) -> str:
    if isinstance(node, Text):
        return node.value
    if isinstance(node, Join):
        return node.sep + "".join(_texts(n) for n in node.body)
    return ""


def unreference(text: str) -> str:
    """Return literal XML text with its character and entity references resolved."""

    def one(match: re.Match[str]) -> str:
        hex_, dec, name = match.groups()
        if name:
            return _ENTITIES[name]
        return chr(int(hex_, 16) if hex_ else int(dec))

    return _REFERENCE.sub(one, text)


class _Frame:
    __slots__ = ("items", "join", "pending")

    def __init__(self, join: int) -> None:
        self.join = join
        self.items: list[XItem] = []
        self.pending: list[Part] = []

    def flush(self, offset: int) -> None:
        if self.pending:
            self.items.append(XText(merge(self.pending), offset))
            self.pending = []


class _Structure:
    def __init__(self, markers: _Markers) -> None:
        self.m = markers
        self.done: dict[int, XElem] = {}

    def parts(self, text: str, offset: int) -> list[Part]:
        """The parts of an attribute value: literal text, placeholders, joins."""
        frame = self.content([Chars(text, offset)])
        return [p for item in frame for p in (item.parts if isinstance(item, XText) else ())]

    def content(self, children: Sequence[Element | Chars]) -> list[XItem]:
        frames = [_Frame(-1)]
        for child in children:
            if isinstance(child, Element):
                frames[-1].flush(child.offset)
                frames[-1].items.append(self.done[id(child)])
                continue
            for kind, value, at in self.m.tokens(child.text, child.offset):
                if kind == "text":
                    frames[-1].pending.append(Lit(str(value), at))
                elif kind == "hole":
                    frames[-1].pending.append(self.m.slots[int(str(value))])
                elif kind == "open":
                    frames.append(_Frame(int(str(value))))
                else:
                    self.close(frames, at)
        frames[-1].flush(0)
        return frames[0].items

    def close(self, frames: list[_Frame], at: int) -> None:
        frame = frames.pop()
        join = self.m.joins[frame.join]
        sep = Lit(unreference(join.sep), join.sep_span.start)
        parent = frames[-1]
        if not frame.items and (frame.pending or sep.text):
            # A join inside text (or one that writes only its separator, as text): a
            # loop of that text's leaf.
            body = tuple(p for p in merge(frame.pending) if isinstance(p, Lit | Slot))
            parent.pending.append(Loop(body, sep, join_offset(join)))
            return
        frame.flush(at)
        parent.flush(at)
        sep_parts: tuple[Part, ...] = (sep,) if sep.text else ()
        parent.items.append(XJoin(tuple(frame.items), sep_parts, join_offset(join)))

    def element(self, element: Element) -> XElem:
        offset = self.m.template(element.offset)
        attrs = tuple(
            (name, Leaf(self.parts(value, element.offset), offset))
            for name, value in element.attrs.items()
        )
        return XElem(element.name, attrs, tuple(self.content(element.children)), offset)


def structure(nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> XElem:
    """Return the root element the xml template ``nodes`` write."""
    markers = _Markers(nodes, slot_of)
    root = parse_xml(markers.text, Where(markers.text, LineIndex(markers.text)))
    order: list[Element] = []
    stack = [root]
    while stack:
        element = stack.pop()
        order.append(element)
        stack.extend(c for c in element.children if isinstance(c, Element))
    builder = _Structure(markers)
    for element in reversed(order):  # children before their parents, without recursion
        builder.done[id(element)] = builder.element(element)
    return builder.done[id(root)]

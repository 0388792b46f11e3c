"""XML text as a tree of elements and character data, read by expat without DTDs.

Both sides of the xml reader use it: the received body, and the template written out
with markers where its placeholders and joins stand (``xml``).  The parser resolves
namespaces (an element's or attribute's name is ``"URI\\x01local"``, or ``"local"``:
U+0001 is no XML character, so no namespace URI holds it, where a space may be),
character references and the five predefined entities, and merges CDATA sections and
text into one run of character data; comments and processing instructions are not
data.  A DOCTYPE is refused where it starts, before any declaration in it is read, so
no entity is ever defined, expanded or fetched; elements nest at most ``MAX_DEPTH``
levels deep.  Places are character offsets in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Final
from xml.parsers import expat

from .errors import Where, snippet

__all__ = ["MAX_DEPTH", "NS", "Chars", "Element", "parse_xml"]

#: Elements nest at most this deep in a received body, as in a template.
MAX_DEPTH: Final = 512
#: Between a namespace URI and a local name in an expanded name: no XML character.
NS: Final = "\x01"

_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")


class Chars:
    """A run of character data: its text, decoded, and where it starts."""

    __slots__ = ("offset", "text")

    def __init__(self, text: str, offset: int) -> None:
        self.text = text
        self.offset = offset


class Element:
    """An element: its name, its attributes in order, its children, where it starts."""

    __slots__ = ("attrs", "children", "name", "offset")

    def __init__(self, name: str, attrs: list[str], offset: int) -> None:
        self.name = name
        self.attrs = dict(zip(attrs[::2], attrs[1::2], strict=True))
        self.children: list[Element | Chars] = []
        self.offset = offset


class _Places:
    """Turns expat's byte offsets (in UTF-8) into character offsets of the text."""

    def __init__(self, text: str) -> None:
        self._bytes: list[int] = []  # the byte offset after each non-ASCII character
        self._extra: list[int] = []  # how many more bytes than characters up to there
        extra = 0
        for match in _NON_ASCII.finditer(text):
            extra += len(match.group().encode("utf-8", "surrogatepass")) - 1
            self._bytes.append(match.end() + extra)
            self._extra.append(extra)

    def char(self, byte: int) -> int:
        i = bisect_right(self._bytes, byte)
        return byte - (self._extra[i - 1] if i else 0)


class _Builder:
    """The handlers expat calls, building the tree."""

    def __init__(self, parser: expat.XMLParserType, places: _Places, where: Where) -> None:
        self.parser = parser
        self.places = places
        self.where = where
        self.stack: list[Element] = []
        self.root: Element | None = None

    def here(self) -> int:
        return self.places.char(self.parser.CurrentByteIndex)

    def start(self, name: str, attrs: list[str]) -> None:
        element = Element(name, attrs, self.here())
        if len(self.stack) >= MAX_DEPTH:
            raise self.where.error(
                expected=f"elements nested at most {MAX_DEPTH} levels deep",
                found="a deeper one",
                offset=element.offset,
                template=None,
            )
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, name: str) -> None:
        self.stack.pop()

    def chars(self, data: str) -> None:
        if not self.stack:
            return  # whitespace around the root element
        children = self.stack[-1].children
        last = children[-1] if children else None
        if isinstance(last, Chars):
            last.text += data
        else:
            children.append(Chars(data, self.here()))

    def doctype(self, *args: object) -> None:
        raise self.where.error(
            expected="no DOCTYPE (postback reads XML without DTDs: no entity is defined or "
            "expanded, no external file fetched)",
            found=snippet(self.where.text, self.here()),
            offset=self.here(),
            template=None,
        )


def parse_xml(text: str, where: Where) -> Element:
    """Return the root element of ``text``; raise ``ParseError`` naming the place."""
    # The text is decoded already: its bytes are given as UTF-8, whatever its XML
    # declaration says (expat would look any other name up among Python's codecs).
    parser = expat.ParserCreate("utf-8", namespace_separator=NS)
    parser.ordered_attributes = True
    parser.buffer_text = False  # each chunk's own place: the builder joins them
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    places = _Places(text)
    builder = _Builder(parser, places, where)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.chars
    parser.StartDoctypeDeclHandler = builder.doctype
    parser.EntityDeclHandler = builder.doctype
    try:
        parser.Parse(text.encode("utf-8", "surrogatepass"), True)
    except expat.ExpatError as exc:
        at = places.char(parser.ErrorByteIndex) if parser.ErrorByteIndex >= 0 else len(text)
        raise where.error(
            expected="well-formed XML",
            found=f"{expat.ErrorString(exc.code)} ({snippet(text, at)})",
            offset=at,
            template=None,
        ) from None
    if builder.root is None:  # pragma: no cover - expat refuses a document without one
        raise where.error(expected="an element", found="none", offset=0, template=None)
    return builder.root

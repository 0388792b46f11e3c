"""The structure of a json template: what the json reader matches a body against.

Objects with their keys, arrays, strings (leaves, ``match.Leaf``), values at bare
positions and literal scalars; each join outside a string is the members or elements
one item writes (and the elements its separator writes between items), and a join
inside a string a ``Loop`` of that string's leaf.  The template compiled, so its JSON
is well-formed for any number of items: commas and colons need no reading here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from json import JSONDecodeError
from typing import NamedTuple, Union

from .._compiler.nodes import Field, ItemField, Join, Node, Text
from .json_text import SCANSTRING
from .match import Leaf
from .pattern import Lit, Loop, Part, Piece, Slot, join_offset, pieces

__all__ = [
    "TArray",
    "TBare",
    "TItem",
    "TJoin",
    "TMember",
    "TObject",
    "TScalar",
    "TString",
    "TValue",
    "structure",
]


class TMember(NamedTuple):
    key: Leaf
    name: str | None  # the key, when it is literal text
    value: TValue
    offset: int


class TJoin(NamedTuple):
    offset: int  # the join's place in the template
    body: tuple[TItem, ...]  # what one item writes: members or elements
    sep: tuple[TItem, ...]  # elements the separator writes between items


class TObject(NamedTuple):
    members: tuple[TMember | TJoin, ...]
    offset: int


class TArray(NamedTuple):
    elements: tuple[TValue | TJoin, ...]
    offset: int


class TString(NamedTuple):
    leaf: Leaf
    offset: int


class TBare(NamedTuple):
    slot: Slot


class TScalar(NamedTuple):
    text: str
    offset: int


TValue = Union[TObject, TArray, TString, TBare, TScalar]  # noqa: UP007
TItem = Union[TValue, TMember, TJoin]  # noqa: UP007


class _Tok(NamedTuple):
    kind: str  # { } [ ] str scalar hole join
    offset: int
    value: object = None


# -- the template's structure ---------------------------------------------------------------


class _Tokens:
    """Splits a template's nodes into JSON tokens; strings become leaves' parts."""

    def __init__(self, slot_of: Callable[[Field | ItemField], Slot]) -> None:
        self.slot_of = slot_of

    def tokens(self, nodes: Sequence[Node]) -> list[_Tok]:
        out: list[_Tok] = []
        parts: list[Part] | None = None  # the string being read, if any
        start = 0
        for node in pieces(nodes):
            if isinstance(node, Piece):
                parts, start = self.text(node, out, parts, start)
            elif isinstance(node, Field | ItemField):
                slot = self.slot_of(node)
                if parts is not None:
                    parts.append(slot)
                else:
                    out.append(_Tok("hole", slot.offset, slot))
            elif isinstance(node, Join):
                if parts is not None:
                    parts.append(self.loop(node))
                else:
                    body = self.tokens(node.body)
                    sep = self.tokens([_text(node)])
                    out.append(_Tok("join", join_offset(node), (body, sep)))
        return out

    def text(
        self, piece: Piece, out: list[_Tok], parts: list[Part] | None, start: int
    ) -> tuple[list[Part] | None, int]:
        text, k, n = piece.text, 0, len(piece.text)
        while k < n:
            if parts is not None:
                end = _string_end(text, k)
                if end > k:
                    parts.append(Lit(_unescape(text[k:end]), piece.offset(k)))
                if end >= n:
                    return parts, start
                out.append(_Tok("str", start, tuple(parts)))
                parts, k = None, end + 1
                continue
            ch = text[k]
            if ch in " \t\r\n,:":
                k += 1
            elif ch in "{}[]":
                out.append(_Tok(ch, piece.offset(k)))
                k += 1
            elif ch == '"':
                parts, start, k = [], piece.offset(k), k + 1
            else:
                j = k
                while j < n and text[j] not in ' \t\r\n,:{}[]"':
                    j += 1
                out.append(_Tok("scalar", piece.offset(k), text[k:j]))
                k = j
        return parts, start

    def loop(self, join: Join) -> Loop:
        body: list[Lit | Slot] = []
        for node in pieces(join.body):
            if isinstance(node, Piece):
                body.append(Lit(_unescape(node.text), node.offset(0)))
            elif isinstance(node, Field | ItemField):
                body.append(self.slot_of(node))
        return Loop(tuple(body), Lit(_unescape(join.sep), join.sep_span.start), join_offset(join))


def _text(join: Join) -> Node:
    return Text(join.sep, join.sep_span, exact=False)


def _string_end(text: str, k: int) -> int:
    """Return the index of the quote that ends the string at ``k`` (or the end)."""
    while k < len(text):
        ch = text[k]
        if ch == '"':
            return k
        k += 2 if ch == "\\" else 1
    return len(text)


def _unescape(raw: str) -> str:
    try:
        return SCANSTRING(raw + '"', 0, False)[0]
    except (JSONDecodeError, IndexError):  # a piece cut inside an escape: kept as written
        return raw


class _Frame:
    __slots__ = ("items", "key", "kind", "offset")

    def __init__(self, kind: str, offset: int) -> None:
        self.kind = kind
        self.offset = offset
        self.items: list[TItem] = []
        self.key: tuple[Leaf, int] | None = None

    def add(self, value: TValue) -> None:
        if self.kind == "object":
            assert self.key is not None
            leaf, offset = self.key
            name = "".join(p.text for p in leaf.parts if isinstance(p, Lit))
            literal = all(isinstance(p, Lit) for p in leaf.parts)
            self.items.append(TMember(leaf, name if literal else None, value, offset))
            self.key = None
        else:
            self.items.append(value)


def _structure(tokens: Sequence[_Tok], kind: str) -> tuple[TItem, ...]:
    """Return the values (or members, for ``kind == "object"``) that ``tokens`` write."""
    stack = [_Frame(kind, 0)]
    for tok in tokens:
        top = stack[-1]
        value: TValue
        if tok.kind in ("{", "["):
            stack.append(_Frame("object" if tok.kind == "{" else "array", tok.offset))
            continue
        if tok.kind in ("}", "]"):
            frame = stack.pop()
            if frame.kind == "object":
                value = TObject(tuple(frame.items), frame.offset)  # type: ignore[arg-type]
            else:
                value = TArray(tuple(frame.items), frame.offset)  # type: ignore[arg-type]
        elif tok.kind == "str":
            leaf = Leaf(tok.value, tok.offset)  # type: ignore[arg-type]
            if top.kind == "object" and top.key is None:
                top.key = (leaf, tok.offset)
                continue
            value = TString(leaf, tok.offset)
        elif tok.kind == "scalar":
            value = TScalar(str(tok.value), tok.offset)
        elif tok.kind == "hole":
            value = TBare(tok.value)  # type: ignore[arg-type]
        else:
            body: list[_Tok]
            sep: list[_Tok]
            body, sep = tok.value  # type: ignore[misc]
            top.items.append(
                TJoin(tok.offset, _structure(body, top.kind), _structure(sep, top.kind))
            )
            continue
        stack[-1].add(value)
    return tuple(stack[0].items)


def structure(nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> TValue:
    """Return the JSON value the template ``nodes`` write."""
    (root,) = _structure(_Tokens(slot_of).tokens(nodes), "root")
    assert not isinstance(root, TMember | TJoin)
    return root

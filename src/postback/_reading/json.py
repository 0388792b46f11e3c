"""The json reader: a template's JSON structure, matched against a received JSON value.

The plan is the template's structure: objects with their keys, arrays, strings (leaves,
``match.Leaf``), values at bare positions and literal scalars, with each join as the
members or elements one item writes.  A received body is parsed (``json_text``) and
matched against it: keys in any order and any whitespace (JSON does not order an
object's members), a literal key looked up by name; members whose key the template
writes with a placeholder, and join items, are taken in the order received.  A value
at a bare position must be the JSON type postback writes there (a number for a number,
a string for text and ISO dates), or ``null`` for a missing value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from json import JSONDecodeError
from typing import NamedTuple, Union

from .._compiler.nodes import Field, ItemField, Join, Node
from .._messages import suggest
from .convert import Refused, read_decimal, read_int
from .errors import Where, quote
from .json_text import SCANSTRING, JValue, describe, load
from .match import Leaf
from .pattern import Lit, Loop, Part, Piece, Slot, Units, join_offset, pieces
from .record import Collector, ItemPlace

__all__ = ["build"]


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
    from .._compiler.nodes import Text

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


def build(nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot]) -> BodyReader:
    """Return the reader of bodies written by the json template ``nodes``."""
    (root,) = _structure(_Tokens(slot_of).tokens(nodes), "root")
    assert not isinstance(root, TMember | TJoin)

    def read(text: str, collector: Collector) -> None:
        _Match(collector).run(root, load(text, collector.where))

    return read


BodyReader = Callable[[str, Collector], None]


# -- matching ----------------------------------------------------------------------------


def _units(value: JValue) -> Units:
    if value.plain:
        return Units(value.text, value.offset + 1)
    return Units(value.text, value.offset, runs=((0, value.offset, False),))


class _Match:
    """Matches a received value against the template's structure, without recursion."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.where: Where = collector.where
        self.tasks: list[tuple[TValue, JValue, ItemPlace, str]] = []

    def run(self, root: TValue, value: JValue) -> None:
        self.tasks.append((root, value, None, ""))
        while self.tasks:
            t, j, item, path = self.tasks.pop()
            if isinstance(t, TString):
                self.expect(t, j, "string", "a string")
                self.collector.leaf(t.leaf, _units(j), item)
            elif isinstance(t, TBare):
                self.bare(t.slot, j, item)
            elif isinstance(t, TScalar):
                self.scalar(t, j)
            elif isinstance(t, TObject):
                self.expect(t, j, "object", "an object")
                self.obj(t, j, item, path)
            else:
                self.expect(t, j, "array", "an array")
                self.array(t, j, item, path)

    def push(self, work: list[tuple[TValue, JValue, ItemPlace, str]]) -> None:
        self.tasks.extend(reversed(work))

    def expect(self, t: TValue, j: JValue, kind: str, what: str) -> None:
        if j.kind != kind:
            offset = t.offset if not isinstance(t, TBare) else t.slot.offset
            raise self.where.error(
                expected=what, found=describe(j), offset=j.offset, template=offset
            )

    def scalar(self, t: TScalar, j: JValue) -> None:
        same = j.kind == "number" and t.text[:1] in "-0123456789"
        if same:
            same = Decimal(j.text) == Decimal(t.text)
        elif j.kind in ("true", "false", "null"):
            same = j.kind == t.text
        if not same:
            raise self.where.error(
                expected=t.text, found=describe(j), offset=j.offset, template=t.offset
            )

    def bare(self, slot: Slot, j: JValue, item: ItemPlace) -> None:
        """Read the value at a bare position: the JSON type postback writes there."""
        collector = self.collector
        if j.kind == "null":
            if not collector.conversion.empty:
                raise collector.refused(
                    slot, "a value (the template has missing='error')", "null", j.offset
                )
            collector.store(slot, None, j.offset, item)
            return
        kind = slot.kind
        numeric = kind in (int, Decimal) or (
            kind is not str and kind is not object and collector.conversion.number_date()
        )
        if kind is object:
            value = self.any_value(slot, j)
            collector.store(slot, value, j.offset, item)
            return
        wanted = "number" if numeric else "string"
        if j.kind != wanted:
            what = "a number" if numeric else "a string"
            raise collector.refused(slot, what, describe(j), j.offset)
        collector.put(slot, j.text, j.offset + (1 if j.kind == "string" and j.plain else 0), item)

    def any_value(self, slot: Slot, j: JValue) -> object:
        """An extra field's value at a bare position: its JSON type says its type."""
        if j.kind == "string":
            return None if not j.text and self.collector.conversion.empty else j.text
        if j.kind in ("true", "false"):
            return j.kind == "true"
        if j.kind == "number":
            try:
                return _number(j.text)
            except Refused as exc:
                raise self.collector.refused(slot, exc.expected, describe(j), j.offset) from None
        raise self.collector.refused(
            slot, "a string, a number, true or false", describe(j), j.offset
        )

    def obj(self, t: TObject, j: JValue, item: ItemPlace, path: str) -> None:
        received = {key: (offset, value) for key, offset, value in j.members}
        literal = [m for m in t.members if isinstance(m, TMember) and m.name is not None]
        names = {m.name for m in literal}
        others = [key for key, _, _ in j.members if key not in names]
        work: list[tuple[TValue, JValue, ItemPlace, str]] = []
        for member in literal:
            assert member.name is not None
            hit = received.get(member.name)
            if hit is None:
                raise self.missing_key(member, j, others)
            work.append((member.value, hit[1], item, _path(path, member.name)))
        rest = [m for m in j.members if m[0] not in names]
        dynamic = [m for m in t.members if isinstance(m, TJoin) or m.name is None]
        rest = self.dynamic(dynamic, rest, item, path, work)
        for key, offset, value in rest:
            self.extra(_path(path, key), key, offset, value, t, [m.name for m in literal if m.name])
        self.push(work)

    def dynamic(
        self,
        dynamic: Sequence[TMember | TJoin],
        rest: list[tuple[str, int, JValue]],
        item: ItemPlace,
        path: str,
        work: list[tuple[TValue, JValue, ItemPlace, str]],
    ) -> list[tuple[str, int, JValue]]:
        """Match the members whose keys are placeholders, and joins, in received order."""
        k = 0
        for index, pattern in enumerate(dynamic):
            if isinstance(pattern, TMember):
                if k >= len(rest):
                    return rest[k:]
                key, offset, value = rest[k]
                self.collector.leaf(pattern.key, Units(key, offset + 1), item)
                work.append((pattern.value, value, item, _path(path, key)))
                k += 1
                continue
            later = sum(1 for p in dynamic[index + 1 :] if isinstance(p, TMember))
            size = len(pattern.body)
            count = max(len(rest) - k - later, 0) // size if size else 0
            start = rest[k][1] if k < len(rest) else 0
            self.collector.items(pattern.offset, count, start)
            for n in range(count):
                for member in pattern.body:
                    assert isinstance(member, TMember)
                    key, offset, value = rest[k]
                    here = (pattern.offset, n)
                    self.collector.leaf(member.key, Units(key, offset + 1), here)
                    work.append((member.value, value, here, _path(path, key)))
                    k += 1
        return rest[k:]

    def missing_key(self, member: TMember, j: JValue, others: list[str]) -> Exception:
        assert member.name is not None
        near = suggest(member.name, others, cutoff=0.6)
        expected = f"the key {quote(member.name)}"
        if near is None:
            return self.where.error(
                expected=expected,
                found="an object without it",
                offset=j.offset,
                template=member.offset,
            )
        offset = next(o for key, o, _ in j.members if key == near)
        return self.where.error(
            expected=expected,
            found=quote(near),
            offset=offset,
            template=member.offset,
            hint=f"; did you mean {quote(member.name)}?",
        )

    def extra(
        self, name: str, key: str, offset: int, value: JValue, t: TObject, keys: list[str]
    ) -> None:
        def error() -> Exception:
            near = suggest(key, keys, cutoff=0.6)
            hint = f"; did you mean {quote(near)}?" if near else ""
            return self.where.error(
                expected="only the template's keys",
                found=f"the key {quote(key)}",
                offset=offset,
                template=t.offset,
                hint=f"{hint} (parse(..., extra='keep') keeps other keys in Action.extra)",
            )

        self.collector.extra(name, lambda: self.python(value), error)  # type: ignore[arg-type]

    def python(self, value: JValue) -> object:
        """Return a received value as Python data: the value of a kept extra key."""
        results: dict[int, object] = {}
        stack: list[tuple[JValue, bool]] = [(value, False)]
        while stack:
            v, done = stack.pop()
            children = [m[2] for m in v.members] if v.kind == "object" else list(v.elements)
            if not done and children:
                stack.append((v, True))
                stack.extend((c, False) for c in children)
                continue
            if v.kind == "object":
                results[id(v)] = {k: results.pop(id(c)) for k, _, c in v.members}
            elif v.kind == "array":
                results[id(v)] = [results.pop(id(c)) for c in v.elements]
            elif v.kind == "number":
                try:
                    results[id(v)] = _number(v.text)
                except Refused as exc:
                    raise self.where.error(
                        expected=exc.expected, found=describe(v), offset=v.offset, template=None
                    ) from None
            else:
                results[id(v)] = {"true": True, "false": False, "null": None}.get(v.kind, v.text)
        return results[id(value)]

    def array(self, t: TArray, j: JValue, item: ItemPlace, path: str) -> None:
        joins = [e for e in t.elements if isinstance(e, TJoin)]
        fixed = len(t.elements) - len(joins)
        body = sum(len(e.body) for e in joins)
        sep = sum(len(e.sep) for e in joins)
        have = len(j.elements)
        count = 0
        if joins and body + sep and have > fixed:
            count, left = divmod(have - fixed + sep, body + sep)
            if left:
                count = -1
        if count < 0 or fixed + count * body + max(count - 1, 0) * sep != have:
            need = f"{fixed} element{'s' if fixed != 1 else ''}"
            if joins:
                need += f" and {body} for each item"
            raise self.where.error(
                expected=need,
                found=f"{have} element{'s' if have != 1 else ''}",
                offset=j.offset,
                template=t.offset,
            )
        expanded: list[tuple[TValue, ItemPlace]] = []
        for element in t.elements:
            if not isinstance(element, TJoin):
                expanded.append((element, item))
                continue
            start = j.elements[len(expanded)].offset if count else j.offset
            self.collector.items(element.offset, count, start)
            for n in range(count):
                if n:
                    expanded.extend((s, item) for s in element.sep)  # type: ignore[misc]
                expanded.extend((b, (element.offset, n)) for b in element.body)  # type: ignore[misc]
        self.push(
            [
                (p, v, place, f"{path}[{k}]")
                for k, ((p, place), v) in enumerate(zip(expanded, j.elements, strict=True))
            ]
        )


def _path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _number(text: str) -> object:
    if any(ch in text for ch in ".eE"):
        return read_decimal(text)
    return read_int(text)

"""The json reader's fast path: a body the template wrote, read through the C ``json`` decoder.

``json.build``'s reader scans the body in Python to know where every value stands,
which only a message needs.  Most bodies are read without one, so a template of the
common shape (objects with literal keys; strings that are literal text or one
placeholder between literal texts; bare values; literal scalars; arrays of fixed
elements, or of one join over ``items`` without a separator) also has a fast reader,
made with the plan: the standard library's C decoder reads the body, numbers kept as
their text and a key given twice refused, and one generated function takes each value
where the template writes it and converts it with its placeholder's converter, chosen
when the plan is made.  Like the render function, its source holds no template text:
keys, literal texts and converters are bound under numbered names.

``read_fast`` returns None wherever it does not take the body exactly as the full
reader does: text that is no JSON, a key given twice, a key the template does not
have (even under ``extra="keep"``), a value of another type or that does not convert,
a field that reads two ways.  The full reader then reads the body and words the error,
so the two cannot differ in what they accept; ``tests/reading/test_parse_json.py``
compares them body by body.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from json import JSONDecoder
from typing import Any, Final

from .._compiler.nodes import Field, ItemField, Node
from .._compiler.values import MAX_DIGITS
from .._records.action import Action
from .._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from .._records.item import Item
from .convert import Conversion, Refused, read_decimal, read_int
from .json_template import TArray, TBare, TJoin, TMember, TObject, TScalar, TString, TValue
from .json_template import structure as json_structure
from .pattern import Lit, Slot

__all__ = ["FastReader", "build_fast", "fast_code"]

FastReader = Callable[[str], Action | None]


class _Miss(ValueError):
    """The body is not one the fast reader takes: the full reader reads it."""


class _Number(str):
    """A number's text, as received (``12.50`` stays ``12.50``)."""

    __slots__ = ()


class _NotFast(Exception):
    """The template has a shape the fast reader does not read."""


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise _Miss  # a key given twice
    return members


def _constant(name: str) -> object:
    raise _Miss  # NaN and Infinity are no JSON


_DECODE: Final = JSONDecoder(
    object_pairs_hook=_pairs, parse_float=_Number, parse_int=_Number, parse_constant=_constant
).decode


def _any(v: object, empty: bool) -> object:
    """An extra field's value at a bare position: its JSON type says its type."""
    if v is None:
        if not empty:
            raise _Miss
        return None
    if type(v) is str:
        return None if not v and empty else v
    if type(v) is _Number:
        return read_decimal(v) if any(ch in v for ch in ".eE") else read_int(v)
    if type(v) is bool:
        return v
    raise _Miss  # an object or an array


def _json_decimal(text: str) -> Decimal:
    """``read_decimal`` of a JSON number's text, which its pattern always matches."""
    if len(text) < MAX_DIGITS and "e" not in text and "E" not in text:
        return Decimal(text)  # no more digits than characters
    return read_decimal(text)


def _scalar(text: str) -> Callable[[object], None]:
    """A literal number, ``true``, ``false`` or ``null`` the template writes."""
    if text[:1] in "-0123456789":
        number = Decimal(text)

        def literal_number(v: object) -> None:
            if type(v) is not _Number or Decimal(v) != number:
                raise _Miss

        return literal_number
    constant = {"true": True, "false": False, "null": None}.get(text, _Miss)

    def literal_constant(v: object) -> None:
        if v is not constant:
            raise _Miss

    return literal_constant


def build_fast(
    nodes: Sequence[Node],
    slot_of: Callable[[Field | ItemField], Slot],
    conversion: Conversion,
) -> FastReader | None:
    """Return the fast reader of the json template ``nodes``, or None for another shape."""
    made = _generate(nodes, slot_of, conversion)
    if made is None:
        return None
    run = made[0]

    def read_fast(text: str) -> Action | None:
        try:
            return run(text)  # type: ignore[no-any-return]
        except (ValueError, KeyError, Refused, RecursionError):
            return None  # _Miss and JSONDecodeError are ValueErrors

    return read_fast


def fast_code(
    nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot], conversion: Conversion
) -> str | None:
    """Return the source of the fast reader's function, or None (for tests)."""
    made = _generate(nodes, slot_of, conversion)
    return None if made is None else made[1]


def _generate(
    nodes: Sequence[Node], slot_of: Callable[[Field | ItemField], Slot], conversion: Conversion
) -> tuple[Callable[[str], Any], str] | None:
    writer = _Writer(conversion)
    try:
        writer.value(json_structure(nodes, slot_of), "d", 1, item=False)
    except _NotFast:
        return None
    return writer.finish()


class _Writer:
    """Writes the fast reader's source from the template's structure, value by value."""

    def __init__(self, conversion: Conversion) -> None:
        self.conversion = conversion
        self.lines: list[str] = ["d = _decode(text)"]
        self.bound: dict[str, object] = {}
        self.fields: dict[str, str] = {}  # a field's name -> the variable holding its value
        self.item_fields: dict[str, str] = {}  # the same, for the join's item
        self.joins = 0
        self.count = 0

    def bind(self, prefix: str, value: object) -> str:
        name = f"{prefix}{len(self.bound)}"
        self.bound[name] = value
        return name

    def local(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * (depth - 1) + line)

    def value(self, t: TValue, var: str, depth: int, *, item: bool) -> None:
        if isinstance(t, TString):
            self.string(t, var, depth, item)
        elif isinstance(t, TBare):
            self.bare(t.slot, var, depth, item)
        elif isinstance(t, TScalar):
            self.emit(depth, f"{self.bind('scalar', _scalar(t.text))}({var})")
        elif isinstance(t, TObject):
            self.obj(t, var, depth, item)
        else:
            self.array(t, var, depth, item)

    def keep(self, slot: Slot, value: str, depth: int, item: bool) -> None:
        """Keep ``value`` for ``slot``; a field read a second time must read the same."""
        if slot.item != item:
            raise _NotFast  # an item's field outside a join, or a field inside one
        kept = self.item_fields if item else self.fields
        seen = kept.get(slot.name)
        if seen is None:
            kept[slot.name] = self.local("f")
            self.emit(depth, f"{kept[slot.name]} = {value}")
        else:
            self.emit(depth, f"if {seen} != ({value}):")
            self.emit(depth + 1, "raise _Miss")

    def converted(self, slot: Slot, var: str) -> str:
        """Return the expression of ``var``'s text converted for ``slot``."""
        kind = slot.kind
        if not self.conversion.empty:
            if kind is str or kind is object:
                return var
            return f"{self.bind('convert', self.conversion.reader(slot))}({var})"
        if kind is int:
            convert = self.bind("read_int", read_int)
        elif kind is Decimal:
            convert = self.bind("read_decimal", read_decimal)
        elif kind is str or kind is object:
            convert = ""
        else:
            convert = self.bind("read_date", self.conversion.reader(slot))
        test = f"not {var}"
        if slot.missing:
            test += f" or {var} == {self.bind('missing', slot.missing)}"
        return f"None if {test} else {convert}({var})"

    def string(self, t: TString, var: str, depth: int, item: bool) -> None:
        parts = t.leaf.parts
        if all(isinstance(p, Lit) for p in parts):
            literal = self.bind("text", "".join(p.text for p in parts if isinstance(p, Lit)))
            self.emit(depth, f"if type({var}) is not str or {var} != {literal}:")
            self.emit(depth + 1, "raise _Miss")
            return
        single = t.leaf.single
        if single is None:
            raise _NotFast  # joins or several placeholders in one string
        before, slot, after = single[0].text, single[1], single[2].text
        self.emit(depth, f"if type({var}) is not str:")
        self.emit(depth + 1, "raise _Miss")
        if before or after:
            b, a = self.bind("text", before), self.bind("text", after)
            size = len(before) + len(after)
            self.emit(
                depth,
                f"if len({var}) < {size} or not {var}.startswith({b}) or not {var}.endswith({a}):",
            )
            self.emit(depth + 1, "raise _Miss")
            self.emit(depth, f"{var} = {var}[{len(before)} : len({var}) - {len(after)}]")
        self.keep(slot, self.converted(slot, var), depth, item)

    def bare(self, slot: Slot, var: str, depth: int, item: bool) -> None:
        """A value at a bare position: the JSON type postback writes there."""
        conversion = self.conversion
        kind = slot.kind
        if kind is object:
            self.keep(slot, f"_any({var}, {conversion.empty})", depth, item)
            return
        numeric = kind in (int, Decimal) or (kind is not str and conversion.number_date())
        wanted = "_Number" if numeric else "str"
        # A number's text is never empty nor the missing text "null".
        reader = _json_decimal if kind is Decimal else conversion.reader(slot)
        convert = self.bind("convert", reader)
        result = self.local("b")
        self.emit(depth, f"if {var} is None:")
        if not conversion.empty:
            self.emit(depth + 1, "raise _Miss")
        else:
            self.emit(depth + 1, f"{result} = None")
        self.emit(depth, f"elif type({var}) is {wanted}:")
        self.emit(depth + 1, f"{result} = {convert}({var})")
        self.emit(depth, "else:")
        self.emit(depth + 1, "raise _Miss")
        self.keep(slot, result, depth, item)

    def obj(self, t: TObject, var: str, depth: int, item: bool) -> None:
        members: list[TMember] = []
        for member in t.members:
            if not isinstance(member, TMember) or member.name is None:
                raise _NotFast  # a key written by a placeholder, or a join of members
            members.append(member)
        # As many keys as the template's, and each of them (KeyError): no other key.
        self.emit(depth, f"if type({var}) is not dict or len({var}) != {len(members)}:")
        self.emit(depth + 1, "raise _Miss")
        for member in members:
            value = self.local("v")
            self.emit(depth, f"{value} = {var}[{self.bind('key', member.name)}]")
            self.value(member.value, value, depth, item=item)

    def array(self, t: TArray, var: str, depth: int, item: bool) -> None:
        joins = [e for e in t.elements if isinstance(e, TJoin)]
        if not joins:
            self.emit(depth, f"if type({var}) is not list or len({var}) != {len(t.elements)}:")
            self.emit(depth + 1, "raise _Miss")
            for k, element in enumerate(t.elements):
                assert not isinstance(element, TJoin)
                value = self.local("v")
                self.emit(depth, f"{value} = {var}[{k}]")
                self.value(element, value, depth, item=item)
            return
        join = joins[0]
        if len(t.elements) != 1 or join.sep or not join.body or item or self.joins:
            raise _NotFast  # elements beside the join, a separator, nested or second joins
        self.joins += 1
        width = len(join.body)
        self.emit(depth, f"if type({var}) is not list or len({var}) % {width}:")
        self.emit(depth + 1, "raise _Miss")
        self.emit(depth, "items = []")
        self.emit(depth, f"for k in range(0, len({var}), {width}):")
        for k, part in enumerate(join.body):
            if isinstance(part, TMember | TJoin):
                raise _NotFast
            value = self.local("v")
            self.emit(depth + 1, f"{value} = {var}[k + {k}]")
            self.value(part, value, depth + 1, item=True)
        attrs = ", ".join(
            f"{ITEM_FIELDS_BY_NAME[name].attribute}={var_}"
            for name, var_ in self.item_fields.items()
        )
        self.emit(depth + 1, f"items.append(_Item({attrs}))")

    def finish(self) -> tuple[Callable[[str], Any], str]:
        attrs: list[str] = []
        extra: list[str] = []
        for name, var in self.fields.items():
            spec = FIELDS_BY_NAME.get(name)
            if spec is not None:
                attrs.append(f"{spec.attribute}={var}")
            else:
                extra.append(f"{self.bind('key', name)}: {var}")
        attrs.append("items=tuple(items)" if self.joins else "items=()")
        if extra:
            attrs.append(f"extra={{{', '.join(extra)}}}")
        body = [*self.lines, f"return _Action({', '.join(attrs)})"]
        names = {
            "_decode": _DECODE,
            "_Miss": _Miss,
            "_Number": _Number,
            "_Action": Action,
            "_Item": Item,
            "_any": _any,
            "type": type,
            "len": len,
            "dict": dict,
            "list": list,
            "str": str,
            "range": range,
            "tuple": tuple,
            **self.bound,
        }
        source = (
            f"def _factory({', '.join(names)}):\n"
            "    def read_fast(text, /):\n"
            + "".join(f"        {line}\n" for line in body)
            + "    return read_fast\n"
        )
        scope: dict[str, Any] = {"__builtins__": {}}
        exec(compile(source, "<postback json fast reader>", "exec"), scope)
        return scope["_factory"](*names.values()), source

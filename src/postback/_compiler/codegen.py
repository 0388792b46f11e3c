"""Writes a template's render function: Python source with each placeholder's escaper bound.

Adjacent literals are merged into one constant; each placeholder becomes an
expression that handles a missing value and calls the formatter and escaper its
context and type need (bound as closure variables); a join becomes a loop appending
to one string.  Template text never reaches the generated code except as string
literals made of escaped code points, so a template cannot steer code generation.

Each bound value is named after what it is, in the compiler's own words: an escaper
by its function's name (``json_string_body``), a formatter or writer by the type and
date format it writes (``format_decimal``, ``write_date_iso``,
``write_decimal_or_null``), a constant by its role (``missing_text``).  A name taken
already gets a number (``header_value_2``), so names are unique and depend only on
the order of the placeholders, never on their text.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, NamedTuple

from .._contexts import Context, Fusion, OutputFormat
from .._messages import placeholder_label
from .._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from .literals import FSTRING_HOLES, concat, function_name, literal
from .nodes import Field, Hole, Join, Node, Text
from .values import Values
from .writers import (
    any_writer,
    escaped,
    escaped_or_empty,
    missing_error,
    moves_text_only,
    value_type,
)

__all__ = ["RenderFunction", "generate"]

RenderFunction = Callable[[Any], str]

# The names the generated code gives its own locals and functions: no binding takes them.
_RESERVED: Final = frozenset({"a", "render", "_factory", "_v", "_s", "_it", "_sep"})
# What a value of each record type is called in a binding's name.
_TYPE_WORDS: Final[dict[type, str]] = {int: "int", str: "str", Decimal: "decimal", datetime: "date"}
# What each date format is called in the name of a date's formatter; a strftime
# pattern is "pattern", whatever it holds.
_DATE_WORDS: Final = {"iso": "date_iso", "unix": "date_unix", "unix_ms": "date_unix_ms"}


class _Hole(NamedTuple):
    """A placeholder to write: the node, its loop variable's name and its context."""

    node: Hole
    item_var: str | None
    context: Context


class _Loop(NamedTuple):
    """A join to write: its separator and the parts of its template."""

    sep: str
    body: list[_Piece]


_Piece = str | _Hole | _Loop  # literal text, a placeholder or a join


class _Codegen:
    def __init__(
        self,
        fmt: OutputFormat[Any],
        contexts: dict[Hole, Context],
        values: Values,
        missing: str,
    ) -> None:
        self.fmt = fmt
        self.contexts = contexts
        self.values = values
        self.missing = missing
        self.names: dict[str, Any] = {}
        self._by_key: dict[Hashable, str] = {}
        self._taken: set[str] = set(_RESERVED)
        self.prologue: list[str] = []
        self.shapes: dict[tuple[Context, type], tuple[str, str]] = {}
        self.fstrings = True
        # The mapping render path's: a Decimal field may hold its canonical text.
        self.decimal_text = False

    def bind(self, key: Hashable, value: Any, name: str, *, extra: str | None = None) -> str:
        """Return the generated-code name bound to ``value`` (one name per ``key``).

        ``name`` says what the value is, in the compiler's words; the first value
        bound under it gets it as it is, the next ones ``name_2``, ``name_3``...  With
        ``extra``, the name is a local read from ``Action.extra`` at the start of the
        render function instead of a bound constant.
        """
        bound = self._by_key.get(key)
        if bound is None:
            bound = self._by_key[key] = self._unique(name)
            if extra is None:
                self.names[bound] = value
            else:
                self.prologue.append(f"{bound} = a.extra.get({literal(extra)})")
        return bound

    def _unique(self, name: str) -> str:
        """Return ``name``, or ``name`` with the first number that makes it a new name."""
        assert name.isascii() and name.isidentifier() and not keyword.iskeyword(name), name
        unique, number = name, 1
        while unique in self._taken:
            number += 1
            unique = f"{name}_{number}"
        self._taken.add(unique)
        return unique

    def escaper(self, escape: Callable[[str | None], str]) -> str:
        """Return the name bound to an escaper: its own (``json_quote``)."""
        return self.bind(("escape", escape), escape, function_name(escape, "escape"))

    def type_word(self, vtype: type) -> str:
        """Return what a value of ``vtype`` is called in a name (dates by their format)."""
        if vtype is datetime:
            return _DATE_WORDS.get(self.values.date_format, "date_pattern")
        return _TYPE_WORDS[vtype]

    def expression(self, part: _Hole) -> str:
        """Return the expression that writes one placeholder, a missing value included."""
        node, item_var, context = part
        if isinstance(node, Field):
            spec = FIELDS_BY_NAME.get(node.name)
            vtype: type = spec.type if spec is not None else object
            if spec is not None:
                access, what = f"a.{spec.attribute}", spec.attribute
            else:
                access = self.bind(("extra", node.name), None, "extra_value", extra=node.name)
                what = "extra"
        else:
            ispec = ITEM_FIELDS_BY_NAME[node.attr]
            vtype, access = ispec.type, f"{item_var}.{ispec.attribute}"
            what = f"item_{ispec.attribute}"
        if self.missing == "error":
            label = placeholder_label(node)
            what = f"raise_missing_{what}"
            raise_missing = self.bind(("raise", label), missing_error(label), what)
            return f"({raise_missing}() if (_v := {access}) is None else {self.present(context, vtype)})"
        shape = self.shapes.get((context, vtype))
        if shape is None:
            shape = self.shapes[context, vtype] = self.shape(context, vtype)
        return shape[0] + access + shape[1]

    def shape(self, context: Context, vtype: type) -> tuple[str, str]:
        """Return the code around a value's access that writes it (missing included).

        The common shapes cost one call per value and little to compile: a value
        that needs no escaping goes through a one-call writer of its type
        (``Values.nullable``), and a string whose context writes a missing value like
        an empty one is tested for truth and escaped inline in C where its escaper has
        a C form (``writers.escaped_or_empty``), else goes through the escaper alone
        (``_e(a.x)``: escapers write None as they write an empty text).
        """
        context = self.values.numbers(context)
        missing, escape = context.missing, context.escape
        if vtype is object:
            writer = any_writer(context, self.values.format_any, missing)
            return f"{self.bind(('any', context), writer, 'write_any')}(", ")"
        if not self.needs_escape(context, vtype):
            wrap = "" if escape is None or vtype in context.bare else context.wrap
            if vtype is int and not wrap:
                # int.__repr__ is a C function: testing for None inline costs no call.
                constant = self.bind(("const", missing), missing, "missing_text")
                fmt = self.bind(("fmt", int), self.values.for_type(int), "format_int")
                return f"({constant} if (_v := ", f") is None else {fmt}(_v))"
            writer = self.values.nullable(vtype, missing, wrap)
            name = f"write_{'quoted_' if wrap else ''}{self.type_word(vtype)}"
            if missing == "null":
                name += "_or_null"
            write = self.bind(("nullable", vtype, missing, wrap), writer, name)
            if self.decimal_text and vtype is Decimal:  # canonical text: what write writes
                w = self.bind(("const", wrap), wrap, "wrap_text") if wrap else ""
                text = f"{w} + _v + {w}" if wrap else "_v"
                return f"({text} if {self.is_text()}(_v := ", f") else {write}(_v))"
            return f"{write}(", ")"
        assert escape is not None
        if vtype is str and escape("") == missing:
            # Escapers write None as they write "": a truth test, or one call, does it all.
            inline = escaped_or_empty(escape, self.bind_inline, self.escaper(escape))
            return inline or (f"{self.escaper(escape)}(", ")")
        constant = self.bind(("const", missing), missing, "missing_text")
        return f"({constant} if (_v := ", f") is None else {self.present(context, vtype)})"

    def needs_escape(self, context: Context, vtype: type) -> bool:
        """Whether text of ``vtype`` values can hold characters ``context`` must escape."""
        if context.escape is None or vtype in context.bare:
            return False
        charset = self.values.charset(vtype)
        return charset is None or not charset <= context.inert

    def present(self, context: Context, vtype: type) -> str:
        """Return the expression writing the present value ``_v`` of ``vtype`` in ``context``."""
        context = self.values.numbers(context)
        if vtype is object:
            writer = any_writer(context, self.values.format_any, None)
            return f"{self.bind(('any-present', context), writer, 'write_present_any')}(_v)"
        fmt = self.values.for_type(vtype)
        if vtype is str:
            text = "_v"
        else:
            text = f"{self.bind(('fmt', vtype), fmt, f'format_{self.type_word(vtype)}')}(_v)"
            if self.decimal_text and vtype is Decimal:
                text = f"(_v if {self.is_text()}(_v) else {text})"
        if not self.needs_escape(context, vtype):
            if not context.wrap or context.escape is None or vtype in context.bare:
                return text
            wrap = self.bind(("const", context.wrap), context.wrap, "wrap_text")
            return f"{wrap} + {text} + {wrap}"
        assert context.escape is not None
        return escaped(context.escape, text, self.bind_inline, self.escaper(context.escape))

    def is_text(self) -> str:
        """The name of ``str``'s own test, ``isinstance(v, str)`` (no builtin is bound
        in generated code): a canonical decimal is text, every other value is not."""
        return self.bind(("builtin", "is_str"), _is_str, "is_str")

    def bind_inline(self, value: Any, name: str) -> str:
        """Return the name bound to a C function or table of an escaper's inline form."""
        return self.bind(("inline", name, id(value)), value, name)

    def parts(self, nodes: Sequence[Node], item_var: str | None) -> list[_Piece]:
        """Return the pieces of ``nodes`` with adjacent literals merged."""
        out: list[_Piece] = []
        pending: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                pending.append(node.value)
                continue
            if pending:
                out.append("".join(pending))
                pending.clear()
            if isinstance(node, Join):
                out.append(_Loop(node.sep, self.fuse(self.parts(node.body, "_it"))))
            else:
                hole: Hole = node  # type: ignore[assignment]
                out.append(_Hole(hole, item_var, self.contexts[hole]))
        if pending:
            out.append("".join(pending))
        return [p for p in out if p]

    def fuse(self, parts: list[_Piece]) -> list[_Piece]:
        """Let the format move literal text into a placeholder's own output where it
        saves work (the quotes around a JSON string that is one placeholder), or pick
        the context the literal text around a placeholder allows.

        A neighbour that is not literal text (the edge of the template or of a join
        template, another placeholder, a join) is passed as "": nothing is known of it.
        """
        out = list(parts)
        last = len(out) - 1
        for k, part in enumerate(out):
            if type(part) is not _Hole:
                continue
            before, after = out[k - 1] if k > 0 else "", out[k + 1] if k < last else ""
            prev = before if isinstance(before, str) else ""
            nxt = after if isinstance(after, str) else ""
            fusion = self.fmt.fuse(part.context, prev, nxt)
            if fusion is not None and self.text_stays(part, fusion, prev, nxt):
                continue
            if fusion is not None:
                if fusion.before:
                    out[k - 1] = prev[: len(prev) - fusion.before]
                out[k] = _Hole(part.node, part.item_var, fusion.context)
                if fusion.after:
                    out[k + 1] = nxt[fusion.after :]
        return [p for p in out if p]

    def text_stays(self, part: _Hole, fusion: Fusion, prev: str, nxt: str) -> bool:
        """Whether a fusion is declined: it would only move literal text into the
        output of a value that needs no escaping (a number between JSON quotes)."""
        vtype = value_type(part.node)
        if vtype is str or vtype is object or not (fusion.before or fusion.after):
            return False
        old, new = self.values.numbers(part.context), self.values.numbers(fusion.context)
        if self.needs_escape(old, vtype) or self.needs_escape(new, vtype):
            return False
        around = prev[len(prev) - fusion.before :], nxt[: fusion.after]
        return moves_text_only(old, fusion._replace(context=new), vtype, around)

    def statements(self, parts: list[_Piece]) -> list[str]:
        """Return the body of the render function for top-level ``parts``.

        Without joins it is one f-string.  With joins the output is accumulated in
        one local string with ``+=``, which CPython extends in place, so rendering
        n items holds the output plus one item's text, never a list of every item.
        A join's body is written once: its separator goes before every item but the
        first through a local that is empty for the first (a copy of the body for the
        first item would double the code CPython compiles, for a few nanoseconds).
        """
        if not any(type(p) is _Loop for p in parts):
            return [f"return {self.concat(parts)}"]
        lines: list[str] = []
        run: list[_Piece] = []

        def emit() -> None:
            if run or not lines:
                lines.append(f"_s {'+=' if lines else '='} {self.concat(run)}")
            run.clear()

        for part in parts:
            if type(part) is not _Loop:
                run.append(part)
                continue
            emit()
            sep, body = part
            lines.append("for _it in a.items:")
            if sep:
                lines[-1:] = ["_sep = ''", "for _it in a.items:", "    _s += _sep"]
            lines.append(f"    _s += {self.concat(body)}")
            if sep:
                lines.append(f"    _sep = {literal(sep)}")
        emit()
        lines.append("return _s")
        return lines

    def concat(self, parts: Sequence[_Piece]) -> str:
        """Return one expression concatenating ``parts`` (``literals.concat``)."""
        return concat(parts, self.expression, self.fstrings)


# ``isinstance(v, str)`` as one C call of one argument (the generated code has no builtins).
_is_str: Final = str.__instancecheck__
# How the output is trimmed, by whether a value can stand at its start and at its end.
_STRIPS: Final = {(True, True): str.strip, (True, False): str.lstrip, (False, True): str.rstrip}


def _count_holes(nodes: Sequence[Node]) -> int:
    count = 0
    for node in nodes:
        if isinstance(node, Join):
            count += _count_holes(node.body)
        elif not isinstance(node, Text):
            count += 1
    return count


def generate(
    nodes: Sequence[Node],
    fmt: OutputFormat[Any],
    contexts: dict[Hole, Context],
    values: Values,
    *,
    missing: str,
    trim: str = "",
    decimal_text: bool = False,
) -> tuple[RenderFunction, str]:
    """Return the render function for ``nodes`` and the Python source it was made from.

    The output is trimmed of the characters of ``trim`` (the format's: the spaces and
    tabs receivers strip from a header value) at an end where a value can stand only:
    literal text there has been checked already.  With ``decimal_text`` a decimal
    field may hold the canonical text the mapping reader keeps, written as it is.
    """
    gen = _Codegen(fmt, contexts, values, missing)
    gen.decimal_text = decimal_text
    gen.fstrings = _count_holes(nodes) <= FSTRING_HOLES
    parts = gen.fuse(gen.parts(nodes, None))
    body = gen.statements(parts)
    strip = _STRIPS.get((type(parts[0]) is not str, type(parts[-1]) is not str)) if parts else None
    if trim and strip is not None:
        name = gen.bind(("trim", strip), strip, f"str_{strip.__name__}")
        body[-1] = f"return {name}({body[-1].removeprefix('return ')}, {literal(trim)})"
    params = ", ".join(gen.names)
    lines = [f"def _factory({params}):", "    def render(a, /):"]
    lines.extend(f"        {line}" for line in gen.prologue)
    lines.extend(f"        {line}" for line in body)
    lines.append("    return render")
    source = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {}
    code = compile(source, "<postback template>", "exec")
    exec(code, {"__builtins__": {}}, namespace)
    render: RenderFunction = namespace["_factory"](**gen.names)
    return render, source

"""Compiles nodes into a Python render function, with each placeholder's escaper bound.

Two stages:

1. ``analyze`` runs the format's context scanner over the template's literal text
   and records the context each placeholder lands in.  A join is scanned for one
   item and again for a second item after its separator; the second pass must end
   where the first did, which proves the output well-formed for any number of items,
   and the text after the join is scanned from both the "no items" and the "items"
   states.
2. ``generate`` writes the source of one function: adjacent literals merged into one
   constant, each placeholder a call of the function its context and type need
   (bound as a closure variable), a join a list comprehension fed to ``str.join``.
   Template text never reaches the generated code except as string literals made of
   escaped code points, so a template cannot steer code generation.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from ._catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from ._contexts import Binding, FormatIssue, FormatModule, HoleNode
from ._errors import RenderError
from ._nodes import Field, Join, Node, Text
from ._parser import LineIndex
from ._values import Values

__all__ = ["analyze", "generate"]

RenderFunction = Callable[[Any], str]


class _Labeled(Exception):
    def __init__(self, issue: FormatIssue, label: str | None) -> None:
        super().__init__(issue.message)
        self.issue = issue
        self.label = label


def analyze(
    nodes: Sequence[Node], fmt: FormatModule, source_len: int, lines: LineIndex
) -> dict[HoleNode, Hashable]:
    """Return the context of every placeholder; raise ``FormatIssue`` for a defect."""
    contexts: dict[HoleNode, Hashable] = {}

    def where(join: Join) -> str:
        line, col = lines.position(join.span.start)
        return f"the join at {line}:{col}"

    def walk(
        body: Sequence[Node], states: dict[Hashable, str | None]
    ) -> dict[Hashable, str | None]:
        for node in body:
            new: dict[Hashable, str | None] = {}
            if isinstance(node, Text):
                for state, label in states.items():
                    try:
                        nxt = fmt.text(state, node.value, node)
                    except FormatIssue as issue:
                        raise _Labeled(issue, label) from None
                    new.setdefault(nxt, label)
            elif isinstance(node, Join):
                new = dict(states)
                one = f"with 1 item in {where(node)}"
                two = f"with 2 items in {where(node)}"
                for state, label in states.items():
                    after_one = walk(node.body, {state: label or one})
                    for s1 in after_one:
                        why = fmt.loop(state, s1)
                        if why is not None:
                            raise _Labeled(
                                FormatIssue(
                                    "join-structure",
                                    f"{where(node)} cannot repeat: {why}",
                                    node.span.start,
                                    node.span.end,
                                ),
                                None,
                            )
                    sep = Text(node.sep, node.sep_span, exact=False)
                    after_sep: dict[Hashable, str | None] = {}
                    for s1 in after_one:
                        try:
                            after_sep.setdefault(fmt.text(s1, node.sep, sep), two)
                        except FormatIssue as issue:
                            raise _Labeled(issue, two) from None
                    after_two = walk(node.body, after_sep)
                    if set(after_two) != set(after_one):
                        raise _Labeled(
                            FormatIssue(
                                "join-structure",
                                f"{where(node)} cannot repeat: a second item with the separator "
                                f"{node.sep!r} does not end where the first did",
                                node.span.start,
                                node.span.end,
                            ),
                            None,
                        )
                    zero = f"with 0 items in {where(node)}"
                    new[state] = label or zero
                    for s1 in after_one:
                        new.setdefault(s1, label or one)
            else:
                for state, label in states.items():
                    try:
                        nxt, ctx = fmt.hole(state, node)
                    except FormatIssue as issue:
                        raise _Labeled(issue, label) from None
                    known = contexts.setdefault(node, ctx)
                    if known != ctx:
                        raise _Labeled(
                            FormatIssue(
                                "ambiguous-position",
                                "this placeholder lands in a different position depending on "
                                "the number of items, so no single escaping fits it",
                                node.span.start,
                                node.span.end,
                            ),
                            label,
                        )
                    new.setdefault(nxt, label)
            states = new
        return states

    try:
        final = walk(nodes, {fmt.initial(): None})
        for state, label in final.items():
            try:
                fmt.end(state, source_len)
            except FormatIssue as issue:
                raise _Labeled(issue, label) from None
    except _Labeled as exc:
        found = exc.issue
        if exc.label:
            found = FormatIssue(
                found.code, f"{found.message} ({exc.label})", found.offset, found.end
            )
        raise found from None
    return contexts


def _literal(text: str) -> str:
    """Return a Python string literal for ``text``, made of printable ASCII only.

    ``ascii()`` is the language's own guarantee that the literal evaluates back to
    exactly ``text``: quotes, backslashes, line breaks and every non-ASCII code point
    are escaped, so template text can never end the literal early.
    """
    return ascii(text)


_FSTRING = {c: f"\\x{c:02x}" for c in range(0x20)}
_FSTRING.update(
    {
        ord("\\"): "\\\\",
        ord("'"): "\\'",
        ord("{"): "{{",
        ord("}"): "}}",
        0x7F: "\\x7f",
    }
)


def _fstring_text(text: str) -> str:
    """Return ``text`` as the literal part of a single-quoted f-string.

    Backslashes, quotes and control characters are escaped and braces doubled, then
    every non-ASCII code point becomes a ``\\x``/``\\u``/``\\U`` escape, so the result is
    printable ASCII that cannot end the string or open an expression.
    """
    return text.translate(_FSTRING).encode("ascii", "backslashreplace").decode("ascii")


def _missing_error(name: str) -> Callable[[], str]:
    def raise_missing() -> str:
        raise RenderError(
            f"{name} has no value and the template was compiled with missing='error'",
            field=name.strip("{}"),
        )

    return raise_missing


class _Codegen:
    def __init__(
        self,
        fmt: FormatModule,
        contexts: dict[HoleNode, Hashable],
        values: Values,
        missing: str,
        extra_fields: frozenset[str],
    ) -> None:
        self.fmt = fmt
        self.contexts = contexts
        self.values = values
        self.missing = missing
        self.extra_fields = extra_fields
        self.names: dict[str, Any] = {}
        self._by_key: dict[Hashable, str] = {}
        self.prologue: list[str] = []
        self.quoted: dict[str, str] = {}
        self._bindings: dict[tuple[Hashable, type], Binding] = {}

    def bind(self, key: Hashable, value: Any, *, extra: str | None = None) -> str:
        """Return the generated-code name bound to ``value`` (one name per ``key``).

        With ``extra``, the name is a local read from ``Action.extra`` at the start of
        the render function instead of a bound constant.
        """
        name = self._by_key.get(key)
        if name is None:
            name = f"_b{len(self._by_key)}"
            self._by_key[key] = name
            if extra is None:
                self.names[name] = value
            else:
                self.prologue.append(f"{name} = a.extra.get({_literal(extra)})")
        return name

    def hole(self, node: HoleNode, item_var: str | None) -> str:
        if isinstance(node, Field):
            spec = FIELDS_BY_NAME.get(node.name)
            vtype: type = spec.type if spec is not None else object
            if spec is not None:
                access = f"a.{spec.attribute}"
            else:
                access = self.bind(("x", node.name), None, extra=node.name)
            label = f"{{{node.name}}}"
        else:
            ispec = ITEM_FIELDS_BY_NAME[node.attr]
            vtype = ispec.type
            access = f"{item_var}.{ispec.attribute}"
            label = f"{{{node.var}.{node.attr}}}"
        ctx = self.contexts[node]
        binding = self._bindings.get((ctx, vtype))
        if binding is None:
            binding = self._bindings[ctx, vtype] = self.fmt.bind(ctx, vtype, self.values)
        if self.missing == "empty" and binding.nullable is not None:
            code = f"{self.bind(('n', ctx, vtype), binding.nullable)}({access})"
            if binding.quoted is not None:
                self.quoted[code] = f"{self.bind(('q', ctx, vtype), binding.quoted)}({access})"
            return code
        func = self.bind(("f", ctx, vtype), binding.func)
        if self.missing == "error":
            miss = self.bind(("m", label), _missing_error(label)) + "()"
        else:
            miss = self.bind(("c", binding.missing), binding.missing)
        return f"({miss} if (_v := {access}) is None else {func}(_v))"

    def parts(self, nodes: Sequence[Node], item_var: str | None) -> list[tuple[str, Any]]:
        """Return the parts of ``nodes`` with adjacent literals merged.

        A part is ``("lit", text)``, ``("code", expression)`` or, for a join,
        ``("join", (separator, parts of the join template))``.
        """
        out: list[tuple[str, Any]] = []
        pending: list[str] = []

        def flush() -> None:
            if pending:
                text = "".join(pending)
                if text:
                    out.append(("lit", text))
                pending.clear()

        for node in nodes:
            if isinstance(node, Text):
                pending.append(node.value)
                continue
            flush()
            if isinstance(node, Join):
                out.append(("join", (node.sep, self.parts(node.body, "_it"))))
            else:
                out.append(("code", self.hole(node, item_var)))
        flush()
        return out

    def statements_for(self, parts: list[tuple[str, Any]]) -> list[str]:
        """Return the body of the render function for top-level ``parts``.

        Without joins it is one f-string.  With joins the output is accumulated in
        one local string with ``+=``, which CPython extends in place, so rendering
        n items holds the output plus one item's text, never a list of every item.
        """
        if all(kind != "join" for kind, _ in parts):
            return [f"return {self._concat(self.fuse([(k == 'code', v) for k, v in parts]))}"]
        lines: list[str] = []
        run: list[tuple[bool, str]] = []

        def emit() -> None:
            if run or not lines:
                lines.append(f"_s {'+=' if lines else '='} {self._concat(self.fuse(run))}")
            run.clear()

        for kind, value in parts:
            if kind != "join":
                run.append((kind == "code", value))
                continue
            emit()
            sep, body = value
            body_parts = self.fuse([(k == "code", v) for k, v in body])
            iterate = self.bind(("builtin", "iter"), iter)
            lines += [
                f"_items = {iterate}(a.items)",
                "for _it in _items:",
                f"    _s += {self._concat(body_parts)}",
                "    break",
                "for _it in _items:",
                f"    _s += {self._concat([(False, sep), *body_parts] if sep else body_parts)}",
            ]
        emit()
        lines.append("return _s")
        return lines

    def fuse(self, parts: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
        """Let a placeholder that is a whole JSON string write its own quotes.

        In a string context an unescaped ``"`` right before the placeholder can only
        be the string's opening quote, and a ``"`` right after it its closing quote.
        """
        out = list(parts)
        for k in range(1, len(out) - 1):
            is_code, code = out[k]
            fused = self.quoted.get(code) if is_code else None
            if fused is None:
                continue
            (prev_code, prev), (next_code, nxt) = out[k - 1], out[k + 1]
            if prev_code or next_code or not (prev.endswith('"') and nxt.startswith('"')):
                continue
            backslashes = len(prev) - 1 - len(prev[:-1].rstrip("\\"))
            if backslashes % 2:
                continue
            out[k - 1], out[k], out[k + 1] = (False, prev[:-1]), (True, fused), (False, nxt[1:])
        return [p for p in out if p[0] or p[1]]

    @staticmethod
    def _concat(parts: list[tuple[bool, str]]) -> str:
        """Return one expression concatenating ``parts`` (an f-string when mixed).

        CPython 3.11 compiles an f-string in time quadratic in its number of
        replacement fields (it locates each field by searching the string from its
        start), so more than ``_FSTRING_PARTS`` parts are split into f-strings of at
        most that many, concatenated with ``str.join``: compile time stays linear in
        the template's size.
        """
        if not parts:
            return "''"
        if len(parts) == 1:
            is_code, text = parts[0]
            return text if is_code else _literal(text)
        if len(parts) > _FSTRING_PARTS:
            chunks = [
                _Codegen._concat(parts[k : k + _FSTRING_PARTS])
                for k in range(0, len(parts), _FSTRING_PARTS)
            ]
            return "''.join((" + ", ".join(chunks) + ",))"
        pieces = [f"{{{text}}}" if is_code else _fstring_text(text) for is_code, text in parts]
        return "f'" + "".join(pieces) + "'"


# The most parts one generated f-string holds (see ``_Codegen._concat``).
_FSTRING_PARTS = 256


def generate(
    nodes: Sequence[Node],
    fmt: FormatModule,
    contexts: dict[HoleNode, Hashable],
    values: Values,
    *,
    missing: str,
    extra_fields: frozenset[str],
) -> tuple[RenderFunction, str]:
    """Return the render function for ``nodes`` and the Python source it was made from."""
    gen = _Codegen(fmt, contexts, values, missing, extra_fields)
    body = gen.statements_for(gen.parts(nodes, None))
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

"""Parses template text with the Lark grammar into nodes, collecting every language defect."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._catalog import COLLECTION, FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from ._nodes import Field, ItemField, Join, Node, Span, Text

if TYPE_CHECKING:
    from lark import Lark, Token, Tree

__all__ = ["LineIndex", "ParseResult", "Problem", "parse", "suggest_name"]

_CALL_OPEN_RE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\(")

_lark: Lark | None = None

_INNER_ESCAPE = re.compile(r'\\["\\]')

_INNER_ALIASES = {
    "iesc": "esc",
    "ilone_bs": "lone_bs",
    "ifield": "field",
    "iitem": "item",
    "imalformed": "malformed",
    "ilbrace": "lbrace",
    "irbrace": "rbrace",
}


def _parser() -> Lark:
    """Build the Lark parser once per process, on first use (keeps ``import`` cheap)."""
    global _lark
    if _lark is None:
        from importlib import resources

        from lark import Lark

        grammar = resources.files("postback").joinpath("_grammar.lark").read_text("utf-8")
        _lark = Lark(
            grammar,
            parser="lalr",
            lexer="contextual",
            start=["template", "inner"],
            maybe_placeholders=False,
        )
    return _lark


@dataclass(frozen=True, slots=True)
class Problem:
    """One defect, before positions are turned into lines and columns.

    ``kind`` selects the exception class: ``"syntax"``, ``"field"`` or ``"format"``.
    ``blocking`` problems leave the node list incomplete, so format checks are skipped.
    """

    kind: str
    code: str
    message: str
    start: int
    end: int
    suggestion: str | None = None
    field: str | None = None
    blocking: bool = False


@dataclass(slots=True)
class ParseResult:
    """The nodes of a template and the problems found while building them."""

    nodes: tuple[Node, ...]
    problems: list[Problem] = field(default_factory=list)


class LineIndex:
    """Turns character offsets into 1-based (line, column) pairs."""

    __slots__ = ("_starts",)

    def __init__(self, source: str) -> None:
        starts = [0]
        find = source.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """Return ``(line, column)`` of ``offset``."""
        i = bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1


def suggest_name(name: str, candidates: Iterable[str]) -> str | None:
    """Return the known name ``name`` most likely meant, or None.

    A case-insensitive match wins; otherwise the closest spelling by difflib.
    """
    import difflib

    pool = sorted(set(candidates))
    folded = {c.lower(): c for c in pool}
    if name.lower() in folded:
        return folded[name.lower()]
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.75)
    if close:
        return close[0]
    close = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def _show(text: str) -> str:
    """Render template text for a one-line message (newlines and tabs made visible)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


class _Builder:
    """Walks Lark trees into nodes and checks every placeholder against the catalog."""

    def __init__(self, source: str, extra_fields: frozenset[str]) -> None:
        self.source = source
        self.extra = extra_fields
        self.fields = frozenset(FIELDS_BY_NAME) | extra_fields
        self.problems: list[Problem] = []

    # -- entry points -------------------------------------------------------------

    def parse_template(self, text: str, base: int) -> list[Node]:
        """Parse top-level template text that starts at source offset ``base``."""
        from lark.exceptions import UnexpectedInput

        nodes: list[Node] = []
        while True:
            try:
                tree = _parser().parse(text, start="template")
            except UnexpectedInput as exc:
                resume = self._call_error(text, base, exc)
                nodes.extend(self.parse_template(text[: resume[0]], base) if resume[0] else ())
                if resume[0] < len(text):
                    # The `{` that opened the broken call is kept as text.
                    nodes.append(
                        Text(text[resume[0]], Span(base + resume[0], base + resume[0] + 1))
                    )
                if resume[1] >= len(text):
                    return nodes
                base, text = base + resume[1], text[resume[1] :]
                continue
            nodes.extend(self._pieces(tree, base, loop_var=None))
            return nodes

    # -- errors from Lark ---------------------------------------------------------

    def _call_error(self, text: str, base: int, exc: Any) -> tuple[int, int]:
        """Record a syntax problem for a broken call; return (call start, resume offset)."""
        from lark.exceptions import UnexpectedCharacters, UnexpectedToken

        pos = getattr(exc, "pos_in_stream", None)
        if (
            isinstance(exc, UnexpectedToken)
            and exc.token.type != "$END"
            and not str(exc.token).startswith('"')
        ):
            tok = exc.token
            s = tok.start_pos if tok.start_pos is not None else len(text)
            call_start = 0
            for m in _CALL_OPEN_RE.finditer(text, 0, s):
                call_start = m.start()
            shown = _show(str(tok).strip()) or _show(str(tok))
            self._add(
                "syntax",
                "invalid-call",
                f"unexpected {shown!r} in join(...): arguments are separated by ',' and "
                'the call ends with ")}"; expected {join(items, i, "TEMPLATE"[, "SEP"])}',
                base + s,
                base + s + max(len(str(tok)), 1),
                blocking=True,
            )
            return call_start, max(s, call_start + 1)
        if isinstance(exc, UnexpectedToken):
            pos = exc.token.start_pos if exc.token.type != "$END" else len(text)
        elif not isinstance(exc, UnexpectedCharacters):
            pos = len(text)
        if pos is None or pos < 0:
            pos = len(text)
        pos = min(pos, len(text))
        call_start = 0
        for m in _CALL_OPEN_RE.finditer(text, 0, pos):
            call_start = m.start()
        opener = _CALL_OPEN_RE.match(text, call_start)
        fname = opener.group(0)[1:-1] if opener else "join"
        if pos < len(text) and text[pos] == '"':
            self._add(
                "syntax",
                "unterminated-string",
                f"unterminated string literal in {fname}(...): add the closing '\"' "
                '(write \\" for a quote inside the string)',
                base + pos,
                base + pos + 1,
                blocking=True,
            )
            return call_start, len(text)
        if isinstance(exc, UnexpectedCharacters) and pos < len(text):
            ch = text[pos]
            self._add(
                "syntax",
                "invalid-call",
                f"unexpected {_show(ch)!r} in {fname}(...): arguments are separated by ',' "
                f'and the call ends with ")}}"; expected {{join(items, i, "TEMPLATE")}}',
                base + pos,
                base + pos + 1,
                blocking=True,
            )
            return call_start, pos
        self._add(
            "syntax",
            "unterminated-call",
            f'unterminated {fname}(...) call: it is never closed with ")}}"',
            base + call_start,
            base + (opener.end() if opener else call_start + 1),
            blocking=True,
        )
        return call_start, len(text)

    # -- trees to nodes -----------------------------------------------------------

    def _pieces(self, tree: Tree[Token], base: int, loop_var: str | None) -> Iterable[Node]:
        for child in tree.children:
            kind = child.data  # type: ignore[union-attr]
            kind = _INNER_ALIASES.get(kind, kind)
            if kind == "call":
                node = self._call(child, base)  # type: ignore[arg-type]
                if node is not None:
                    yield node
                continue
            tok: Token = child.children[0]  # type: ignore[union-attr,assignment]
            start = base + tok.start_pos  # type: ignore[operator]
            value = str(tok)
            span = Span(start, start + len(value))
            if kind in ("text", "lbrace", "rbrace", "lone_bs"):
                yield Text(value, span)
            elif kind == "itext":
                # Inside a string literal `\"` is `"` and `\\` is `\`; every other
                # pair stays as written.
                pos = 0
                for m in _INNER_ESCAPE.finditer(value):
                    if m.start() > pos:
                        yield Text(value[pos : m.start()], Span(start + pos, start + m.start()))
                    yield Text(
                        value[m.start() + 1], Span(start + m.start(), start + m.end()), False
                    )
                    pos = m.end()
                if pos < len(value):
                    yield Text(value[pos:], Span(start + pos, span.end))
            elif kind == "esc":
                yield Text(value[1], span, exact=False)
            elif kind == "field":
                yield self._field(value[1:-1], span, loop_var)
            elif kind == "item":
                var, attr = value[1:-1].split(".")
                yield self._item(var, attr, span, loop_var)
            elif kind == "malformed":
                yield self._malformed(value, span, loop_var)
            elif kind == "nested":
                fname = value[1:].split("(")[0]
                if fname == "join":
                    self._add(
                        "syntax",
                        "nested-join",
                        "join cannot be nested inside a join template; flatten the loop",
                        span.start,
                        span.end,
                        blocking=True,
                    )
                else:
                    self._unknown_function(fname, span)
            else:  # pragma: no cover - the grammar has no other pieces
                raise AssertionError(kind)

    def _field(self, name: str, span: Span, loop_var: str | None) -> Field:
        if name == COLLECTION:
            self._add(
                "syntax",
                "collection-as-placeholder",
                "{items} is a collection and cannot be a placeholder; loop over it with "
                '{join(items, i, "...{i.sku}...")}',
                span.start,
                span.end,
            )
            return Field(name, span)
        if name not in self.fields:
            if loop_var is not None and name == loop_var:
                self._add(
                    "syntax",
                    "item-without-attribute",
                    f"{{{name}}} is the loop variable; name one of its attributes, "
                    f"for example {{{name}.sku}}",
                    span.start,
                    span.end,
                )
                return Field(name, span)
            hint = suggest_name(name, self.fields)
            msg = f"unknown field {{{name}}}"
            msg += f"; did you mean {{{hint}}}?" if hint else "; `postback fields` lists them"
            self._add(
                "field",
                "unknown-field",
                msg,
                span.start,
                span.end,
                suggestion=f"{{{hint}}}" if hint else None,
                field=name,
            )
        return Field(name, span)

    def _item(self, var: str, attr: str, span: Span, loop_var: str | None) -> ItemField:
        if loop_var is None:
            self._add(
                "syntax",
                "item-outside-join",
                f"{{{var}.{attr}}} is an item placeholder and can only stand inside a join "
                f'template: {{join(items, {var}, "...{{{var}.{attr}}}...")}}',
                span.start,
                span.end,
            )
        elif var != loop_var:
            self._add(
                "syntax",
                "wrong-loop-variable",
                f"{{{var}.{attr}}} uses {var!r} but the loop variable of this join is "
                f"{loop_var!r}; did you mean {{{loop_var}.{attr}}}?",
                span.start,
                span.end,
                suggestion=f"{{{loop_var}.{attr}}}",
            )
        elif attr not in ITEM_FIELDS_BY_NAME:
            hint = suggest_name(attr, ITEM_FIELDS_BY_NAME)
            msg = f"unknown item attribute {{{var}.{attr}}}"
            if hint:
                msg += f"; did you mean {{{var}.{hint}}}?"
            else:
                msg += "; item attributes are " + ", ".join(ITEM_FIELDS_BY_NAME)
            self._add(
                "field",
                "unknown-item-field",
                msg,
                span.start,
                span.end,
                suggestion=f"{{{var}.{hint}}}" if hint else None,
                field=attr,
            )
        return ItemField(var, attr, span)

    def _malformed(self, value: str, span: Span, loop_var: str | None) -> Node:
        squeezed = re.sub(r"\s+", "", value[1:-1])
        hint: str | None = None
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", squeezed):
            if squeezed in self.fields:
                hint = squeezed
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*", squeezed):
            var, attr = squeezed.split(".")
            if loop_var is not None and var == loop_var and attr in ITEM_FIELDS_BY_NAME:
                hint = squeezed
        msg = f"malformed placeholder {_show(value)}"
        if any(c.isspace() for c in value):
            msg += ": a placeholder cannot contain whitespace or line breaks"
        else:
            msg += ": write {Field} or, inside a join, {var.attr}"
        if hint:
            msg += f"; did you mean {{{hint}}}?"
        else:
            msg += "; to keep it as text, write \\{ and \\}"
        self._add(
            "syntax",
            "malformed-placeholder",
            msg,
            span.start,
            span.end,
            suggestion=f"{{{hint}}}" if hint else None,
        )
        # Stand-in so format checks still see a value at this position.
        if hint and "." in hint:
            v, a = hint.split(".")
            return ItemField(v, a, span)
        return Field(hint or "", span)

    def _unknown_function(self, fname: str, span: Span) -> None:
        hint = " (did you mean join?)" if suggest_name(fname, ["join"]) else ""
        self._add(
            "syntax",
            "unknown-function",
            f"unknown function {fname}(...){hint}; the only function is "
            '{join(items, VAR, "TEMPLATE"[, "SEP"])}; to keep the text, write \\{',
            span.start,
            span.end,
            blocking=True,
        )

    def _call(self, tree: Tree[Token], base: int) -> Join | None:
        from lark import Token

        opener: Token = tree.children[0]  # type: ignore[assignment]
        closer: Token = tree.children[-1]  # type: ignore[assignment]
        start = base + opener.start_pos  # type: ignore[operator]
        end = base + closer.end_pos  # type: ignore[operator]
        span = Span(start, end)
        fname = str(opener)[1:].split("(")[0]
        if fname != "join":
            self._unknown_function(fname, Span(start, start + len(fname) + 2))
            return None
        args = [c for c in tree.children[1:-1] if not isinstance(c, Token)]
        usage = '{join(items, i, "TEMPLATE")} or {join(items, i, "TEMPLATE", "SEP")}'
        if len(args) not in (3, 4):
            self._add(
                "syntax",
                "join-arguments",
                f"join takes 3 or 4 arguments, got {len(args)}: {usage}",
                start,
                end,
                blocking=True,
            )
            return None
        toks: list[Token] = [a.children[0] for a in args]  # type: ignore[misc]
        kinds = [a.data for a in args]
        ok = True
        expected = ["name", "name", "string", "string"]
        what = ["a collection name", "a loop variable name", "a string literal", "a string literal"]
        for n, (k, tok) in enumerate(zip(kinds, toks, strict=True)):
            if k != expected[n]:
                s = base + tok.start_pos  # type: ignore[operator]
                self._add(
                    "syntax",
                    "join-arguments",
                    f"argument {n + 1} of join must be {what[n]}, not {_show(str(tok))}: {usage}",
                    s,
                    s + len(tok),
                    blocking=True,
                )
                ok = False
        if not ok:
            return None
        coll_tok, var_tok = toks[0], toks[1]
        coll, var = str(coll_tok), str(var_tok)
        cs = base + coll_tok.start_pos  # type: ignore[operator]
        vs = base + var_tok.start_pos  # type: ignore[operator]
        if coll != COLLECTION:
            hint = suggest_name(coll, [COLLECTION])
            if coll in self.fields:
                msg = f"join loops over a collection; {coll} is a plain field. Use items"
                hint = COLLECTION
            else:
                msg = f"unknown collection {coll!r}; the collection is items"
            self._add(
                "field",
                "unknown-collection",
                msg,
                cs,
                cs + len(coll),
                suggestion=hint,
                field=coll,
                blocking=True,
            )
            ok = False
        if var in self.fields or var == COLLECTION:
            self._add(
                "syntax",
                "loop-variable-shadows-field",
                f"loop variable {var!r} shadows the field {{{var}}}; pick another name such as i",
                vs,
                vs + len(var),
                blocking=True,
            )
            ok = False
        body_tok = toks[2]
        body_start = base + body_tok.start_pos + 1  # type: ignore[operator]
        body = self._inner(str(body_tok)[1:-1], body_start, loop_var=var)
        sep = ","
        sep_span = Span(body_start, body_start)
        if len(toks) == 4:
            sep_tok = toks[3]
            sep_start = base + sep_tok.start_pos + 1  # type: ignore[operator]
            sep_nodes, hidden = self._inner_unchecked(str(sep_tok)[1:-1], sep_start)
            for p in hidden:
                if p.code in ("nested-join", "unknown-function"):
                    sep_nodes.append(Field("", Span(p.start, p.end)))
            parts: list[str] = []
            for node in sep_nodes:
                if isinstance(node, Text):
                    parts.append(node.value)
                else:
                    self._add(
                        "syntax",
                        "placeholder-in-separator",
                        "the separator of join is plain text and cannot hold placeholders; "
                        "write \\{ and \\} for literal braces",
                        node.span.start,
                        node.span.end,
                        blocking=True,
                    )
                    ok = False
            sep = "".join(parts)
            sep_span = Span(sep_start, sep_start + len(str(sep_tok)) - 2)
        if not ok:
            return None
        return Join(coll, var, tuple(body), sep, sep_span, span)

    def _inner(self, raw: str, base: int, *, loop_var: str | None) -> list[Node]:
        tree = _parser().parse(raw, start="inner")
        return list(self._pieces(tree, base, loop_var))

    def _inner_unchecked(self, raw: str, base: int) -> tuple[list[Node], list[Problem]]:
        """Parse a separator: its placeholders are errors of their own kind."""
        saved = self.problems
        self.problems = []
        try:
            nodes = self._inner(raw, base, loop_var=None)
            return nodes, self.problems
        finally:
            self.problems = saved

    def _add(
        self,
        kind: str,
        code: str,
        message: str,
        start: int,
        end: int,
        *,
        suggestion: str | None = None,
        field: str | None = None,
        blocking: bool = False,
    ) -> None:
        self.problems.append(Problem(kind, code, message, start, end, suggestion, field, blocking))


def parse(source: str, *, extra_fields: frozenset[str] = frozenset()) -> ParseResult:
    """Parse ``source`` into nodes; every language defect found is in ``problems``."""
    builder = _Builder(source, extra_fields)
    nodes = builder.parse_template(source, 0)
    problems = sorted(builder.problems, key=lambda p: (p.start, p.end))
    return ParseResult(tuple(nodes), problems)

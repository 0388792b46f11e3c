"""Parses template text with the Lark grammar into nodes; it knows the syntax and nothing else.

Names are not looked up here (that is the checker's work, ``checker.py``): a
placeholder becomes a ``Field`` or ``ItemField`` whatever it names, and braces that
look like a broken placeholder become a ``Malformed`` node.  Syntax defects are
returned as ``Problem`` values; after a broken ``join(...)`` the parser resumes, so
the rest of the template is still read, in the same pass: no text is read twice and
nothing recurses, however many calls are broken (docs/security.md, guarantee 6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from .._messages import show, suggest
from .._problems import Code, Problem
from .fastpath import inner_text, scan
from .nodes import Field, ItemField, Join, Malformed, Node, Span, Text
from .recovery import recover

if TYPE_CHECKING:
    from lark import Lark, Token, Tree

__all__ = ["ParseResult", "parse"]

_USAGE = '{join(items, i, "TEMPLATE")} or {join(items, i, "TEMPLATE", "SEP")}'

_lark: Lark | None = None


def _grammar() -> Lark:
    """Load the Lark parser once per process, on first use (keeps ``import`` cheap).

    Its tables ship with the package (``tables.py``): no grammar is analysed here.
    """
    global _lark
    if _lark is None:
        # Lark and the tables load on the first compile, not with import postback.
        from .tables import load

        _lark = load()
    return _lark


class ParseResult(NamedTuple):
    """The nodes of a template and the syntax problems found while reading it."""

    nodes: tuple[Node, ...]
    problems: tuple[Problem, ...]


class _Reader:
    """Turns Lark trees into nodes, one method per grammar rule."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # Terminal -> method, for top-level text and for the contents of a join's
        # string literal ("inner" text), where `\"` and `\\` are escapes and a call
        # opener stands alone; a call (a tree) goes to ``_call``.
        text = self._text
        common: dict[str, Callable[[Token, int, bool], Sequence[Node]]] = {
            "LBRACE": text,
            "RBRACE": text,
            "LONE_BS": text,
            "ESC": self._escape,
            "FIELD": self._field,
            "ITEM": self._item,
            "MALFORMED": self._malformed,
        }
        self._top = {**common, "TEXT": text}
        self._inner = {**common, "TEXT": self._inner_text, "CALL_OPEN": self._nested}

    def add(self, code: Code, message: str, start: int, end: int) -> None:
        self.problems.append(Problem(Span(start, end), code, message))

    # -- entry points -------------------------------------------------------------

    def template(self, text: str) -> list[Node]:
        """Read top-level template text.

        One parser reads the text once, from the start to the end, however many calls
        are broken: after a broken call, ``recover`` (``recovery.py``) reports it, puts
        the parser back where it stood before the call's opener, feeds it the ``{`` of
        every opener left unclosed as text, and moves the lexer to where reading
        resumes.  Nothing is read twice and nothing recurses.
        """
        # Lark loads with the parser, on the first compile (see ``_grammar``).
        from lark.exceptions import UnexpectedInput

        parser = _grammar().parse_interactive(text, start="template")
        while True:
            try:
                tree = parser.resume_parse()  # type: ignore[no-untyped-call]
            except UnexpectedInput as exc:
                recover(parser, text, exc, self.add)
                continue
            return self._children(tree, self._top, 0, in_separator=False)

    def inner(self, raw: str, base: int, *, in_separator: bool) -> list[Node]:
        """Read the contents of a join's string literal, starting at offset ``base``."""
        tree = _grammar().parse(raw, start="inner")
        return self._children(tree, self._inner, base, in_separator=in_separator)

    def _children(
        self,
        tree: Tree[Token],
        terminals: dict[str, Callable[[Token, int, bool], Sequence[Node]]],
        base: int,
        *,
        in_separator: bool,
    ) -> list[Node]:
        nodes: list[Node] = []
        for child in tree.children:
            if isinstance(child, str):  # a Token
                nodes.extend(terminals[child.type](child, base, in_separator))
            else:
                nodes.extend(self._call(child, base, in_separator))
        return nodes

    # -- one method per terminal -------------------------------------------------

    @staticmethod
    def _token(tok: Token, base: int) -> tuple[str, Span]:
        start = base + tok.start_pos  # type: ignore[operator]
        value = str(tok)
        return value, Span(start, start + len(value))

    def _text(self, tok: Token, base: int, in_separator: bool) -> Sequence[Node]:
        value, span = self._token(tok, base)
        return (Text(value, span),)

    def _inner_text(self, tok: Token, base: int, in_separator: bool) -> Sequence[Node]:
        # Inside a string literal `\"` is `"` and `\\` is `\`; every other pair stays.
        value, span = self._token(tok, base)
        return (inner_text(value, span),)

    def _escape(self, tok: Token, base: int, in_separator: bool) -> Sequence[Node]:
        value, span = self._token(tok, base)
        return (Text(value[1], span, exact=False),)

    def _field(self, tok: Token, base: int, in_separator: bool) -> Sequence[Node]:
        value, span = self._token(tok, base)
        return (Field(value[1:-1], span),)

    def _item(self, tok: Token, base: int, in_separator: bool) -> Sequence[Node]:
        value, span = self._token(tok, base)
        var, attr = value[1:-1].split(".")
        return (ItemField(var, attr, span),)

    def _malformed(self, tok: Token, base: int, in_separator: bool) -> Sequence[Node]:
        value, span = self._token(tok, base)
        return (Malformed(value, span),)

    def _nested(self, tok: Token, base: int, in_separator: bool) -> Sequence[Node]:
        value, span = self._token(tok, base)
        if in_separator:
            # A call in a separator is reported as a placeholder there (see _join).
            return (Field("", span),)
        fname = value[1:].split("(")[0]
        if fname == "join":
            self.add(
                Code.NESTED_JOIN,
                "join cannot be nested inside a join template; flatten the loop",
                span.start,
                span.end,
            )
        else:
            self._unknown_function(fname, span)
        return ()

    def _unknown_function(self, fname: str, span: Span) -> None:
        hint = " (did you mean join?)" if suggest(fname, ["join"]) else ""
        self.add(
            Code.UNKNOWN_FUNCTION,
            f"unknown function {fname}(...){hint}; the only function is "
            '{join(items, VAR, "TEMPLATE"[, "SEP"])}; to keep the text, write \\{',
            span.start,
            span.end,
        )

    def _call(self, tree: Tree[Token], base: int, in_separator: bool) -> Sequence[Node]:
        # Lark loads with the parser, on the first compile (see ``_grammar``).
        from lark import Token

        opener: Token = tree.children[0]  # type: ignore[assignment]
        closer: Token = tree.children[-1]  # type: ignore[assignment]
        start = base + opener.start_pos  # type: ignore[operator]
        span = Span(start, base + closer.end_pos)  # type: ignore[operator]
        fname = str(opener)[1:].split("(")[0]
        if fname != "join":
            self._unknown_function(fname, Span(start, start + len(fname) + 2))
            return ()
        args = [c for c in tree.children[1:-1] if not isinstance(c, Token)]
        if len(args) not in (3, 4):
            self.add(
                Code.JOIN_ARGUMENTS,
                f"join takes 3 or 4 arguments, got {len(args)}: {_USAGE}",
                span.start,
                span.end,
            )
            return ()
        toks: list[Token] = [a.children[0] for a in args]  # type: ignore[misc]
        expected = ("name", "name", "string", "string")
        what = ("a collection name", "a loop variable name", "a string literal", "a string literal")
        wrong = [n for n, arg in enumerate(args) if arg.data != expected[n]]
        for n in wrong:
            s = base + toks[n].start_pos  # type: ignore[operator]
            self.add(
                Code.JOIN_ARGUMENTS,
                f"argument {n + 1} of join must be {what[n]}, not {show(str(toks[n]))}: {_USAGE}",
                s,
                s + len(toks[n]),
            )
        if wrong:
            return ()
        return (self._join(toks, base, span),)

    def _join(self, toks: list[Token], base: int, span: Span) -> Join:
        coll_tok, var_tok, body_tok = toks[:3]
        body_start = base + body_tok.start_pos + 1  # type: ignore[operator]
        body = self.inner(str(body_tok)[1:-1], body_start, in_separator=False)
        sep, sep_span = ",", Span(body_start, body_start)
        if len(toks) == 4:
            sep_tok = toks[3]
            sep_start = base + sep_tok.start_pos + 1  # type: ignore[operator]
            sep_nodes = self.inner(str(sep_tok)[1:-1], sep_start, in_separator=True)
            holes = [node for node in sep_nodes if not isinstance(node, Text)]
            for node in holes:
                self.add(
                    Code.PLACEHOLDER_IN_SEPARATOR,
                    "the separator of join is plain text and cannot hold placeholders; "
                    "write \\{ and \\} for literal braces",
                    node.span.start,
                    node.span.end,
                )
            # With holes the join is still returned, so the checker reads its body
            # (placeholder-in-separator keeps the format from being checked).
            sep = "".join(node.value for node in sep_nodes if isinstance(node, Text))
            sep_span = Span(sep_start, sep_start + len(str(sep_tok)) - 2)
        name_span = Span(
            base + coll_tok.start_pos,  # type: ignore[operator]
            base + coll_tok.start_pos + len(coll_tok),  # type: ignore[operator]
        )
        var_span = Span(
            base + var_tok.start_pos,  # type: ignore[operator]
            base + var_tok.start_pos + len(var_tok),  # type: ignore[operator]
        )
        return Join(
            str(coll_tok), str(var_tok), tuple(body), sep, sep_span, span, name_span, var_span
        )


def parse(source: str) -> ParseResult:
    """Parse ``source`` into nodes; every syntax defect found is in ``problems``.

    Text without a brace or a backslash is one ``Text`` node, read without Lark: a
    template of literal text alone (a fixed header value) never loads the parser.  A
    well-formed template is read by ``fastpath.scan``, also without Lark, into the
    same nodes; anything it is not sure of is read here, by Lark, which reports it.
    """
    if "{" not in source and "}" not in source and "\\" not in source:
        plain = (Text(source, Span(0, len(source))),) if source else ()
        return ParseResult(plain, ())
    fast = scan(source)
    if fast is not None:
        return ParseResult(fast, ())
    reader = _Reader()
    nodes = reader.template(source)
    problems = sorted(reader.problems, key=lambda p: p.span)
    return ParseResult(tuple(nodes), tuple(problems))

"""Parses template text with the Lark grammar into nodes; it knows the syntax and nothing else.

Names are not looked up here (that is the checker's work, ``checker.py``): a
placeholder becomes a ``Field`` or ``ItemField`` whatever it names, and braces that
look like a broken placeholder become a ``Malformed`` node.  Syntax defects are
returned as ``Problem`` values; after a broken ``join(...)`` the parser resumes, so
the rest of the template is still read, in the same pass: no text is read twice and
nothing recurses, however many calls are broken (docs/security.md, guarantee 6).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .._messages import show, suggest
from .._problems import Code, Problem
from .nodes import Field, ItemField, Join, Malformed, Node, Span, Text

if TYPE_CHECKING:
    from lark import Lark, Token, Tree
    from lark.parsers.lalr_interactive_parser import InteractiveParser

__all__ = ["ParseResult", "parse"]

_CALL_OPEN_RE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\(")
_INNER_ESCAPE = re.compile(r'\\["\\]')
# An unexpected token is quoted up to this many characters, then "…".
_QUOTE_LIMIT = 40
_USAGE = '{join(items, i, "TEMPLATE")} or {join(items, i, "TEMPLATE", "SEP")}'

_lark: Lark | None = None


def _grammar() -> Lark:
    """Build the Lark parser once per process, on first use (keeps ``import`` cheap)."""
    global _lark
    if _lark is None:
        from importlib import resources

        from lark import Lark

        grammar = resources.files("postback._compiler").joinpath("grammar.lark").read_text("utf-8")
        _lark = Lark(
            grammar,
            parser="lalr",
            lexer="contextual",
            start=["template", "inner"],
            maybe_placeholders=False,
        )
    return _lark


def _quote(token: str) -> str:
    """Return the unexpected text ``token`` for a message, cut after ``_QUOTE_LIMIT`` characters."""
    text = token.strip() or token
    if len(text) > _QUOTE_LIMIT:
        return show(text[:_QUOTE_LIMIT]) + "…"
    return show(text)


class ParseResult(NamedTuple):
    """The nodes of a template and the syntax problems found while reading it."""

    nodes: tuple[Node, ...]
    problems: tuple[Problem, ...]


class _Openers:
    """The call openers (``{name(``) from a broken call's own up to where it broke."""

    def __init__(self, text: str, call: int, before: int) -> None:
        self.call = call
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.names: list[str] = []
        # Openers never overlap: their ends increase with their starts.
        for m in _CALL_OPEN_RE.finditer(text, call, before):
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.names.append(m.group(0)[1:-1])

    def last(self, before: int) -> int:
        """Return the start of the last opener that ends by offset ``before``."""
        k = bisect_right(self.ends, before) - 1
        return self.starts[k] if k >= 0 else self.call

    def _index(self, start: int) -> int:
        return bisect_right(self.starts, start) - 1

    def name(self, start: int) -> str:
        """Return the function name of the opener at ``start``."""
        k = self._index(start)
        return self.names[k] if k >= 0 and self.starts[k] == start else "join"

    def end(self, start: int) -> int:
        k = self._index(start)
        return self.ends[k] if k >= 0 and self.starts[k] == start else start + 1


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
        are broken: after a broken call, ``_recover`` reports it, puts the parser back
        where it stood before the call's opener, feeds it the ``{`` of every opener
        left unclosed as text, and moves the lexer to where reading resumes.  Nothing
        is read twice and nothing recurses.
        """
        from lark.exceptions import UnexpectedInput

        parser = _grammar().parse_interactive(text, start="template")
        while True:
            try:
                tree = parser.resume_parse()  # type: ignore[no-untyped-call]
            except UnexpectedInput as exc:
                self._recover(parser, text, exc)
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

    # -- errors from Lark ---------------------------------------------------------

    def _recover(self, parser: InteractiveParser, text: str, exc: Any) -> None:
        """Report the broken call ``exc`` stopped in and set ``parser`` to read on after it.

        Top-level text never fails to parse, so the parser stopped inside a call: its
        stacks hold the pieces read before the call, the call's opener, then the call's
        tokens.  The call's part is dropped, as if the call had never been read.
        """
        from lark import Token

        state = parser.parser_state
        values = state.value_stack
        at = max(k for k, v in enumerate(values) if isinstance(v, Token) and v.type == "CALL_OPEN")
        call_start: int = values[at].start_pos
        strings: list[tuple[int, int]] = []  # the call's string literals (start, end)
        pending = list(reversed(values[at + 1 :]))
        while pending:
            value = pending.pop()
            if not isinstance(value, Token):
                pending.extend(reversed(value.children))
            elif value.type == "STRING":
                strings.append((value.start_pos, value.end_pos))  # type: ignore[arg-type]
        del state.state_stack[at + 1 :]
        del values[at:]
        braces, resume = self._broken_call(text, call_start, strings, exc)
        for start in braces:
            # The `{` of each opener left unclosed is kept as text.
            parser.feed_token(Token("LBRACE", "{", start))
        lexer = parser.lexer_thread.state
        assert lexer is not None
        lexer.line_ctr.char_pos = resume

    def _broken_call(
        self, text: str, call: int, strings: list[tuple[int, int]], exc: Any
    ) -> tuple[list[int], int]:
        """Report the call opened at ``call`` that ``exc`` stopped in.

        Return the offsets of the openers whose ``{`` stays text, in order, and the
        offset to resume reading from.  ``strings`` are the spans of the string
        literals the call had read.
        """
        from lark.exceptions import UnexpectedCharacters, UnexpectedToken

        if (
            isinstance(exc, UnexpectedToken)
            and exc.token.type != "$END"
            and not str(exc.token).startswith('"')
        ):
            tok = exc.token
            s = tok.start_pos if tok.start_pos is not None else len(text)
            openers = _Openers(text, call, s)
            call_start = openers.last(s)
            shown = _quote(str(tok))
            self.add(
                Code.INVALID_CALL,
                f"unexpected {shown!r} in join(...): arguments are separated by ',' and "
                'the call ends with ")}"; expected {join(items, i, "TEMPLATE"[, "SEP"])}',
                s,
                s + max(len(str(tok)), 1),
            )
            return self._unclosed(openers, call_start, strings), max(s, call_start + 1)
        pos = getattr(exc, "pos_in_stream", None)
        if isinstance(exc, UnexpectedToken):
            pos = exc.token.start_pos if exc.token.type != "$END" else len(text)
        elif not isinstance(exc, UnexpectedCharacters):
            pos = len(text)
        if pos is None or pos < 0:
            pos = len(text)
        pos = min(pos, len(text))
        openers = _Openers(text, call, pos)
        call_start = openers.last(pos)
        fname = openers.name(call_start)
        if pos < len(text) and text[pos] == '"':
            self.add(
                Code.UNTERMINATED_STRING,
                f"unterminated string literal in {fname}(...): add the closing '\"' "
                '(write \\" for a quote inside the string)',
                pos,
                pos + 1,
            )
            return self._unclosed(openers, call_start, strings), len(text)
        if isinstance(exc, UnexpectedCharacters) and pos < len(text):
            self.add(
                Code.INVALID_CALL,
                f"unexpected {show(text[pos])!r} in {fname}(...): arguments are separated by "
                f'\',\' and the call ends with ")}}"; expected {{join(items, i, "TEMPLATE")}}',
                pos,
                pos + 1,
            )
            return self._unclosed(openers, call_start, strings), pos
        self._unterminated(openers, call_start)
        return self._unclosed(openers, call_start, strings), len(text)

    def _unterminated(self, openers: _Openers, start: int) -> None:
        self.add(
            Code.UNTERMINATED_CALL,
            f'unterminated {openers.name(start)}(...) call: it is never closed with ")}}"',
            start,
            openers.end(start),
        )

    def _unclosed(self, openers: _Openers, start: int, strings: list[tuple[int, int]]) -> list[int]:
        """Return the openers from the call's own to ``start`` whose ``{`` stays text.

        A broken call is reported where it broke, at ``start``, the last call opener
        before that point; the text before ``start`` is then read as if the template
        ended there.  An opener after the call's own stands inside one of the call's
        arguments, so that text ends inside the call: within a string literal, it is an
        unterminated string (and the opener before the string is the next one to
        report), anywhere else an unterminated call at the last opener before it.
        Each step moves to an earlier opener, until the call's own.
        """
        found = [start]
        quotes = [s for s, _ in strings]
        while start > openers.call:
            k = bisect_right(quotes, start) - 1
            if k >= 0 and quotes[k] < start < strings[k][1]:
                quote = quotes[k]
                start = openers.last(quote)
                self.add(
                    Code.UNTERMINATED_STRING,
                    f"unterminated string literal in {openers.name(start)}(...): add the "
                    "closing '\"' (write \\\" for a quote inside the string)",
                    quote,
                    quote + 1,
                )
            else:
                start = openers.last(start)
                self._unterminated(openers, start)
            found.append(start)
        found.reverse()
        return found

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
        # The text stays one node; ``escapes`` keeps where each such character stands.
        value, span = self._token(tok, base)
        if "\\" not in value:
            return (Text(value, span),)
        pieces: list[str] = []
        escapes: list[int] = []
        pos = size = 0
        for m in _INNER_ESCAPE.finditer(value):
            pieces.append(value[pos : m.start()])
            size += m.start() - pos
            escapes.append(size)
            pieces.append(value[m.start() + 1])
            size += 1
            pos = m.end()
        pieces.append(value[pos:])
        return (Text("".join(pieces), span, True, tuple(escapes)),)

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
    """Parse ``source`` into nodes; every syntax defect found is in ``problems``."""
    reader = _Reader()
    nodes = reader.template(source)
    problems = sorted(reader.problems, key=lambda p: p.span)
    return ParseResult(tuple(nodes), tuple(problems))
